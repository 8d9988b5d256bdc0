"""The walk of the console (issue 14): what counts as raw text, and a bounded crawl.

``known_codes()`` is built from the code itself, so a new app's values are included without
editing this file: every choices value of every model field, every state and action of every
state machine, the keys of the label tables ("one place" dicts and (code, label) lists whose
labels are Chinese), every registry key, every capability, model label and demo username.
``raw_words(text, codes)`` names what a person should not read: a known code, or any latin
word outside the short allow-list of usage a Chinese bureau writes itself (units, standard
designations, CAP, …).

``Walker`` logs in as one user and follows same-origin GET links and GET forms from the home
page, visiting at most ``per_pattern`` URLs of each URL pattern (numbers in the path and
query values folded), and records every refusal, console error and raw word with the page it
was found on.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections import deque
from html.parser import HTMLParser
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlunparse

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_CODE = re.compile(r"[A-Za-z]")

# Latin a bureau writes in Chinese documents itself: units (SI and those of the plans and GB
# standards), standard and format designations, and the coordinate systems a user names in an
# import file. Single letters (variables such as D, R, S; grades; units) always pass. Kept short.
ALLOWED_WORDS = frozenset({
    # units
    "km", "mm", "cm", "kg", "min", "ha", "kPa", "MPa", "Pa", "gal", "ppm", "LEL", "mg", "kW", "MW", "kV",
    "Hz", "dB", "pH", "mAh", "Bq", "ml", "mL",
    # standards, formats, bands and terms of Chinese official and technical writing
    "GB", "AQ", "CAP", "EDXL", "DE", "API", "SMS", "SMTP", "Excel", "CSV", "GeoJSON", "PDF", "Word", "XML", "ID",
    "CAS", "SIS", "LEC", "LS", "MQTT", "HTTP", "HTTPS", "QoS", "GPS", "GIS", "IP", "LED", "Ka", "Ku", "No",
    "OASIS", "XSD", "JSON", "JPEG", "PNG", "WebP", "MB", "KB", "App", "APP", "YJ", "GBZ", "xlsx", "docx", "csv", "geojson", "pdf", "xml", "txt",
    # coordinate systems, as a user writes them in the 坐标系 column of an import file
    "WGS84", "CGCS2000", "GCJ02", "BD09",
})

# A word: a run of letters, digits and _ holding at least one letter, joined by . / - (accident.hazchem,
# W5.1, 4G/5G, FP001-WL).
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*(?:[./\-][A-Za-z0-9_]+)*")
NUMBER_UNIT = re.compile(r"[0-9][0-9.,]*([A-Za-z]+)")
# The answer of a multiple-choice question: option letters in order (ABD, ACD).
OPTION_LETTERS = re.compile(r"A?B?C?D?E?F?")
IDENTIFIER = re.compile(r"(?=.*\d)(?!.*[a-z]{2})[A-Za-z0-9_]+(?:[./\-][A-Za-z0-9_]+)*")


def _latin(value) -> bool:
    return isinstance(value, str) and len(value) >= 2 and bool(LATIN_CODE.search(value)) and not CJK.search(value)


def _chinese(value) -> bool:
    return isinstance(value, str) and bool(CJK.search(value))


# Where label tables live: the pure rules and CAP packages, and every app's models, forms,
# registries, selectors and *labels / *names modules (a new app's are found by these names;
# importing every module would cost seconds for nothing).
LABEL_MODULES = re.compile(
    r"^yingji\.(?:(?:rules|cap)\..+|[a-z_]+\.(?:models|forms|registries|selectors|[a-z_]*labels|[a-z_]*names)(?:\..+)?)$")


def _app_modules():
    import yingji

    for info in pkgutil.walk_packages(yingji.__path__, "yingji."):
        if not LABEL_MODULES.match(info.name) and not (info.ispkg and info.name.count(".") == 1):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency of a module no page uses
            continue
        if LABEL_MODULES.match(info.name):
            yield module


def known_codes() -> dict[str, str]:
    """code -> where it comes from (for the failure message)."""
    from django.apps import apps

    from yingji.rules.statemachine import StateMachine

    codes: dict[str, str] = {}

    def add(value, origin):
        if _latin(value) and value not in ALLOWED_WORDS:
            codes.setdefault(value, origin)

    for model in apps.get_models():
        add(model._meta.label, "model label")
        add(model._meta.label_lower, "model label")
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or []:
                add(value, f"choices of {model._meta.label}.{f.name}")

    def scan(value, origin, depth=0):
        if depth > 2:
            return
        if isinstance(value, StateMachine):
            for state in value.states:
                add(state, f"state of {value.name}")
            for action in value.transitions:
                add(action, f"action of {value.name}")
        elif isinstance(value, dict):
            items = list(value.items())
            if items and any(_chinese(v) or _chinese(getattr(v, "label", None)) or _chinese(getattr(v, "name", None))
                             for _, v in items):
                for k, _ in items:
                    add(k, origin)
            for _, v in items[:500]:
                scan(v, origin, depth + 1)
        elif isinstance(value, (list, tuple, frozenset, set)) and not isinstance(value, str):
            for item in list(value)[:500]:
                if isinstance(item, (list, tuple)) and len(item) >= 2 and _latin(item[0]) and \
                        any(_chinese(x) for x in item[1:]):
                    add(item[0], origin)
                else:
                    scan(item, origin, depth + 1)
        elif hasattr(value, "__dataclass_fields__"):
            code = getattr(value, "code", None) or getattr(value, "key", None)
            if _chinese(getattr(value, "name", None)) or _chinese(getattr(value, "label", None)):
                add(code, origin)

    for module in _app_modules():
        for name, value in vars(module).items():
            if name.startswith("__") or isinstance(value, type) or callable(value) and not isinstance(value, dict):
                continue
            if getattr(value, "__module__", module.__name__) not in (module.__name__, None) and \
                    not isinstance(value, (dict, list, tuple)):
                continue
            scan(value, f"{module.__name__}.{name}")

    from yingji.core.registry import REGISTRIES
    from yingji.demo.foundation import DEMO_USERS
    from yingji.rules import capabilities

    for key in REGISTRIES:
        add(key, "registry key")
    for row in DEMO_USERS:
        add(row[0], "demo username")
    for name in getattr(capabilities, "CAPABILITIES", {}):
        add(name, "capability")
    return codes


def raw_words(text: str, codes: dict[str, str]) -> list[str]:
    """Every word of ``text`` a person should not read: a known code, or a latin word outside
    the allow-list. Identifiers holding a digit and no lowercase word (FP001-WL, ZB-0046, W5.1,
    M350, 4G/5G, USCC codes) are record numbers and designations, not words; nor is a number
    with an allowed unit (500kW)."""
    found = []
    for match in WORD.finditer(text):
        word = match.group(0)
        if word in codes:
            found.append(f"{word}（{codes[word]}）")
            continue
        if len(word) == 1 or word in ALLOWED_WORDS or IDENTIFIER.fullmatch(word) or OPTION_LETTERS.fullmatch(word):
            continue
        unit = NUMBER_UNIT.fullmatch(word)
        if unit and (unit.group(1) in ALLOWED_WORDS or len(unit.group(1)) == 1):
            continue
        parts = [p for p in re.split(r"[./\-]", word) if p]
        if all(len(p) == 1 or p in ALLOWED_WORDS or p.isdigit() for p in parts):
            continue
        found.append(word)
    return found


# Numbers, times and money as a bureau writes them: no machine decimals (157.500000), no ISO
# timestamps or UTC offsets, no 12-hour clock, large sums in 万元.
FORMAT_RULES = [
    (re.compile(r"(?<![\d.])\d+\.\d{7,}(?!\d)"), "小数位过多"),
    (re.compile(r"(?<![\d.])\d+\.\d*[1-9]?0{3,}(?![\d.])"), "小数末尾多余的 0"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "ISO 时间格式"),
    (re.compile(r"\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})(?![\d:])"), "带时区偏移的时间"),
    (re.compile(r"[上下]午\s*\d{1,2}[:：]\d{2}"), "12 小时制时间"),
    (re.compile(r"(?<![\d.,])\d{6,}(?:\.\d+)?\s*元"), "大额金额应以万元表示"),
]


def format_problems(text: str) -> list[str]:
    return [f"{why}：{m.group(0)}" for rule, why in FORMAT_RULES for m in rule.finditer(text)]


# The buttons a page offers that change something: the submit buttons of its POST forms and the
# script-driven action buttons (``data-ack``), as [form action URL, button text]. Read before
# PAGE_FACTS blanks code and literal values, and shared with the pressing walk (press.py).
ACTIONS_JS = """() => {
  const shown = (el) => (el.getClientRects().length > 0 || !!el.closest('details:not([open])')) && !el.closest('[hidden]');
  const found = [];
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post') continue;
    const action = new URL(form.getAttribute('action') || location.href, location.href).href;
    for (const b of form.querySelectorAll('button:not([type]), button[type=submit], input[type=submit]'))
      if (shown(b) && !b.disabled) found.push([action, (b.tagName === 'INPUT' ? b.value : b.innerText || b.textContent).trim()]);
  }
  for (const b of document.querySelectorAll('button[data-ack]'))
    if (shown(b) && !b.disabled) found.push(['script:' + location.pathname + '#ack', (b.innerText || b.textContent).trim()]);
  return found;
}
"""


PAGE_FACTS = """() => {
  const shown = (el) => el.getClientRects().length > 0 || !!el.closest('details:not([open])');
  const links = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (!shown(a) || a.closest('[hidden]')) continue;
    links.push(a.href);
  }
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get' || !shown(form)) continue;
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string') params.append(k, v);
    const url = new URL(form.getAttribute('action') || location.href, location.href);
    url.search = params.toString();
    links.push(url.href);
  }
  const extra = [];
  for (const el of document.querySelectorAll('[placeholder]')) if (shown(el)) extra.push(el.placeholder);
  for (const el of document.querySelectorAll('select')) if (shown(el)) for (const o of el.options) extra.push(o.text);
  for (const el of document.querySelectorAll('input[type=submit][value], input[type=button][value]')) if (shown(el)) extra.push(el.value);
  const actions = (""" + ACTIONS_JS + """)();
  // Literal values a person reads or types as they are (login names, request headers, the
  // identifiers of a received CAP message) are marked translate="no" or set in <code>/<kbd>, and
  // a received message's block in another language carries its lang: not words of the interface.
  for (const el of document.querySelectorAll('[translate=no], code, kbd, [lang]:not([lang^=zh])')) el.textContent = '';
  const scripts = [...document.querySelectorAll('script[src]')].map((el) => new URL(el.src, location.href).pathname);
  return {text: document.title + '\\n' + document.body.innerText + '\\n' + extra.join('\\n'), links, scripts,
          actions};
}"""

SKIP_PATHS = ("/logout", "/live/", "/static/", "/healthz")
# Buttons the pressing walk leaves alone: 退出 would end its session, 登录 start another.
NOT_PRESSED = ("/logout", "/login/")
# The API's reference pages are the interface's technical contract (operation and schema names):
# followed for refusals and script errors, not read for words.
NOT_READ = ("/api/",)
# The generic registry pages (/r/<key>/...) share one template and one capability check: their
# sort, page and export variants, edit forms and import templates are one kind of page for the
# whole site, not one per registry. ``fold_registries`` folds the rest too (for the walks after
# the first, which has seen every registry's own pages).
REGISTRY_PAGE = re.compile(r"^/r/[^/]+/")
SITE_WIDE = [
    (re.compile(r"^/r/[^/]+/export/$"), "/r/{key}/export/"),
    (re.compile(r"^/r/[^/]+/\{n\}/edit/$"), "/r/{key}/{n}/edit/"),
    (re.compile(r"^/resources/import/[^/]+/template\.xlsx$"), "/resources/import/{key}/template.xlsx"),
]


def pattern_of(url: str, fold_registries: bool = False) -> str:
    """The URL with numbers in the path folded and query values dropped: one kind of page."""
    parts = urlparse(url)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", parts.path)
    keys = sorted({k for k, v in parse_qsl(parts.query, keep_blank_values=True) if v != ""})
    for rule, kind in SITE_WIDE:
        if rule.match(path):
            return kind
    if REGISTRY_PAGE.match(path) and (fold_registries or keys and not {"q", "division"} & set(keys)):
        path = REGISTRY_PAGE.sub("/r/{key}/", path)
    elif fold_registries and path.startswith("/resources/import/"):
        path = "/resources/import/{key}/"
    return path + ("?" + "&".join(keys) if keys else "")


class _Served(HTMLParser):
    """Links, GET-form targets and the readable text of a page fetched without rendering it
    (what innerText would give, less what CSS alone hides)."""

    SKIP = {"script", "style", "template", "code", "kbd", "textarea", "svg"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self.scripts: set[str] = set()  # the page's script files
        self.form: list | None = None
        self.select: list | None = None  # [name, value of the option a browser would submit]
        self.stack: list[bool] = []  # per open element: is its content unread?
        self.actions: list[tuple[str, str]] = []  # (form action, button text) of the POST forms' buttons
        self.post_form: str | None = None
        self.button: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.scripts.add(urlparse(a["src"]).path)
        hidden = "hidden" in a or a.get("translate") == "no" or tag in self.SKIP or a.get("type") == "hidden" or \
            tag == "head" or tag != "html" and "lang" in a and not a["lang"].startswith("zh")
        if tag not in self.VOID:
            self.stack.append(hidden or bool(self.stack and self.stack[-1]))
        if hidden or self.stack and self.stack[-1]:
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "get":
            self.form = [a.get("action") or "", []]
        elif tag == "form" and (a.get("method") or "").lower() == "post":
            self.post_form = a.get("action") or ""
        elif self.post_form is not None and "disabled" not in a and (
                tag == "button" and a.get("type", "submit") == "submit" or tag == "input" and a.get("type") == "submit"):
            if tag == "input":
                self.actions.append((self.post_form, (a.get("value") or "").strip()))
            else:
                self.button = []
        elif tag == "input" and self.form is not None and a.get("name"):
            if a.get("type") not in ("checkbox", "radio", "submit", "button") or "checked" in a:
                self.form[1].append((a["name"], a.get("value") or ""))
        elif tag == "select" and self.form is not None and a.get("name"):
            self.select = [a["name"], None]
        elif tag == "option" and self.select is not None and (self.select[1] is None or "selected" in a):
            self.select[1] = a.get("value")  # None: the option's text, read in handle_data
        if a.get("placeholder"):
            self.text.append(a["placeholder"])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.text.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.form is not None:
            self.form[1].append((self.select[0], self.select[1] or ""))
            self.select = None
        if tag == "button" and self.button is not None and self.post_form is not None:
            self.actions.append((self.post_form, "".join(self.button).strip()))
            self.button = None
        if tag == "form":
            self.post_form = None
        if tag == "form" and self.form is not None:
            action, fields = self.form
            self.links.append(action + "?" + urlencode(fields))
            self.form = None
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.select is not None and self.select[1] is None and data.strip():
            self.select[1] = data.strip()
        if not (self.stack and self.stack[-1]) and data.strip():
            self.text.append(data.strip())
            if self.button is not None:
                self.button.append(data.strip())


@dataclass
class Finding:
    kind: str  # raw / status / console / overflow
    url: str
    detail: str
    via: str = ""

    def __str__(self):
        via = f"（来自 {self.via}）" if self.via else ""
        return f"[{self.kind}] {self.url} {self.detail}{via}"


@dataclass
class Walk:
    rendered: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per URL, to keep the walk quick
    # The buttons the user was offered, by kind of action (``action_kind``): up to three
    # (page URL, form action URL, button text) each, for the pressing walk (press.py).
    actions: dict[tuple[str, str, str], list[tuple[str, str, str]]] = field(default_factory=dict)

    def offer(self, page_url: str, action: str, text: str) -> None:
        if urlparse(action).path.startswith(NOT_PRESSED):
            return
        seen = self.actions.setdefault(action_kind(page_url, action, text), [])
        if len(seen) < 3 and (page_url, action, text) not in seen:
            seen.append((page_url, action, text))


def action_kind(page_url: str, action: str, text: str) -> tuple[str, str, str]:
    """One kind of action: the page's and the form's URL patterns (registries folded) and the
    button's text."""
    target = action if action.startswith("script:") else pattern_of(action, fold_registries=True)
    return pattern_of(page_url, fold_registries=True).split("?")[0], target.split("?")[0], re.sub(r"\s+", "", text)


class Walker:
    """One user's walk. Pages of a kind no walk has rendered yet, and the user's home page, are
    rendered in Chromium and checked for raw words, formats and console errors (and, with
    ``phone``, sideways overflow at a phone's width); a page of the generic registry template
    beyond the first two is read from the served HTML; the rest are fetched with the user's
    session and only checked for a refusal, so each role still follows every link it is shown."""

    def __init__(self, context, base_url: str, codes: dict[str, str], rendered_kinds: set[str],
                 per_pattern: int = 2, max_pages: int = 600, fold_registries: bool = False,
                 phone: dict | None = None):
        self.context = context
        self.base = base_url.rstrip("/")
        self.codes = codes
        self.per_pattern = per_pattern
        self.max_pages = max_pages
        self.fold_registries = fold_registries
        self.phone = phone  # a phone's viewport: every rendered page is also laid out at its width
        self.rendered_kinds = rendered_kinds  # shared between the walks of one test
        self.own_kinds: set[str] = set()  # kinds this user's walk rendered
        self.layout_scripts: set[str] | None = None  # the scripts every page of the console loads
        self.page = context.new_page()
        self.current: tuple[str, str] = ("", "")
        self.console: list[Finding] = []  # a late error is filed under the page it came from
        self.page.on("console", lambda m: m.type == "error" and self._console(m.text))
        self.page.on("pageerror", lambda e: self._console(f"页面脚本错误：{e}"))

    def _console(self, message: str) -> None:
        self.console.append(Finding("console", self.current[0], message[:200], self.current[1]))

    def login(self, username: str, password: str) -> None:
        self.page.goto(self.base + "/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def _normalise(self, href: str, page_url: str) -> str | None:
        url = urlparse(urljoin(page_url, href))
        if f"{url.scheme}://{url.netloc}" != self.base or any(url.path.startswith(p) for p in SKIP_PATHS):
            return None
        query = urlencode(sorted(parse_qsl(url.query, keep_blank_values=True)))
        return urlunparse(url._replace(fragment="", query=query))

    def walk(self, start: str = "/") -> Walk:
        result = Walk()
        seen: set[str] = set()
        per: dict[str, int] = {}
        queue = deque([(self._normalise(start, self.base + "/"), "", 0)])
        folded: dict[str, int] = {}  # renders per site-wide kind
        while queue and len(result.rendered) + len(result.fetched) < self.max_pages:
            url, via, depth = queue.popleft()
            if url is None or url in seen:
                continue
            seen.add(url)
            kind = pattern_of(url, self.fold_registries)
            if per.get(kind, 0) >= self.per_pattern:
                continue
            per[kind] = per.get(kind, 0) + 1
            own = pattern_of(url)
            generic = pattern_of(url, fold_registries=True)
            started = time.monotonic()
            if depth == 0 or kind not in self.rendered_kinds and own not in self.rendered_kinds:
                self.rendered_kinds.add(own)
                if generic != own and self.rendered_kinds.intersection({generic + "#1", generic + "#2"}) == {
                        generic + "#1", generic + "#2"}:
                    # A page of one generic template rendered twice already: its served text is read.
                    links = self._fetch(url, via, result, read_text=True).links
                else:
                    self.rendered_kinds.add(generic + ("#2" if generic + "#1" in self.rendered_kinds else "#1"))
                    links = self._render(url, via, result)
            else:
                # Every page this user is shown is read as served (their own records, buttons and
                # states); a page with scripts of its own is also run once per kind for this user,
                # since what a script does can depend on who is looking. The API reference (under
                # NOT_READ) is the same document for everyone: run by the first walk only, since
                # Swagger UI laying out 686 operations holds the tab for a second or more.
                served = self._fetch(url, via, result, read_text=True)
                if (served.scripts - (self.layout_scripts or set()) and own not in self.own_kinds
                        and not urlparse(url).path.startswith(NOT_READ)):
                    self.own_kinds.add(own)
                    links = self._render(url, via, result)
                else:
                    links = served.links
            result.seconds[url] = time.monotonic() - started
            queue.extend((link, url, depth + 1) for link in links)
        self.page.goto("about:blank")
        result.findings.extend(self.console)
        self.console.clear()
        return result

    def _render(self, url: str, via: str, result: Walk) -> list[str]:
        self.own_kinds.add(pattern_of(url))
        self.current = (url, via)
        result.rendered.append(url)
        try:
            response = self.page.goto(url, wait_until="load")
        except Exception as exc:  # a download started: a file the server sent, not a page
            if "Download is starting" in str(exc):
                return []
            if "ERR_ABORTED" in str(exc):  # the page's own script moved on at once (a form that resumes a draft)
                self.page.goto("about:blank")
                return []
            raise
        status = response.status if response else 0
        if status >= 400:
            result.findings.append(Finding("status", url, f"HTTP {status}", via))
            return []
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            return []
        facts = self.page.evaluate(PAGE_FACTS)
        for action, text in facts["actions"]:
            result.offer(url, action, text)
        if self.layout_scripts is None:  # the first page rendered is the user's home page
            self.layout_scripts = set(facts["scripts"])
        if not urlparse(url).path.startswith(NOT_READ):
            self._check_text(url, via, facts["text"], result)
        if self.phone:
            desktop = self.page.viewport_size
            self.page.set_viewport_size(self.phone)
            overflow = self._settled_overflow()
            if overflow > 1:
                result.findings.append(Finding("overflow", url, f"手机宽度 {self.phone['width']} 像素下横向溢出 {overflow} 像素", via))
            self.page.set_viewport_size(desktop)
        return [self._normalise(href, self.page.url) for href in facts["links"]]

    def _settled_overflow(self, timeout: float = 2.0) -> int:
        """Sideways overflow once the page has laid itself out at the new width (a script-drawn
        panel may take a moment): polled, the last value counts."""
        deadline = time.monotonic() + timeout
        while True:
            overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow <= 1 or time.monotonic() > deadline:
                return overflow
            self.page.wait_for_timeout(100)

    def _check_text(self, url: str, via: str, text: str, result: Walk) -> None:
        for problem in sorted(set(format_problems(text))):
            result.findings.append(Finding("format", url, problem, via))
        for word in sorted(set(raw_words(text, self.codes))):
            bare = word.split("（")[0]
            line = next((ln for ln in text.splitlines() if bare in ln), "")
            result.findings.append(Finding("raw", url, f"{word} ← “{line.strip()[:80]}”", via))

    def _fetch(self, url: str, via: str, result: Walk, read_text: bool = False) -> "_Served":
        result.fetched.append(url)
        parser = _Served()
        response = self.context.request.get(url)
        if response.status >= 400:
            result.findings.append(Finding("status", url, f"HTTP {response.status}", via))
            return parser
        if "text/html" not in response.headers.get("content-type", ""):
            return parser
        parser.feed(response.text())
        if read_text and not urlparse(url).path.startswith(NOT_READ):
            self._check_text(url, via, "\n".join(parser.text), result)
        parser.links = [self._normalise(href, response.url) for href in parser.links]
        for action, text in parser.actions:
            result.offer(url, urljoin(response.url, action or response.url), text)
        return parser
