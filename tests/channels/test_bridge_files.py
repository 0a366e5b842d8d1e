"""Photos and documents: limits enforced before upload, uploads to the API, files kept until an
application exists; other media explained."""

from __future__ import annotations

import pytest

from channels.telegram.app import bridge_of

MB = 1024 * 1024
OPEN_APPLICATION = {"id": 7, "number": "FY20261128-0007", "status": "submitted", "cases": []}


def photo_message(tg, file_id: str = "ph1", size: int = 2048) -> dict:
    sizes = [
        {
            "file_id": "thumb",
            "file_unique_id": "uthumb",
            "width": 90,
            "height": 90,
            "file_size": 100,
        },
        {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "width": 1280,
            "height": 960,
            "file_size": size,
        },
    ]
    return tg.message(photo=sizes)


def document_message(tg, name: str, mime: str, size: int, file_id: str = "doc1") -> dict:
    document = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": name,
        "mime_type": mime,
        "file_size": size,
    }
    return tg.message(document=document)


async def test_photo_is_uploaded_to_the_newest_open_application(tg, backends, telegram) -> None:
    backends.applications[str(tg.user_id)] = [
        {"id": 9, "number": "FY-OLD", "status": "completed"},  # newest, but closed
        OPEN_APPLICATION,
    ]
    telegram.files["ph1"] = b"\xff\xd8\xff fake jpeg"
    await tg.feed(photo_message(tg))

    [upload] = backends.uploads
    assert upload["application_id"] == 7
    assert upload["content"] == b"\xff\xd8\xff fake jpeg"
    assert upload["content_type"] == "image/jpeg"
    assert upload["filename"] == "photo_uph1.jpg"
    assert upload["kind"] == "other"
    assert upload["internal_token"] == "test-internal"
    # the largest size was fetched, never the thumbnail
    assert ("getFile", {"file_id": "ph1"}) in telegram.calls
    assert telegram.texts() == ["材料已收到,已附到您的申请(编号 FY20261128-0007)。"]


async def test_pdf_document_is_uploaded(tg, backends, telegram) -> None:
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    telegram.files["doc1"] = b"%PDF-1.4 fake"
    await tg.feed(document_message(tg, "户口本.pdf", "application/pdf", 13))
    assert [(u["filename"], u["content_type"]) for u in backends.uploads] == [
        ("户口本.pdf", "application/pdf")
    ]


ALLOWED = "JPG、PNG、PDF、HEIC(苹果手机照片)、DOCX(Word 文档)"


@pytest.mark.parametrize(
    ("name", "mime", "size", "reason"),
    [
        (
            "扫描件.pdf",
            "application/pdf",
            11 * MB,
            "文件太大:单个文件不能超过 10 MB,这个文件约 11 MB。可以压缩照片或分页拍摄后再上传",
        ),
        (
            "收入.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            2048,
            f"不支持 “.xlsx” 类型的文件,只能上传 {ALLOWED}",
        ),
        (
            "setup.exe",
            "application/x-msdownload",
            2048,
            f"不支持 “.exe” 类型的文件,只能上传 {ALLOWED}",
        ),
    ],
    ids=["too-large", "xlsx", "exe"],
)
async def test_refused_before_upload(tg, backends, telegram, name, mime, size, reason) -> None:
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    await tg.feed(document_message(tg, name, mime, size))
    assert backends.uploads == []
    assert backends.api_calls == []  # refused without asking the API anything
    assert not [c for c in telegram.calls if c[0] in {"getFile", "downloadFile"}]
    assert telegram.texts() == [reason]


async def test_size_checked_again_when_telegram_did_not_say(tg, backends, telegram) -> None:
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    telegram.files["big"] = b"x" * 16
    telegram.reported_sizes["big"] = 12 * MB
    message = document_message(tg, "材料.pdf", "application/pdf", 0, file_id="big")
    del message["message"]["document"]["file_size"]
    await tg.feed(message)
    assert backends.uploads == []
    assert telegram.texts() == [
        "文件太大:单个文件不能超过 10 MB,这个文件约 12 MB。可以压缩照片或分页拍摄后再上传"
    ]


async def test_api_refusal_reason_is_relayed(tg, backends, telegram) -> None:
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    backends.upload_refusal = "文件内容与扩展名不符,请重新拍照上传"
    telegram.files["doc1"] = b"%PDF-1.7 but damaged"
    await tg.feed(document_message(tg, "a.pdf", "application/pdf", 20))
    assert telegram.texts() == ["材料未能上传:文件内容与扩展名不符,请重新拍照上传"]


async def test_content_not_matching_its_name_is_refused_before_upload(
    tg, backends, telegram
) -> None:
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    telegram.files["doc1"] = b"MZ\x90\x00 an executable renamed"
    await tg.feed(document_message(tg, "低保申请表.pdf", "application/pdf", 24))
    assert backends.uploads == []
    assert telegram.texts() == [
        f"文件内容与扩展名 .pdf 不符,可能已损坏或被改了扩展名。请上传真实的 {ALLOWED} 文件"
    ]


async def test_file_kept_until_an_application_exists(tg, backends, telegram) -> None:
    telegram.files["ph1"] = b"\xff\xd8\xff jpeg bytes"
    await tg.feed(photo_message(tg))
    assert backends.uploads == []
    assert telegram.texts()[-1].startswith("材料已收到并暂存。")

    # The resident completes the application in the dialogue; on the next message the kept
    # file is attached.
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    await tg.feed(tg.text("提交了"))
    assert [u["content"] for u in backends.uploads] == [b"\xff\xd8\xff jpeg bytes"]
    assert telegram.texts()[-2:] == [
        "已收到:提交了",
        "您之前发送的1份材料已附到申请(编号 FY20261128-0007)。",
    ]
    assert bridge_of(tg.application).pending.get(str(tg.user_id)) == []


async def test_api_down_during_upload_is_retried(tg, backends, telegram) -> None:
    backends.applications[str(tg.user_id)] = [OPEN_APPLICATION]
    backends.api_down = 1
    telegram.files["ph1"] = b"\xff\xd8\xff\xe0"
    await tg.feed(photo_message(tg))
    await bridge_of(tg.application).retrier.wait_idle()
    assert len(backends.uploads) == 1
    assert telegram.texts() == [
        "系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……",
        "材料已收到,已附到您的申请(编号 FY20261128-0007)。",
    ]


@pytest.mark.parametrize(
    "content",
    [
        {"voice": {"file_id": "v", "file_unique_id": "uv", "duration": 3}},
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "us",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
        {
            "video": {
                "file_id": "vd",
                "file_unique_id": "uvd",
                "width": 1,
                "height": 1,
                "duration": 1,
            }
        },
        {"contact": {"phone_number": "13800000000", "first_name": "张"}},
    ],
    ids=["voice", "sticker", "video", "contact"],  # a location is forwarded (test_bridge_text)
)
async def test_unsupported_media_explained(tg, backends, telegram, content) -> None:
    await tg.feed(tg.message(**content))
    assert backends.rasa_calls == []
    assert backends.uploads == []
    assert telegram.texts() == [
        "抱歉,我目前只能处理文字消息,以及材料的照片、PDF或Word文件。"
        "语音、贴纸、视频等暂时无法识别。请用文字描述您的问题,或发送材料照片。"
    ]
