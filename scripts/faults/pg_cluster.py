"""A PostgreSQL cluster of the fault scripts' own (Debian's postgresql-common tools), so the
shared server on 5432 that other work uses is never restarted.

``ensure_cluster`` is idempotent: it creates the cluster only when it does not exist
(``pg_createcluster <version> huimin_faults --port 5433``, run as root; the server runs as the
``postgres`` user), makes loopback connections trust-authenticated in its ``pg_hba.conf`` (a
throwaway test cluster, listening on localhost only), and starts it when it is down.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CLUSTER = "huimin_faults"
PORT = 5433
HBA_MARK = "# huimin fault scripts: trust on loopback (test cluster only)"
HBA_LINES = (HBA_MARK, "host all all 127.0.0.1/32 trust", "host all all ::1/128 trust")


class ClusterUnavailableError(RuntimeError):
    """The cluster cannot be made here (no postgresql-common tools, not root)."""


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, action: str) -> float:
        """``pg_ctlcluster <version> <name> <action>``; returns the seconds it took."""
        started = time.monotonic()
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return time.monotonic() - started


def why_unavailable() -> str | None:
    """None when a cluster can be created and restarted here; otherwise the reason."""
    for tool in ("pg_createcluster", "pg_ctlcluster", "pg_lsclusters"):
        if shutil.which(tool) is None:
            return f"{tool} not found (Debian's postgresql-common)"
    if os.geteuid() != 0:
        return "creating and restarting a PostgreSQL cluster needs root"
    if not _versions():
        return "no PostgreSQL server installed under /etc/postgresql"
    return None


def _versions() -> list[str]:
    root = Path("/etc/postgresql")
    return (
        sorted((p.name for p in root.iterdir() if p.is_dir()), key=float) if root.is_dir() else []
    )


def _status(version: str, name: str) -> str | None:
    """``online``/``down`` for an existing cluster, None when it does not exist."""
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True
    ).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[0] == version and fields[1] == name:
            return fields[3]
    return None


def ensure_cluster(name: str = CLUSTER, port: int = PORT) -> tuple[Cluster, list[str]]:
    """The cluster, created/configured/started as needed; and what was done (for the report)."""
    reason = why_unavailable()
    if reason:
        raise ClusterUnavailableError(reason)
    version = _versions()[-1]
    cluster = Cluster(version=version, name=name, port=port)
    done: list[str] = []
    status = _status(version, name)
    if status is None:
        subprocess.run(
            ["pg_createcluster", version, name, "--port", str(port)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        done.append(f"created cluster {version}/{name} on port {port}")
        status = "down"
    hba = Path("/etc/postgresql") / version / name / "pg_hba.conf"
    text = hba.read_text(encoding="utf-8")
    if HBA_MARK not in text:
        hba.write_text("\n".join(HBA_LINES) + "\n" + text, encoding="utf-8")
        done.append("pg_hba.conf: trust on loopback")
        if status == "online":
            cluster.ctl("reload")
    if status != "online":
        cluster.ctl("start")
        done.append("started")
    return cluster, done
