"""Visit follow-ups (issue #15): a visit lead becomes a 临时救助 case in one step; urgent visit
alerts on the outbox channel ``township`` are delivered to the township's staff pages."""
