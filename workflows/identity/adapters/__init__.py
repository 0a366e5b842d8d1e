"""The three ways to verify a chat identity, behind one interface (``base.VerificationAdapter``)."""
