"""Safety-risk grading for the 双重预防机制: LEC and the 5×5 risk matrix (LS).

Both methods end in the four risk levels used on the 四色图 (安委办〔2016〕11号):

====  ========  ====
level name      colour
====  ========  ====
1     重大风险  红
2     较大风险  橙
3     一般风险  黄
4     低风险    蓝
====  ========  ====

LEC (作业条件危险性分析法): ``D = L × E × C`` where L, E and C may only take the values of
the standard tables below (docs/rules.md §6). Default banding, as the sources
give it (local-standard convention, DB37/T 2882-2016 style):

* ``D > 320`` 重大 · 红
* ``160 < D ≤ 320`` 较大 · 橙
* ``70 < D ≤ 160`` 一般 · 黄
* ``D ≤ 70`` 低 · 蓝

The sources only write "160–320", so which band owns a cut point is a setting
(:attr:`RiskBandSettings.lec_cut_owner`). Of the cut points only 70 is reachable with the
standard scores (e.g. 1 × 10 × 7); 160 and 320 are not.

Risk matrix: ``R = L × S`` with L (可能性) and S (严重性) integers 1..5 (§5.3). Default banding:
``R ≥ 20`` 重大, ``15 ≤ R < 20`` 较大, ``9 ≤ R < 15`` 一般, ``R < 9`` 低 (i.e. 20–25 / 15–16 /
9–12 / 1–8, which covers every achievable product without ambiguity).

>>> a = assess_lec(3, 6, 15)
>>> a.score, a.level, a.level_name, a.colour
(Decimal('270'), 2, '较大风险', '橙色')
>>> assess_matrix(4, 5).level_name
'重大风险'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Literal, Sequence

from yingji.rules.bands import Band, classify, most_severe

METHOD_LEC = "LEC"
METHOD_MATRIX = "LS"


@dataclass(frozen=True)
class RiskLevel:
    level: int
    name: str
    colour: str
    colour_code: str
    colour_hex: str


# Colour hex values are display defaults for the 四色图, not taken from a standard.
RISK_LEVELS: dict[int, RiskLevel] = {
    1: RiskLevel(1, "重大风险", "红色", "red", "#FF0000"),
    2: RiskLevel(2, "较大风险", "橙色", "orange", "#FF8C00"),
    3: RiskLevel(3, "一般风险", "黄色", "yellow", "#FFD700"),
    4: RiskLevel(4, "低风险", "蓝色", "blue", "#1E90FF"),
}

# --- LEC value tables (docs/rules.md §6); value -> Chinese meaning ----------------------------

LEC_L: dict[Decimal, str] = {
    Decimal("10"): "完全可以预料",
    Decimal("6"): "相当可能",
    Decimal("3"): "可能，但不经常",
    Decimal("1"): "可能性小，完全意外",
    Decimal("0.5"): "很不可能，可以设想",
    Decimal("0.2"): "极不可能",
    Decimal("0.1"): "实际不可能",
}

LEC_E: dict[Decimal, str] = {
    Decimal("10"): "连续暴露",
    Decimal("6"): "每天工作时间内暴露",
    Decimal("3"): "每周一次，或偶然暴露",
    Decimal("2"): "每月一次暴露",
    Decimal("1"): "每年几次暴露",
    Decimal("0.5"): "非常罕见地暴露",
}

LEC_C: dict[Decimal, str] = {
    Decimal("100"): "大灾难，许多人死亡",
    Decimal("40"): "灾难，数人死亡",
    Decimal("15"): "非常严重，一人死亡",
    Decimal("7"): "严重，重伤",
    Decimal("3"): "重大，致残",
    Decimal("1"): "引人注目，需要救护",
}

# Classic five-band reading of D, kept for display next to the four-colour level.
LEC_CLASSIC_BANDS: tuple[Band, ...] = (
    Band("极其危险，不能继续作业", lo=Decimal(320), lo_inclusive=False),
    Band("高度危险，需立即整改", lo=Decimal(160), hi=Decimal(320), lo_inclusive=False, hi_inclusive=True),
    Band("显著危险，需要整改", lo=Decimal(70), hi=Decimal(160), lo_inclusive=False, hi_inclusive=True),
    Band("一般危险，需要注意", lo=Decimal(20), hi=Decimal(70), lo_inclusive=False, hi_inclusive=True),
    Band("稍有危险，可以接受", hi=Decimal(20), hi_inclusive=True),
)

MATRIX_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5)

def _to_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{what}必须是数值，收到：{value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what}必须是数值，收到：{value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what}必须是有限数值，收到：{value!r}")
    return number


CutOwner = Literal["lower", "higher"]
"""Which band owns a cut point: ``"lower"`` = the less severe band (``lo < x ≤ hi``),
``"higher"`` = the more severe band (``lo ≤ x < hi``)."""


@dataclass(frozen=True)
class RiskBandSettings:
    """Band boundaries, configurable per enterprise, sector or jurisdiction.

    ``*_cuts`` are the three cut points between 重大/较大, 较大/一般 and 一般/低, strictly
    decreasing. ``*_cut_owner`` makes the inclusivity explicit (see :data:`CutOwner`).

    Defaults (docs/rules.md §6):

    * LEC: cuts 320 / 160 / 70, owned by the lower band → ``D>320`` 红, ``160<D≤320`` 橙,
      ``70<D≤160`` 黄, ``D≤70`` 蓝.
    * Matrix: cuts 20 / 15 / 9, owned by the higher band → ``R≥20`` 红, ``15≤R<20`` 橙,
      ``9≤R<15`` 黄, ``R<9`` 蓝.
    """

    lec_cuts: tuple[Decimal, Decimal, Decimal] = (Decimal(320), Decimal(160), Decimal(70))
    lec_cut_owner: CutOwner = "lower"
    matrix_cuts: tuple[Decimal, Decimal, Decimal] = (Decimal(20), Decimal(15), Decimal(9))
    matrix_cut_owner: CutOwner = "higher"

    def __post_init__(self) -> None:
        for name in ("lec", "matrix"):
            cuts = tuple(_to_decimal(c, f"{name} 分级界限") for c in getattr(self, f"{name}_cuts"))
            if len(cuts) != 3 or not cuts[0] > cuts[1] > cuts[2] > 0:
                raise ValueError(f"风险分级界限必须为三个递减的正数：{cuts}")
            if getattr(self, f"{name}_cut_owner") not in ("lower", "higher"):
                raise ValueError("分级界限归属只能为 lower（归较低等级）或 higher（归较高等级）")
            object.__setattr__(self, f"{name}_cuts", cuts)

    def lec_bands(self) -> tuple[Band, ...]:
        return _four_bands(self.lec_cuts, self.lec_cut_owner)

    def matrix_bands(self) -> tuple[Band, ...]:
        return _four_bands(self.matrix_cuts, self.matrix_cut_owner)


DEFAULT_SETTINGS = RiskBandSettings()


def _four_bands(cuts: Sequence[Decimal], owner: CutOwner) -> tuple[Band, ...]:
    """Bands labelled 1..4 from three decreasing cut points."""
    lower_owns = owner == "lower"
    edges = (None, *cuts, None)  # level 1 is unbounded above, level 4 unbounded below
    return tuple(
        Band(
            level,
            lo=edges[level],
            hi=edges[level - 1],
            lo_inclusive=not lower_owns,
            hi_inclusive=lower_owns,
        )
        for level in (1, 2, 3, 4)
    )


@dataclass(frozen=True)
class RiskAssessment:
    method: str  # METHOD_LEC or METHOD_MATRIX
    score: Decimal
    level: int  # 1 (重大) .. 4 (低)
    level_name: str
    colour: str  # Chinese, e.g. 红色
    colour_hex: str
    reason: str  # Chinese explanation for the record and the UI
    colour_code: str = ""  # red / orange / yellow / blue, for CSS and exports
    factors: tuple[tuple[str, Decimal, str], ...] = ()  # (factor, value, meaning)


def _table_value(value: object, table: dict[Decimal, str], what: str) -> Decimal:
    number = _to_decimal(value, what)
    if number not in table:
        allowed = "、".join(_fmt(v) for v in table)
        raise ValueError(f"{what}取值 {_fmt(number)} 不在标准取值表中（允许：{allowed}）")
    return number


def _fmt(value: Decimal) -> str:
    """Plain notation without exponent or trailing zeros: 200.0 → 200, 0.50 → 0.5."""
    text = format(value.normalize(), "f")
    return text


def _describe(band: Band, symbol: str) -> str:
    """``D>320``, ``160<D≤320``, ``D≤70`` — the band in the sources' own notation."""
    if band.hi is None:
        return f"{symbol}{'≥' if band.lo_inclusive else '>'}{_fmt(band.lo)}"
    return band.describe().replace("x", symbol)


def _build(method: str, score: Decimal, band: Band, symbol: str, formula: str,
           factors: tuple[tuple[str, Decimal, str], ...]) -> RiskAssessment:
    info = RISK_LEVELS[band.label]
    reason = (
        f"{formula} = {_fmt(score)}，{_describe(band, symbol)}，"
        f"判定为{info.name}（{info.colour}）"
    )
    return RiskAssessment(
        method=method,
        score=score,
        level=info.level,
        level_name=info.name,
        colour=info.colour,
        colour_hex=info.colour_hex,
        reason=reason,
        colour_code=info.colour_code,
        factors=factors,
    )


def assess_lec(l: object, e: object, c: object,
               settings: RiskBandSettings | None = None) -> RiskAssessment:
    """Grade one hazard/operation by LEC. Values must come from :data:`LEC_L`,
    :data:`LEC_E`, :data:`LEC_C` (ints, floats, strings or Decimals); otherwise ``ValueError``."""
    settings = settings or DEFAULT_SETTINGS
    lv = _table_value(l, LEC_L, "L（事故发生的可能性）")
    ev = _table_value(e, LEC_E, "E（暴露于危险环境的频繁程度）")
    cv = _table_value(c, LEC_C, "C（发生事故可能造成的后果）")
    score = Decimal(_fmt(lv * ev * cv))  # 0.5×6×40 → 120, not 120.0
    band = classify(score, settings.lec_bands())
    factors = (("L", lv, LEC_L[lv]), ("E", ev, LEC_E[ev]), ("C", cv, LEC_C[cv]))
    formula = f"D = L×E×C = {_fmt(lv)}×{_fmt(ev)}×{_fmt(cv)}"
    return _build(METHOD_LEC, score, band, "D", formula, factors)


def lec_classic_band(score: Decimal) -> str:
    """The classic five-band wording of a D value (e.g. 显著危险，需要整改)."""
    return classify(score, LEC_CLASSIC_BANDS).label


def _matrix_value(value: object, what: str) -> int:
    number = _to_decimal(value, what)
    if number != number.to_integral_value() or int(number) not in MATRIX_VALUES:
        raise ValueError(f"{what}取值 {value!r} 无效，只能为 1、2、3、4、5 之一")
    return int(number)


def assess_matrix(likelihood: object, severity: object,
                  settings: RiskBandSettings | None = None) -> RiskAssessment:
    """Grade by the 5×5 matrix ``R = L × S``; each factor must be an integer 1..5."""
    settings = settings or DEFAULT_SETTINGS
    lv = _matrix_value(likelihood, "L（可能性）")
    sv = _matrix_value(severity, "S（严重性）")
    score = Decimal(lv * sv)
    band = classify(score, settings.matrix_bands())
    factors = (("L", Decimal(lv), "可能性"), ("S", Decimal(sv), "严重性"))
    return _build(METHOD_MATRIX, score, band, "R", f"R = L×S = {lv}×{sv}", factors)


def highest_risk(assessments: Iterable[RiskAssessment]) -> RiskAssessment | None:
    """The most severe assessment (lowest level number); the 四色图 colours an enterprise,
    a division or a risk area by it. Ties keep the first given. ``None`` when empty."""
    best = most_severe((a.level, a) for a in assessments)
    return None if best is None else best[1]


def choices(table: dict[Decimal, str]) -> list[tuple[str, str]]:
    """``(value, "value — meaning")`` pairs for a select box, in table order."""
    return [(_fmt(v), f"{_fmt(v)} — {meaning}") for v, meaning in table.items()]
