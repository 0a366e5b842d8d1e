"""Everything the bridge itself says to residents (the dialogue's own text lives in Rasa)."""

from __future__ import annotations

BUSY_RETRYING = "系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……"
BUSY_GIVE_UP = "抱歉,系统仍然繁忙,您刚才发送的内容没能处理。请过几分钟后重新发送。"
QUEUED_BEHIND_RETRY = "上一条消息还在重试中,这条消息已排在它后面,请稍候。"
INTERNAL_ERROR = "抱歉,处理您的消息时出了点问题,请稍后再试。如需帮助可发送 /human 转人工。"

HELP = (
    "您好,这里是富阳区“惠民联办”服务助手。\n"
    "您可以直接用文字提问,例如“低保怎么申请”“我家能办哪些救助”。\n"
    "常用命令:\n"
    "/start 开始\n"
    "/status 查询办理进度\n"
    "/human 转人工服务\n"
    "申请提交后,可直接发送材料的照片、PDF或Word文件(每个不超过10MB),我们会附到您的申请中。"
)
UNKNOWN_COMMAND = "抱歉,没有这个命令。" + "\n" + HELP

UNSUPPORTED_MEDIA = (
    "抱歉,我目前只能处理文字消息,以及材料的照片、PDF或Word文件。"
    "语音、贴纸、视频等暂时无法识别。请用文字描述您的问题,或发送材料照片。"
)
BUTTON_EXPIRED = "这个按钮已过期,请重新发送您的问题。"
CHOOSE = "请选择:"

# Uploads
FILE_ATTACHED = "材料已收到,已附到您的申请(编号 {number})。"
FILE_REFUSED_BY_API = "材料未能上传:{reason}"
FILE_KEPT_NO_APPLICATION = (
    "材料已收到并暂存。您目前还没有已提交的申请,申请提交后我们会自动把这份材料附上;"
    "您也可以在提交申请后再发送材料。"
)
PENDING_FILES_ATTACHED = "您之前发送的{count}份材料已附到申请(编号 {number})。"
