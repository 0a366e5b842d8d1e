"""Program cases: one per program asked for, each moving through its own state machine."""
