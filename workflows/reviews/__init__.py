"""复核: approved cases get a periodic review date by rule; residents are reminded ahead of it
through the outbox and may report changes in the chat; reviewers see due and overdue reviews."""
