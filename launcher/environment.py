"""The environment of every child process (the processes `make run` starts, Rasa training).

Its own module so the process table (``launcher/processes.py``) and Rasa training
(``launcher/rasa_model.py``) both use it without importing each other.
"""

from __future__ import annotations

import os

from huimin.settings import PROJECT_ROOT, Settings
from huimin.topology import redis_address
from launcher.broker import broker_environment


def child_environment(settings: Settings | None = None) -> dict[str, str]:
    """The environment of every child process. With settings: the values Rasa's endpoints file
    refers to (``HUIMIN_ACTION_SECRET``, ``HUIMIN_TRACKER_STORE_URL``), also when they come from
    the ``.env`` file rather than the environment; the lock store's and the broker's
    credentials."""
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    if settings is not None:
        env.setdefault("RASA_CACHE_DIRECTORY", str(settings.var_dir / "rasa-cache"))
        env["HUIMIN_ACTION_SECRET"] = settings.action_secret.get_secret_value()
        env["HUIMIN_TRACKER_STORE_URL"] = settings.effective_tracker_store_url
        # the lock store's and the broker's credentials (``${VAR}`` in the endpoints file)
        lock = settings.effective_lock_store_url
        env["HUIMIN_LOCK_STORE_PASSWORD"] = redis_address(lock).password if lock else ""
        env.update(broker_environment(settings))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("ANONYMIZED_TELEMETRY", "False")
    # Rasa's environment imports rasa_addons (the tracker store) from the project root
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(PROJECT_ROOT) not in paths:
        env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), *paths])
    env["PYTHONUNBUFFERED"] = "1"
    return env
