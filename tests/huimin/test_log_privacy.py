"""ID and mobile numbers are masked in what the handlers write: on child loggers of workflows,
on unrelated loggers, in arguments, in tracebacks and stack text; uvicorn's access lines keep
working; SQLAlchemy errors do not show bound values; and `python -m workflows serve`, a real
process, writes masked access lines."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

from huimin import log_privacy
from huimin.settings import PROJECT_ROOT, Settings
from workflows.db import make_engine

ID = "330183197803120116"
MASKED_ID = "330183********0116"
MOBILE = "13812345678"
MASKED_MOBILE = "138****5678"


@pytest.fixture
def root_output() -> Iterator[io.StringIO]:
    """A handler on the root logger, as a process has after install()."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(log_privacy.LOG_FORMAT))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    log_privacy.install()
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _fail_with(number: str) -> None:
    raise ValueError(f"registry refused {number}")


@pytest.mark.parametrize("name", ["workflows.x.y", "somelib.inner"])
def test_message_args_traceback_and_stack_are_masked(root_output: io.StringIO, name: str) -> None:
    logger = logging.getLogger(name)
    logger.info(f"in the message {ID}")
    logger.info("in the args %s / %s", ID, MOBILE)
    logger.info("in a dict arg %s", {"id_number": ID, "phone": MOBILE})
    logger.warning("an int arg %d", int(ID[:17]) * 10 + 6)
    try:
        _fail_with(ID)
    except ValueError:
        logger.exception("lookup failed for +86%s", MOBILE)
    logger.info("stack", stack_info=True)  # this line's own source text: 330183197803120116
    output = root_output.getvalue()
    assert ID not in output
    assert MOBILE not in output
    assert output.count(MASKED_ID) >= 6  # message, args, dict, int, traceback, stack source
    assert MASKED_MOBILE in output
    assert "Traceback" in output
    assert "ValueError: registry refused " + MASKED_ID in output


def test_a_handler_added_later_is_masked_too() -> None:
    log_privacy.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("late.library")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("phone %s id %s", MOBILE, ID)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"phone {MASKED_MOBILE} id {MASKED_ID}\n"


def test_uvicorn_access_lines_are_masked_and_still_formatted() -> None:
    from uvicorn.logging import AccessFormatter

    config = log_privacy.uvicorn_log_config()
    assert config["handlers"]["access"]["filters"] == ["mask_ids"]
    assert config["root"]["handlers"] == ["default"]
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/api/registry/households/{ID}", "1.1", 401),
        None,
    )
    log_privacy.MaskIdNumbers().filter(record)
    line = AccessFormatter(fmt="%(client_addr)s %(request_line)s %(status_code)s").format(record)
    assert (
        line == f"127.0.0.1:5000 GET /api/registry/households/{MASKED_ID} HTTP/1.1 401 Unauthorized"
    )


def test_mask_text_leaves_other_numbers_alone() -> None:
    text = f"{ID} {MOBILE} 138123456789 0571-88881234 application 202611020001"
    assert log_privacy.mask_text(text) == (
        f"{MASKED_ID} {MASKED_MOBILE} 138123456789 0571-88881234 application 202611020001"
    )


def test_sqlalchemy_errors_do_not_show_bound_values(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'x.db'}")  # type: ignore[call-arg]
    engine = make_engine(settings)
    table = Table(
        "people", MetaData(), Column("id", Integer, primary_key=True), Column("n", String)
    )
    table.metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            connection.execute(insert(table).values(id=1, n=ID))
        with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
            connection.execute(insert(table).values(id=1, n=ID))
        assert ID not in str(raised.value)
        assert "hidden due to hide_parameters" in str(raised.value)
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_served_api_writes_masked_access_lines(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "HUIMIN_ENVIRONMENT": "test",
        "HUIMIN_VAR_DIR": str(tmp_path),
        "HUIMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
    }
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "workflows", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/registry/households/{ID}")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"serve did not start: {log.read_text()}")
                time.sleep(0.2)
        assert answer.status_code == 401  # no credentials
        time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=15)
    output = log.read_text()
    assert f"/api/registry/households/{MASKED_ID}" in output
    assert ID not in output
