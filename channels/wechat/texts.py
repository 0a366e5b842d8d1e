"""Everything the WeChat bridge itself says to residents (the dialogue's text lives in Rasa)."""

from __future__ import annotations

CHOICES_HINT = "请回复数字选择:"
BUSY_RETRYING = "系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……"
BUSY_GIVE_UP = "抱歉,系统仍然繁忙,您刚才发送的内容没能处理。请过几分钟后重新发送。"
INTERNAL_ERROR = "抱歉,处理您的消息时出了点问题,请稍后再试。如需帮助可点击菜单“转人工”。"
UNSUPPORTED_MEDIA = (
    "抱歉,我目前只能处理文字、语音转文字、位置,以及材料的照片。"
    "请用文字描述您的问题,或发送材料照片。"
)
WELCOME_FALLBACK = "您好,欢迎关注富阳区“惠民联办”。"

# Uploads
FILE_ATTACHED = "材料已收到,已附到您的申请(编号 {number})。"
FILE_REFUSED_BY_API = "材料未能上传:{reason}"
FILE_KEPT_NO_APPLICATION = (
    "材料已收到并暂存。您目前还没有已提交的申请,申请提交后我们会自动把这份材料附上;"
    "您也可以在提交申请后再发送材料。"
)
FILE_EXPIRED = "您之前发送的材料已过期(微信只保留3天),请重新发送照片。"
PENDING_FILES_ATTACHED = "您之前发送的{count}份材料已附到申请(编号 {number})。"
COMMAND_REFUSED = "抱歉,没有这个命令。请直接用文字提问,或点击下方菜单。"
