"""End-to-end tests: the real `civic` server and CLI, driven over HTTP as a client would."""
