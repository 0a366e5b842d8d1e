"""Hardship leads (主动发现): reports of someone in difficulty, for the township to visit."""
