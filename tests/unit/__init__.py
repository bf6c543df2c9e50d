"""Unit tests: the domain's rules, stated as scenarios over the events they record."""
