"""Warning levels (预警级别): 1..4 ↔ colour ↔ 一级..四级 ↔ Ⅰ..Ⅳ ↔ severity word ↔ CAP.

Mapping and where each column comes from:

=====  ====  ======  =====  ========  ============  ==============  ==========
level  颜色  级别    罗马   程度词    CAP severity  GB/T 颜色值     English
=====  ====  ======  =====  ========  ============  ==============  ==========
1      红色  一级    Ⅰ      特别严重  Extreme       Red             Particularly Severe
2      橙色  二级    Ⅱ      严重      Severe        Orange          Severe
3      黄色  三级    Ⅲ      较重      Moderate      Yellow          Heavy
4      蓝色  四级    Ⅳ      一般      Minor         Blue            General
=====  ====  ======  =====  ========  ============  ==============  ==========

* level ↔ colour ↔ 一级..四级, 一级 highest: 突发事件应对法 (2024) 第六十三条.
* Roman numerals Ⅰ..Ⅳ (U+2160..U+2163): 国家突发公共事件总体应急预案 (2005) and the
  headline suffix of the national 12379 system.
* 程度词 and the suffix form ``[Ⅲ级/较重]``: the real 12379 message of Baoding (2024-07-12,
  yellow = ``[Ⅲ级/较重]``, English ``[Level III/Heavy]``); the other words are the same scale
  used by the national warning-signal system (Ⅰ特别严重, Ⅱ严重, Ⅲ较重, Ⅳ一般). Only the
  English "Heavy" is observed; the other English words are our translations.
* CAP severity: the same Baoding message carries ``severity=Moderate`` for yellow; the other
  levels follow CAP's order Extreme > Severe > Moderate > Minor (MeteoAlarm maps its colours the
  same way). GB/T 35965.1 writes severity as a colour (Red/Orange/Yellow/Blue), so
  :func:`level_from_cap` reads both forms.
* CAP urgency and certainty describe *time* and *probability*, not the level, so they are not
  derived from it: the national system publishes ``Unknown`` for both (Baoding message), and
  that is the default here (``DEFAULT_CAP_URGENCY`` / ``DEFAULT_CAP_CERTAINTY``).
* Measures after a warning: 第六十六条 for 三级/四级, 第六十七条 (in addition) for 一级/二级.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_CAP_URGENCY = "Unknown"
DEFAULT_CAP_CERTAINTY = "Unknown"


@dataclass(frozen=True)
class LevelInfo:
    level: int
    color: str  # 红色
    color_short: str  # 红
    color_en: str  # Red (also the GB/T 35965.1 severity value)
    grade: str  # 一级
    roman: str  # Ⅰ
    roman_ascii: str  # I
    severity_word: str  # 特别严重
    severity_word_en: str
    cap_severity: str  # Extreme
    measures_article: str  # 突发事件应对法 article listing the measures to take


_LEVELS = {
    1: LevelInfo(1, "红色", "红", "Red", "一级", "Ⅰ", "I", "特别严重", "Particularly Severe",
                 "Extreme", "第六十六条、第六十七条"),
    2: LevelInfo(2, "橙色", "橙", "Orange", "二级", "Ⅱ", "II", "严重", "Severe",
                 "Severe", "第六十六条、第六十七条"),
    3: LevelInfo(3, "黄色", "黄", "Yellow", "三级", "Ⅲ", "III", "较重", "Heavy",
                 "Moderate", "第六十六条"),
    4: LevelInfo(4, "蓝色", "蓝", "Blue", "四级", "Ⅳ", "IV", "一般", "General",
                 "Minor", "第六十六条"),
}
LEVELS = tuple(_LEVELS.values())

_SEVERITY_TO_LEVEL = {info.cap_severity.lower(): info.level for info in LEVELS}
_COLOR_EN_TO_LEVEL = {info.color_en.lower(): info.level for info in LEVELS}


def level_info(level: int) -> LevelInfo:
    """Everything known about warning level 1..4 (1 = 一级/红色, the highest)."""
    if isinstance(level, bool) or level not in _LEVELS:
        raise ValueError(f"预警级别应为 1–4（1 为一级/红色）：{level!r}")
    return _LEVELS[level]


def headline_suffix(level: int) -> str:
    """The 12379 headline suffix, e.g. ``[Ⅲ级/较重]`` for level 3."""
    info = level_info(level)
    return f"[{info.roman}级/{info.severity_word}]"


def headline_suffix_en(level: int) -> str:
    """English counterpart, e.g. ``[Level III/Heavy]``."""
    info = level_info(level)
    return f"[Level {info.roman_ascii}/{info.severity_word_en}]"


def cap_fields(level: int) -> dict[str, str]:
    """CAP ``severity``/``urgency``/``certainty`` for a warning of this level (see module doc)."""
    return {
        "severity": level_info(level).cap_severity,
        "urgency": DEFAULT_CAP_URGENCY,
        "certainty": DEFAULT_CAP_CERTAINTY,
    }


_SUFFIX = re.compile(r"[\[［【]\s*([ⅠⅡⅢⅣ])\s*级")
_SUFFIX_EN = re.compile(r"\[\s*Level\s+(IV|III|II|I)\b", re.IGNORECASE)
_ROMAN_TO_LEVEL = {info.roman: info.level for info in LEVELS}
_ASCII_ROMAN_TO_LEVEL = {info.roman_ascii: info.level for info in LEVELS}


def level_from_headline(headline: str | None) -> int | None:
    """Read the level from a 12379 headline: suffix ``[Ⅲ级/较重]``, ``[Level III/…]``, or a
    colour word followed by 预警 (``黄色预警``). None when nothing is recognised."""
    if not headline:
        return None
    match = _SUFFIX.search(headline)
    if match:
        return _ROMAN_TO_LEVEL[match.group(1)]
    match = _SUFFIX_EN.search(headline)
    if match:
        return _ASCII_ROMAN_TO_LEVEL[match.group(1).upper()]
    for info in LEVELS:
        if f"{info.color}预警" in headline:
            return info.level
    return None


def level_from_cap(severity: str | None, headline: str | None = None) -> int | None:
    """Warning level from a CAP ``severity`` (Extreme..Minor, or GB/T colours Red..Blue).

    When the severity is ``Unknown``/absent/unrecognised, fall back to the headline
    (:func:`level_from_headline`). None when neither tells.
    """
    key = (severity or "").strip().lower()
    level = _SEVERITY_TO_LEVEL.get(key) or _COLOR_EN_TO_LEVEL.get(key)
    if level is not None:
        return level
    return level_from_headline(headline)


def parse_level(value: int | str) -> int:
    """Accept any common spelling of a level: 3, "3", "三级", "Ⅲ", "III", "黄", "黄色", "Yellow",
    "较重", "Moderate". Raises ``ValueError`` with a Chinese reason otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return level_info(value).level
    text = str(value).strip()
    if text.isdigit():
        return level_info(int(text)).level
    for info in LEVELS:
        spellings = {info.color, info.color_short, info.grade, info.roman, info.roman_ascii,
                     info.severity_word, f"{info.roman}级"}
        if text in spellings or text.lower() in {info.color_en.lower(), info.cap_severity.lower()}:
            return info.level
    raise ValueError(f"无法识别的预警级别：{value!r}")
