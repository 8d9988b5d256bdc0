"""The pressing walk (issue 14, "a 403/404/500 reached by a visible … button"): every kind of
button a user was offered in the walk (``Walk.actions``: page pattern, form action pattern and
button text) is pressed once, as that user, on a page that offers it.

A press fails on a refusal or error (any 4xx/5xx answer other than a form's own validation
message, 400 or 422, for the values the walk typed — and a 400 whose message is a state or scope
refusal, ``REFUSAL``, still fails), on an English word or internal code in the
page or message that follows, and on a console error. The console is meant never to offer an
action the server would refuse ("状态不允许" for a button shown in a state that does not allow
it is a defect of the page, not of the walk).

Each kind is pressed once for the whole walk, by the least privileged user offered it (they are
the ones a button shown in error would refuse): the users press in turn, from the viewer to the
administrator, each the kinds no one before them pressed. Page URLs' query strings do not make a
new kind.

Required fields are filled with plausible values (a name, a note, today's date, the first
choice of a list) and a form is submitted as the page shows it otherwise; a free-text creation
form therefore often ends in its own Chinese validation message, which passes. Not pressed:

- ``退出`` and ``登录`` (``walk.NOT_PRESSED``) — they would end or replace the walk's session;
- forms that need a file (imports, photo and evidence uploads): a file is real user input, and
  each app's tests upload real ones.

Buttons that remove or end something (删除, 吊销, 撤销, …) are pressed after the others, so the
records the other buttons act on still exist; a kind whose button is no longer offered when its
turn comes (an earlier press changed the record's state) is counted, not failed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from tests.browser.walk import ACTIONS_JS, NOT_READ, PAGE_FACTS, Finding, Walk, Walker, action_kind

DESTRUCTIVE = re.compile("删除|吊销|撤销|撤回|作废|停用|禁用|注销|解除|终止|结束|移除|关闭|废止")
VALIDATION = (400, 422)
# What a form's error says when it is not about the values typed but about the action itself (a
# state or scope refusal): the page should not have offered the button (or the choice).
REFUSAL = re.compile("不能执行|不在您的管辖范围|无权|不能授予|状态不允许|当前状态")
# The error a form shows (``<p class="error">``, field errors, an error message) after a press.
ERROR_JS = """() => [...document.querySelectorAll('.error, .errorlist, .msg-error, [role=alert]')]
  .map((el) => el.innerText.trim()).filter(Boolean).join('；')"""

# Marks the button of one kind (by its index among ACTIONS_JS's answer) and makes it pressable:
# opens the <details> around it and fills the form's required fields. Answers what stops it.
PREPARE_JS = """(index) => {
  const shown = (el) => (el.getClientRects().length > 0 || !!el.closest('details:not([open])')) && !el.closest('[hidden]');
  const buttons = [];
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post') continue;
    for (const b of form.querySelectorAll('button:not([type]), button[type=submit], input[type=submit]'))
      if (shown(b) && !b.disabled) buttons.push(b);
  }
  for (const b of document.querySelectorAll('button[data-ack]')) if (shown(b) && !b.disabled) buttons.push(b);
  const button = buttons[index];
  if (!button) return 'gone';
  for (let d = button.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
  button.setAttribute('data-walk-press', '1');
  const form = button.form;
  if (!form) return '';
  const pad = (n) => String(n).padStart(2, '0');
  const now = new Date();
  const day = now.getFullYear() + '-' + pad(now.getMonth() + 1) + '-' + pad(now.getDate());
  for (const f of form.elements) {
    if (f.disabled || !f.name) continue;
    if (f.type === 'file') { if (f.required) return 'file'; continue; }
    if (!f.required) continue;
    if (f.type === 'checkbox') { f.checked = true; continue; }
    if (f.type === 'radio') { if (!form.querySelector('[name="' + f.name + '"]:checked')) f.checked = true; continue; }
    if (f.value) continue;
    if (f.tagName === 'SELECT') { const o = [...f.options].find((o) => o.value); if (o) f.value = o.value; continue; }
    const values = {number: f.min || '1', range: f.min || '1', date: day, 'datetime-local': day + 'T' + pad(now.getHours()) + ':00',
                    time: '09:00', email: 'yingji@example.cn', tel: '13800000000', url: 'https://example.cn/'};
    f.value = values[f.type] || (f.tagName === 'TEXTAREA' ? '演练巡查：按要求办理。' : '巡查测试');
  }
  return '';
}"""


@dataclass
class Pressed:
    pressed: list[str] = field(default_factory=list)  # one line per kind pressed
    not_offered: list[str] = field(default_factory=list)  # no page offered it any more
    validated: list[str] = field(default_factory=list)  # answered with the form's validation message
    skipped: dict[str, str] = field(default_factory=dict)  # kind -> why
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


def press_order(actions: dict) -> list:
    """Kinds in a stable order, those that remove or end something last."""
    return sorted(actions, key=lambda kind: (bool(DESTRUCTIVE.search(kind[2])), kind))


class Presser(Walker):
    """One user's presses, in the same browser context as a walk (console errors and dialogs
    are watched the same way)."""

    def __init__(self, context, base_url: str, codes: dict[str, str]):
        super().__init__(context, base_url, codes, set())
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self.answers: list[tuple[str, str, int]] = []
        self.page.on("response", self._answer)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def _answer(self, response) -> None:
        request = response.request
        if request.method != "GET" or request.resource_type == "document":
            self.answers.append((request.method, response.url, response.status))

    def press_all(self, actions: dict, done: set) -> Pressed:
        """Press each kind of ``actions`` not in ``done`` (the kinds an earlier user pressed or
        could not press); adds those it settles to ``done``."""
        started = time.monotonic()
        result = Pressed()
        for kind in press_order(actions):
            if kind in done:
                continue
            label = f"{kind[0]} “{kind[2]}” → {kind[1]}"
            outcome = ""
            for page_url, _, _ in actions[kind]:
                outcome = self._press(kind, page_url, result)
                if outcome != "gone":
                    break
            if outcome == "gone":  # another user may still be offered it
                result.not_offered.append(label)
                continue
            done.add(kind)
            if outcome == "file":
                result.skipped[label] = "需要上传文件"
            else:
                result.pressed.append(label)
        self.page.goto("about:blank")
        result.findings.extend(self.console)
        self.console.clear()
        result.seconds = time.monotonic() - started
        return result

    def _press(self, kind, page_url: str, result: Pressed) -> str:
        self.current = (page_url, "")
        response = self.page.goto(page_url, wait_until="domcontentloaded")
        if response is None or response.status >= 400:
            return "gone"  # the record went with an earlier press
        offered = self.page.evaluate(ACTIONS_JS)
        index = next((i for i, (action, text) in enumerate(offered) if action_kind(page_url, action, text) == kind), None)
        if index is None:
            return "gone"
        why = self.page.evaluate(PREPARE_JS, index)
        if why:
            return why
        button = self.page.locator("[data-walk-press]")
        self.answers.clear()
        self.dialogs.clear()
        where = f"按下“{kind[2]}”"
        self.current = (page_url, where)
        try:
            if kind[1].startswith("script:"):
                button.click()
                deadline = time.monotonic() + 15
                while not any(method != "GET" for method, _, _ in self.answers) and time.monotonic() < deadline:
                    self.page.wait_for_timeout(50)
                self.page.wait_for_load_state("load")
            else:
                with self.page.expect_navigation(wait_until="load", timeout=20000):
                    button.click()
        except Exception as exc:  # noqa: BLE001 - any failure to answer is the finding
            if "Download is starting" not in str(exc):
                result.findings.append(Finding("press", page_url, f"{where}后没有回应：{str(exc).splitlines()[0][:120]}"))
            return ""
        validation = False
        for method, url, status in self.answers:
            if method != "GET" and status in VALIDATION:
                validation = True
            elif status >= 400:
                message = next((ln.strip() for ln in self._text().splitlines() if re.search(r"[\u3400-\u9fff]", ln)
                                and len(ln.strip()) > 4), "")
                result.findings.append(Finding("press", page_url, f"{where}：{method} {urlparse(url).path} → HTTP {status} {message[:80]}"))
        if validation:  # the browser logs the form's own validation answer as a failed load
            message = self.page.evaluate(ERROR_JS)
            if REFUSAL.search(message):  # a refusal answered as a form error is still a refusal
                result.findings.append(Finding("press", page_url, f"{where}：被拒绝（{message[:80]}）"))
            result.validated.append(f"{kind[0]} “{kind[2]}”：{message[:60]}")
            self.console = [f for f in self.console if not re.search(r"status of (400|422) ", f.detail)]
        if not urlparse(self.page.url).path.startswith(NOT_READ):
            walk = Walk()
            self._check_text(self.page.url, where, self._text() + "\n" + "\n".join(self.dialogs), walk)
            result.findings.extend(Finding(f.kind, page_url, f.detail, f"{where}后 {urlparse(self.page.url).path}")
                                   for f in walk.findings)
        return ""

    def _text(self) -> str:
        try:
            return self.page.evaluate(PAGE_FACTS)["text"]
        except Exception:  # noqa: BLE001 - not a page (a file)
            return ""
