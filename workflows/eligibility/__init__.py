"""Eligibility pre-screening: rules and dated standards as data, and a small engine."""
