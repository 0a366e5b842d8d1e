"""Deadlines per program in working days: policy (configuration) and the case clock."""
