"""Ingestion is idempotent and keyed on the source file (fake embedder: this is plumbing)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from knowledge.service import KnowledgeService
from knowledge.store import get_all
from tests.knowledge.conftest import FakeEmbedder

DIBAO = "## 第四条 到哪里申请\n申请低保，到户籍所在地的乡镇（街道）提出。\n"
ELDER = "## 老年食堂\n老年食堂为老人提供助餐服务。\n\n## 时间银行\n志愿者服务时间可以存起来。\n"


def sources(service: KnowledgeService) -> dict[str, list[str]]:
    records = get_all(service.collection, ["metadatas", "documents"])
    out: dict[str, list[str]] = {}
    for meta, text in zip(records["metadatas"], records["documents"], strict=True):
        out.setdefault(meta["source"], []).append(text)
    return out


def test_first_ingest_stores_chunks_with_metadata(
    fake_service: KnowledgeService, write_doc: Callable[..., Path]
) -> None:
    write_doc(
        "dibao.md", DIBAO, id="db", title="低保办法", issuer="民政部", effective_date="2021-07-01"
    )
    write_doc("elder.md", ELDER, id="yl", title="养老服务", region="zhejiang")
    report = fake_service.ingest()
    assert sorted(report.added) == ["dibao.md", "elder.md"]
    assert report.chunks_total == 3
    records = get_all(fake_service.collection, ["metadatas"])
    meta = next(m for m in records["metadatas"] if m["source"] == "dibao.md")
    assert meta["section"] == "第四条 到哪里申请"
    assert (meta["doc_id"], meta["title"], meta["issuer"]) == ("db", "低保办法", "民政部")
    assert (meta["effective_date"], meta["region"]) == ("2021-07-01", "fuyang")
    assert meta["audience"] == "resident,adviser,staff"


def test_unchanged_documents_are_not_embedded_again(
    fake_service: KnowledgeService, fake_embedder: FakeEmbedder, write_doc: Callable[..., Path]
) -> None:
    write_doc("dibao.md", DIBAO, id="db", title="低保办法")
    write_doc("elder.md", ELDER, id="yl", title="养老服务")
    fake_service.ingest()
    embedded = len(fake_embedder.embedded)
    report = fake_service.ingest()
    assert len(fake_embedder.embedded) == embedded
    assert report.chunks_embedded == 0
    assert sorted(report.unchanged) == ["dibao.md", "elder.md"]
    assert report.chunks_total == 3


def test_changed_document_replaces_its_old_chunks(
    fake_service: KnowledgeService, fake_embedder: FakeEmbedder, write_doc: Callable[..., Path]
) -> None:
    write_doc("dibao.md", DIBAO, id="db", title="低保办法")
    write_doc("elder.md", ELDER, id="yl", title="养老服务")
    fake_service.ingest()
    before = len(fake_embedder.embedded)
    write_doc("elder.md", "## 老年食堂\n老年食堂每天中午供餐。\n", id="yl", title="养老服务")
    report = fake_service.ingest()
    assert report.updated == ["elder.md"]
    assert report.unchanged == ["dibao.md"]
    assert len(fake_embedder.embedded) - before == 1  # only the changed file's chunk
    stored = sources(fake_service)
    assert stored["elder.md"] == ["老年食堂每天中午供餐。"]
    assert stored["dibao.md"] == ["申请低保，到户籍所在地的乡镇（街道）提出。"]


def test_removed_document_disappears(
    fake_service: KnowledgeService, write_doc: Callable[..., Path]
) -> None:
    write_doc("dibao.md", DIBAO, id="db", title="低保办法")
    elder = write_doc("elder.md", ELDER, id="yl", title="养老服务")
    fake_service.ingest()
    elder.unlink()
    report = fake_service.ingest()
    assert report.removed == ["elder.md"]
    assert set(sources(fake_service)) == {"dibao.md"}


def test_corrupt_files_are_reported_by_name_and_skipped(
    fake_service: KnowledgeService, write_doc: Callable[..., Path], tmp_path: Path
) -> None:
    write_doc("dibao.md", DIBAO, id="db", title="低保办法")
    docs = tmp_path / "docs"
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 truncated zip")
    (docs / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (docs / "bad-front-matter.md").write_text(
        "---\nregion: [unclosed\n---\n正文。", encoding="utf-8"
    )
    (docs / "bad-region.md").write_text("---\nregion: mars\n---\n## 节\n正文。", encoding="utf-8")
    report = fake_service.ingest()
    assert set(report.failed) == {
        "broken.pdf",
        "broken.docx",
        "latin1.txt",
        "bad-front-matter.md",
        "bad-region.md",
    }
    assert report.added == ["dibao.md"]
    assert set(sources(fake_service)) == {"dibao.md"}


def test_every_supported_format_is_loaded(fake_service: KnowledgeService, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "notice.txt").write_text(
        "第一条 临时救助\n遇到急难可以申请临时救助。", encoding="utf-8"
    )
    (docs / "page.html").write_text(
        "<html><head><title>助餐服务</title></head><body><h2>老年食堂</h2>"
        "<p>老年食堂提供助餐服务。</p></body></html>",
        encoding="utf-8",
    )
    _write_docx(docs / "guide.docx", ["第二条 医疗救助", "低保对象看病可以申请医疗救助。"])
    _write_pdf(docs / "plan.pdf", ["第三条 时间银行", "志愿服务时间可以存入时间银行。"])
    report = fake_service.ingest()
    assert not report.failed
    stored = sources(fake_service)
    assert stored["notice.txt"] == ["遇到急难可以申请临时救助。"]
    assert "老年食堂提供助餐服务。" in "".join(stored["page.html"])
    assert stored["guide.docx"] == ["低保对象看病可以申请医疗救助。"]
    assert stored["plan.pdf"] == ["志愿服务时间可以存入时间银行。"]
    records = get_all(fake_service.collection, ["metadatas"])
    sections = {m["source"]: m["section"] for m in records["metadatas"]}
    assert sections["notice.txt"] == "第一条 临时救助"
    assert sections["guide.docx"] == "第二条 医疗救助"
    assert sections["plan.pdf"] == "第三条 时间银行"


def test_superseded_documents_are_not_retrieved(
    fake_service: KnowledgeService, write_doc: Callable[..., Path]
) -> None:
    write_doc(
        "old.md",
        "## 时限\n低保审批60个工作日办结。\n",
        id="old",
        title="旧办法",
        superseded_by="new",
    )
    write_doc("new.md", "## 时限\n低保审批30个工作日办结。\n", id="new", title="新办法")
    fake_service.ingest()
    result = fake_service.search("低保审批多少个工作日", k=5)
    assert [h.chunk.meta["doc_id"] for h in result.hits] == ["new"]
    answer = fake_service.ask("低保审批多少个工作日")
    assert "60" not in answer.answer


def test_no_documents_means_nothing_to_answer(fake_service: KnowledgeService) -> None:
    report = fake_service.ingest()
    assert report.chunks_total == 0
    assert fake_service.status()["ok"] is False
    assert fake_service.ask("低保怎么申请").confident is False


def _write_docx(path: Path, paragraphs: list[str]) -> None:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", document)


def _write_pdf(path: Path, lines: list[str]) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 12)
    for i, line in enumerate(lines):
        pdf.drawString(50, 800 - 20 * i, line)
    pdf.save()
