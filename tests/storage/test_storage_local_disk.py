"""Local disk storage: content-addressed keys, atomic writes, traversal-proof keys."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest

from huimin.settings import Settings
from workflows.storage import (
    LocalDiskStorage,
    StoredFileNotFoundError,
    UploadRejected,
    make_storage,
)

PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40


def test_save_and_open_round_trip(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    stored = storage.save(
        io.BytesIO(PDF_BYTES), filename="病历.pdf", content_type="application/pdf"
    )
    assert stored.size == len(PDF_BYTES)
    assert stored.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored.key == stored.sha256
    assert stored.content_type == "application/pdf"
    with storage.open(stored.key) as handle:
        assert handle.read() == PDF_BYTES
    path = tmp_path / stored.key[:2] / stored.key[2:4] / stored.key
    assert path.read_bytes() == PDF_BYTES
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary file left behind


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    first = storage.save(io.BytesIO(b"same"), filename="a.jpg", content_type="image/jpeg")
    second = storage.save(io.BytesIO(b"same"), filename="b.jpg", content_type="image/jpeg")
    assert first.key == second.key
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1


def test_large_stream_in_chunks(tmp_path: Path) -> None:
    data = b"x" * (3 * 1024 * 1024 + 17)
    stored = LocalDiskStorage(tmp_path).save(
        io.BytesIO(data), filename="big.pdf", content_type="application/pdf"
    )
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_stream_over_the_limit_is_refused_and_cleaned(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path, max_bytes=1024)
    with pytest.raises(UploadRejected, match="不能超过"):
        storage.save(io.BytesIO(b"y" * 2048), filename="a.pdf", content_type="application/pdf")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


class _FailingStream(io.RawIOBase):
    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 2:
            raise OSError("client went away")
        return b"z" * 1000


def test_broken_stream_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    with pytest.raises(OSError, match="client went away"):
        storage.save(_FailingStream(), filename="a.pdf", content_type="application/pdf")  # type: ignore[arg-type]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        "",
        "A" * 64,  # upper case is not a key we produce
        "0" * 63,
        "0" * 64 + "/../x",
        "0" * 62 + "..",
    ],
)
def test_malformed_keys_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(StoredFileNotFoundError, match="格式不正确"):
        LocalDiskStorage(tmp_path).open(key)


def test_unknown_key(tmp_path: Path) -> None:
    with pytest.raises(StoredFileNotFoundError, match="找不到"):
        LocalDiskStorage(tmp_path).open("0" * 64)


def test_concurrent_saves_of_the_same_content(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    keys: list[str] = []

    def save() -> None:
        stored = storage.save(
            io.BytesIO(PDF_BYTES), filename="a.pdf", content_type="application/pdf"
        )
        keys.append(stored.key)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1
    with storage.open(keys[0]) as handle:
        assert handle.read() == PDF_BYTES


def test_make_storage_uses_settings(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, upload_dir=tmp_path / "up", max_upload_bytes=100)
    storage = make_storage(settings)
    assert isinstance(storage, LocalDiskStorage)
    assert storage.root == tmp_path / "up"
    with pytest.raises(UploadRejected):
        storage.save(io.BytesIO(b"a" * 101), filename="a.png", content_type="image/png")
    default = make_storage(Settings(_env_file=None, var_dir=tmp_path / "var"))
    assert isinstance(default, LocalDiskStorage)
    assert default.root == tmp_path / "var" / "uploads"
    assert default.max_bytes == 10 * 1024 * 1024
