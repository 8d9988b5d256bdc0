"""Chinese labels for CAP 1.2 code values, for people reading imported messages (the codes stay
in the stored message and on hover). Sources: OASIS CAP 1.2 §3.2 value lists; the Chinese
wording follows GB/T 35965.1-2018 where it names them (severity 特别严重/严重/较重/一般)."""

from __future__ import annotations

STATUS = {"Actual": "正式", "Exercise": "演练", "System": "系统消息", "Test": "测试", "Draft": "草稿"}
MSG_TYPE = {"Alert": "首发", "Update": "更新", "Cancel": "取消", "Ack": "确认", "Error": "错误更正"}
SCOPE = {"Public": "公开", "Restricted": "限定范围", "Private": "指定接收者"}
CATEGORY = {"Geo": "地质地震", "Met": "气象", "Safety": "公共安全", "Security": "社会安全", "Rescue": "救援",
            "Fire": "火灾", "Health": "卫生健康", "Env": "生态环境", "Transport": "交通运输", "Infra": "基础设施",
            "CBRNE": "化学生物放射核爆", "Other": "其他"}
URGENCY = {"Immediate": "立即", "Expected": "即将（1 小时内）", "Future": "将来", "Past": "已过去", "Unknown": "未知"}
SEVERITY = {"Extreme": "特别严重", "Severe": "严重", "Moderate": "较重", "Minor": "一般", "Unknown": "未知"}
CERTAINTY = {"Observed": "已发生", "Likely": "很可能", "Possible": "可能", "Unlikely": "不太可能",
             "Unknown": "未知", "Very Likely": "很可能"}
LANGUAGE = {"zh-CN": "简体中文", "zh": "中文", "zh-TW": "繁体中文", "zh-HK": "繁体中文", "en": "英文", "en-US": "英文",
            "en-GB": "英文", "mn": "蒙古文", "ko": "朝鲜文", "ru": "俄文", "ja": "日文"}
RESPONSE_TYPE = {"Shelter": "就地避险", "Evacuate": "撤离", "Prepare": "做好准备", "Execute": "执行预案",
                 "Avoid": "避开", "Monitor": "关注信息", "Assess": "评估", "AllClear": "解除", "None": "无需行动"}


def language(code: str | None) -> str:
    """An RFC 3066 language code of an info block (zh-CN) as its Chinese name (简体中文); an
    unknown region falls back to the language (en-AU → 英文)."""
    if not code:
        return "—"
    return LANGUAGE.get(code) or LANGUAGE.get(code.split("-")[0]) or code


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label, or the code itself when the table does not know it (never empty)."""
    if not code:
        return "—"
    return table.get(code, code)
