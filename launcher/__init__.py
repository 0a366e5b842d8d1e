"""``make run`` and its helpers: settings checks, preparation, the process table, the argv
supervisor, Rasa training and conversation retention (``python -m launcher``).

The top layer: it may import huimin/, workflows/ and knowledge/; nothing imports it.
"""
