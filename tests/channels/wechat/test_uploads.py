"""Residents' photos: downloaded from WeChat's media API, checked with the API's upload rules,
attached to the newest open application, or kept until one exists."""

from __future__ import annotations

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
OPENID = "oHuimin_Resident-0001"
APPLICATION = {"id": 7, "number": "FY-2026-000007", "status": "submitted"}


async def test_photo_is_attached_to_the_open_application(wx, backends, wechat) -> None:
    backends.applications[OPENID] = [APPLICATION]
    wechat.media["MEDIA_1"] = JPEG

    reply = wx.reply(await wx.post(wx.xml("image", PicUrl="http://mmbiz/x", MediaId="MEDIA_1")))

    assert reply.content == "材料已收到,已附到您的申请(编号 FY-2026-000007)。"
    [upload] = backends.uploads
    assert upload["application_id"] == 7
    assert upload["content"] == JPEG
    assert upload["content_type"] == "image/jpeg"
    assert upload["kind"] == "other"
    assert upload["internal_token"] == "test-internal"
    assert upload["filename"] == "wechat_MEDIA_1.jpg"


async def test_photo_without_application_is_kept_then_attached(wx, backends, wechat) -> None:
    wechat.media["MEDIA_2"] = JPEG
    reply = wx.reply(await wx.post(wx.xml("image", PicUrl="http://mmbiz/x", MediaId="MEDIA_2")))
    assert reply.content.startswith("材料已收到并暂存")
    assert backends.uploads == []

    backends.applications[OPENID] = [APPLICATION]  # the resident submits in the dialogue
    reply = wx.reply(await wx.post(wx.text("好的")))
    assert reply.content == ("已收到:好的\n\n您之前发送的1份材料已附到申请(编号 FY-2026-000007)。")
    assert [u["filename"] for u in backends.uploads] == ["wechat_MEDIA_2.jpg"]

    await wx.post(wx.text("谢谢"))  # attached once only
    assert len(backends.uploads) == 1


async def test_content_that_is_not_an_image_is_refused(wx, backends, wechat) -> None:
    backends.applications[OPENID] = [APPLICATION]
    wechat.media["MEDIA_3"] = b"MZ\x90\x00 not a photo" + b"\x00" * 64
    reply = wx.reply(await wx.post(wx.xml("image", PicUrl="http://mmbiz/x", MediaId="MEDIA_3")))
    assert reply.content.startswith("文件内容与扩展名 .jpg 不符")
    assert backends.uploads == []


async def test_expired_media_is_explained(wx, backends, wechat) -> None:
    backends.applications[OPENID] = [APPLICATION]
    reply = wx.reply(await wx.post(wx.xml("image", PicUrl="http://mmbiz/x", MediaId="GONE")))
    assert reply.content.startswith("您之前发送的材料已过期")
    assert backends.uploads == []


async def test_refusal_by_the_api_is_passed_on(wx, backends, wechat) -> None:
    backends.applications[OPENID] = [APPLICATION]
    backends.upload_refusal = "该申请已办结,不再接收材料"
    wechat.media["MEDIA_4"] = JPEG
    reply = wx.reply(await wx.post(wx.xml("image", PicUrl="http://mmbiz/x", MediaId="MEDIA_4")))
    assert reply.content == "材料未能上传:该申请已办结,不再接收材料"
