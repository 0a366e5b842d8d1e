"""One set of bounds for a household, whoever sends it (the application or the pre-screening).

Standard library only. Anything beyond these is a typo, not a household.
"""

from __future__ import annotations

from decimal import Decimal

MAX_AMOUNT = Decimal("10000000")  # yuan, for any income, property value or expenditure
CENT = Decimal("0.01")  # amounts are kept to the fen (NUMERIC(14, 2) in the database)
MAX_MEMBERS = 30
MAX_INCOMES_PER_MEMBER = 20
MAX_PROPERTY_ITEMS = 50
MAX_EXPENDITURES = 50
MAX_NAME_LENGTH = 60
MAX_NOTE_LENGTH = 500
MAX_AGE = 130
MIN_BIRTH_YEAR = 1890
DISABILITY_GRADES = (1, 2, 3, 4)
