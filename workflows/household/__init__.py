"""One household vocabulary for applications, eligibility and the staff pages.

``enums`` and ``bounds`` use the standard library only (importable anywhere, e.g. by a layer that
must not pull in pydantic); ``validators`` and ``models`` hold the pydantic field types and the
base models both features extend. ``parsing`` reads a resident's Chinese words as household facts
(amounts, members, incomes per member, property, spending), served by ``views``
(``POST /api/household/parse``, shapes in ``schemas``).
"""
