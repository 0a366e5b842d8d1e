"""Notification channels the API service delivers itself (SMS for counter applicants)."""
