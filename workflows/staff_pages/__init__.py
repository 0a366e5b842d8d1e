"""Server-rendered Chinese pages: resident web chat, staff login, review queue, case page,
dashboard, counter intake, elder-care adviser, and the printable QR page."""
