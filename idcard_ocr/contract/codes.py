"""The contract's result codes, their messages and the wordings of its 400 answers.

Every answer of ``POST /ocr/idcard-v1`` carries one of :data:`CODES` with its message (or, for
400, a message that says which parameter is wrong). The service and ``idcard-ocr scan`` both
answer with these, so a file scanned locally gets the code and text the API would give it.
"""

from __future__ import annotations

# The contract's table, word for word (ASCII commas included, as the vendor prints them).
MESSAGES: dict[int, str] = {
    200: "成功",
    301: "识别失败",
    400: "参数错误",
    404: "接口地址不正确",
    500: "系统维护,请稍候再试",
    601: "接口未开通",
    602: "账号停用",
    603: "余额不足请充值",
    604: "接口停用",
    606: "调用超限,请稍候再试",
    607: "ip不在白名单",
    609: "请求过于频繁,请稍候再试",
    610: "请求超时",
    999: "其他",
}

CODES: tuple[int, ...] = tuple(MESSAGES)

# 400 messages that say which parameter is wrong. The image ones are the vendor's own wording.
MSG_IMAGE_FORMAT = "照片格式不正确"
MSG_IMAGE_SIZE = "照片大小不能超过2MB"
MSG_IMAGE_DIMENSIONS = "照片宽高需大于8px且不超过4000px"
MSG_BAD_CREDENTIALS = "参数错误: appId 或 sign 不正确"
MSG_NO_IMAGE = "参数错误: file、base64、url 必须提供一个"
MSG_BODY_TOO_LARGE = "参数错误: 请求体过大"
MSG_MALFORMED_BODY = "参数错误: 请求体格式不正确"
MSG_CONTENT_TYPE = "参数错误: 请使用 multipart/form-data 或 application/x-www-form-urlencoded"
MSG_NOT_UTF8 = "参数错误: 字段不是有效的 UTF-8"
MSG_METHOD = "参数错误: 请使用 POST"
# 610 keeps the vendor's words first; the hint names the usual cause of a 10-digit timestamp.
MSG_TIMESTAMP_SECONDS = "请求超时: timestamp 应为毫秒(13 位),收到的是秒(10 位)"


def missing_field(name: str) -> str:
    """The 400 message for a required field that is absent or empty."""
    return f"参数错误: {name} 缺失"


def malformed_field(name: str) -> str:
    """The 400 message for a field that is present but unusable."""
    return f"参数错误: {name} 格式不正确"


class ApiError(Exception):
    """An outcome that ends the request early with ``code`` and ``msg`` (never billed)."""

    def __init__(self, code: int, msg: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.msg = msg if msg is not None else MESSAGES[code]
