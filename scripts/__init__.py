"""Project scripts (benchmarks, test helpers, fault scripts); run from the repository root."""
