"""Code loaded into the Rasa server process (``.venv-rasa``).

Modules here import only the standard library, Rasa and ``huimin.masking`` (standard library
only): the Rasa environment does not have the project's dependencies. ``masking`` is pure standard
library, so the project's own code (the retention job, tests) imports it too.
"""
