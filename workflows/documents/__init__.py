"""Documents uploaded for an application (stored via workflows.storage)."""
