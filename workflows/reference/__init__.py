"""Reference data over HTTP: townships, household registry look-ups."""
