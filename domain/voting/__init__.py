"""Voting methods: pure rules that validate ballot papers and tally them (see `base`)."""
