"""主动发现 / 免申即享: a daily job finds known people who newly meet a rule and, per program,
tells them what they may receive or opens a finding for staff to confirm; once per rule."""
