"""Walk the demo as every kind of user (issue 14, "Done when"): from the home page, every page
the navigation and the pages' own links, buttons and GET forms lead to (a bounded crawl, see
``tests/browser/walk.py``). It fails on any English word or internal code a person would
read, on any number, time or sum not written the way a bureau writes it, on any link or button
that answers 403/404/500, on any script or console error, and on any page the administrator's
walk renders that scrolls sideways on a phone (390 px wide)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.press import Presser
from tests.browser.walk import Walker, format_problems, known_codes, pattern_of, raw_words
from tests.platform import demo_platform

pytestmark = pytest.mark.browser

# The demo's users (yingji/demo/foundation.py), one per kind of user the issue names. The
# administrator walks first and sees every registry; the others follow every link they are shown.
ROLES = [
    ("admin", "系统管理员"),
    ("duty", "值班员"),
    ("commander", "指挥员"),
    ("zhangwu", "县区用户"),
    ("qiye", "企业用户"),
    ("viewer", "只读用户"),
]


@pytest.fixture(scope="module")
def codes():
    return known_codes()


@pytest.fixture(scope="module")
def walk_platform(tmp_path_factory):
    """The walk's own copy of the demo: the pressing walk changes it, and no other browser test
    sees those changes (nor does the walk see theirs)."""
    with demo_platform(tmp_path_factory.mktemp("walk"), "walk") as running:
        yield running


def new_context(browser):
    return browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900},
                               accept_downloads=False)


@pytest.fixture(scope="module")
def walks(browser, walk_platform, codes):
    """Every role's walk of the demo as loaded (read only), in ROLES order."""
    rendered: set[str] = set()  # kinds of page already rendered and read, shared by the walks
    done = {}
    for i, (username, role) in enumerate(ROLES):
        context = new_context(browser)
        try:
            walker = Walker(context, walk_platform.base_url, codes, rendered, per_pattern=2 if i == 0 else 1,
                            fold_registries=i > 0, phone={"width": 390, "height": 844} if i == 0 else None)
            walker.login(username, DEMO_PASSWORD)
            done[username] = walker.walk("/")
        finally:
            context.close()
    return done


def test_known_codes_come_from_the_code(codes):
    """The list is built from choices, state machines, label tables, registries, capabilities
    and the demo users, so a new app's values join it by themselves."""
    expected = {
        "draft": "choices of warnings.Warning.state",
        "inapp": "warnings",
        "monitoring.Alarm": "model label",
        "accident.hazchem": "incidents",
        "require_specification": "hazards.HazardRuleSetting",
        "warnings.sign": "capability",
        "duty_officer": "accounts.User.role",
        "zhangwu": "demo username",
        "hazard-sources": "registry",
        "acknowledged": "monitoring.Alarm.state",
    }
    for code, origin in expected.items():
        assert code in codes, code
        assert origin.split(".")[0] in codes[code] or origin in codes[code], (code, codes[code])
    assert "CAP" not in codes and "WGS84" not in codes  # the allow-list wins


def test_raw_words_and_formats():
    codes = {"draft": "state", "inapp": "channel", "accident.hazchem": "event type"}
    assert raw_words("预案适用事件类型包含 accident.hazchem", codes) == ["accident.hazchem（event type）"]
    assert raw_words("draft → reviewing；渠道 inapp", codes) == ["draft（state）", "reviewing", "inapp（channel）"]
    assert raw_words("应急管理综合应用平台Yingji", codes) == ["Yingji"]
    for fine in ("传感器 FP001-WL 水位 5.6 m", "装备 ZB-0046，500 kW，4G/5G", "导出 Excel、CSV、GeoJSON", "CAP 1.2",
                 "统一社会信用代码 91210902MA0000047D", "表2类别 W5.1", "β = 1.5，R = 157.5", "坐标系 CGCS2000", "答案 ABD"):
        assert raw_words(fine, codes) == [], fine
    assert format_problems("R = 157.500000") == ["小数末尾多余的 0：157.500000"]
    assert format_problems("2026-12-03T09:00:00+08:00")[0].startswith("ISO 时间格式")
    assert format_problems("直接经济损失 1250000 元") == ["大额金额应以万元表示：1250000 元"]
    assert format_problems("R = 157.5；2026-12-03 09:00；直接经济损失 125 万元；救助 3000.00 元") == []
    assert pattern_of("http://x/r/teams/12/") == pattern_of("http://x/r/teams/7/") == "/r/teams/{n}/"
    assert pattern_of("http://x/r/teams/?ordering=name") == "/r/{key}/?ordering"


def test_every_page_as_every_role(walks):
    findings, counts = [], {}
    for username, role in ROLES:
        walk = walks[username]
        counts[role] = (len(walk.rendered), len(walk.fetched))
        findings += [f"{role}（{username}）{f}" for f in walk.findings]
    # The crawl really went everywhere: every registry's list, detail, form and import page for the
    # administrator, and the navigation of every role.
    assert sum(counts["系统管理员"]) > 250, counts
    assert all(sum(n) > 40 for n in counts.values()), counts
    assert not findings, f"{len(findings)} 处问题（已访问 {counts}）：\n" + "\n".join(findings[:80])


def test_every_button_as_every_role(browser, walk_platform, walks, codes):
    """Every kind of button the roles were offered in their walks, pressed once, by the least
    privileged role offered it: the viewer first, the administrator last (tests/browser/press.py)."""
    findings, counts, done = [], {}, set()
    for username, role in reversed(ROLES):
        context = new_context(browser)
        try:
            presser = Presser(context, walk_platform.base_url, codes)
            presser.login(username, DEMO_PASSWORD)
            pressed = presser.press_all(walks[username].actions, done)
        finally:
            context.close()
        counts[role] = (len(pressed.pressed), len(pressed.not_offered), len(pressed.skipped), round(pressed.seconds))
        findings += [f"{role}（{username}）{f}" for f in pressed.findings]
        print(role, "pressed", *pressed.pressed, "answered with a validation message", *pressed.validated,
              "no longer offered", *pressed.not_offered, "skipped",
              *(f"{k}: {v}" for k, v in pressed.skipped.items()), sep="\n  ")
    print("pressed / no longer offered / skipped / seconds per role:", counts)
    # The walk pressed buttons of every part of the console, not a handful.
    assert sum(n[0] for n in counts.values()) > 60, counts
    assert not findings, f"{len(findings)} 处问题（{counts}）：\n" + "\n".join(findings[:80])
