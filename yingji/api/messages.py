"""Chinese messages for the validation errors django-ninja reports (pydantic's error types), so a
bad parameter or body field is explained in Chinese like every other API error."""

from __future__ import annotations

MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "finite_number": "应为有限数值",
    "decimal_parsing": "应为数字", "decimal_type": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文本", "bytes_type": "应为文本",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "date_parsing": "日期格式无效（应为“年-月-日”，如 2026-12-03）", "date_type": "日期格式无效（应为“年-月-日”，如 2026-12-03）",
    "date_from_datetime_parsing": "日期格式无效（应为“年-月-日”，如 2026-12-03）", "date_from_datetime_inexact": "应为日期，不含时刻",
    "datetime_parsing": "时间格式无效（ISO 8601）", "datetime_type": "时间格式无效（ISO 8601）",
    "datetime_from_date_parsing": "时间格式无效（ISO 8601）", "time_parsing": "时刻格式无效（HH:MM）",
    "uuid_parsing": "格式无效", "url_parsing": "网址格式无效", "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON", "extra_forbidden": "不允许的字段",
    "enum": "取值无效", "literal_error": "取值无效",
}
BOUNDS = {
    "greater_than": ("gt", "应大于 {}"), "greater_than_equal": ("ge", "应不小于 {}"),
    "less_than": ("lt", "应小于 {}"), "less_than_equal": ("le", "应不大于 {}"),
    "too_short": ("min_length", "至少 {} 项"), "too_long": ("max_length", "至多 {} 项"),
    "string_too_short": ("min_length", "至少 {} 个字符"), "string_too_long": ("max_length", "至多 {} 个字符"),
}


def chinese(error: dict) -> str:
    """The Chinese message of one pydantic error (``{"type", "msg", "ctx", ...}``)."""
    kind = error.get("type", "")
    if kind in MESSAGES:
        return MESSAGES[kind]
    if kind in BOUNDS:
        key, text = BOUNDS[kind]
        return text.format((error.get("ctx") or {}).get(key, ""))
    if kind == "value_error":  # a validator's own message (ours are Chinese)
        return str((error.get("ctx") or {}).get("error") or error.get("msg") or "无效")
    return "无效"
