"""Which township handles each program case (异地申请 rules)."""
