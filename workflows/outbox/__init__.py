"""Notifications to residents, written in the same transaction as the change they report."""
