"""Human-readable numbers such as FY-20261128-0001, counted per prefix and day."""
