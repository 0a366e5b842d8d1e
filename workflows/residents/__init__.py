"""What residents may see of their own applications."""
