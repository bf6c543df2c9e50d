"""Ballot files from elsewhere (PrefLib), read into the papers and counts the tallies take."""
