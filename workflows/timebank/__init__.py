"""时间银行: volunteers' hours in a double-entry ledger (after TimeOverflow's accounts, offers
and transfers), moved only when the giving side confirms, never below an account's floor."""
