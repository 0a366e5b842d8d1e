"""Sub-commands of ``python -m workflows`` (one module each)."""
