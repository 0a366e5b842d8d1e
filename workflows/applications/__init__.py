"""The "一件事" joint application: applicant, household, programs asked for."""
