"""探访关爱: the roster of key targets, monthly visits, risk flags and the monthly visit rate."""
