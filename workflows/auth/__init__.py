"""Staff users, roles, tokens, and who may call what."""
