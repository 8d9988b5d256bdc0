"""No list page of the demo is empty: an administrator and a county user follow every link of the
side navigation, and every page that lists records in a table shows at least one."""

import time

import lxml.html
import pytest

pytestmark = pytest.mark.browser

# Pages legitimately empty in the demo, with the reason.
EMPTY_BY_DESIGN = {
    "/r/cap-feeds/": "a CAP feed is nothing but its real address; the offline demo fetches none",
    "/r/incident-grading-tables/": "entered only where a local plan differs; the shipped tables apply in the demo",
    "/exchange/received/": "records arrive from other installations; the demo runs a single one",
    "/tasks/": "a background task appears when someone starts a long export, a document or a bulk send; loading the demo starts none",
}
COUNTY_EMPTY = {
    "/r/warning-channels/": "the publishing channels are configured once for the platform, filed at the city",
    "/r/articles/": "科普 articles are published by the city bureau for the whole city (shown on the public portal)",
}
# The apps merged last (issues 16 and 17: enforcement, credit, preparedness, affairs) load their
# demo at the city only so far; their county records are still to be written (reported, not hidden).
COUNTY_PENDING_APPS = ("/enforcement/", "/credit/", "/preparedness/", "/r/inspectors/", "/r/courses/",
                       "/r/training-sessions/", "/r/questions/", "/r/exam-sessions/", "/r/certificates/",
                       "/r/official-documents/")
EMPTY_CELL_CLASSES = {"empty", "muted", "note"}


def data_rows(table) -> int:
    """Rows of a table that hold a record (not its header, not an empty-state row)."""
    count = 0
    for row in table.xpath(".//tr[td]"):
        cells = row.xpath("./td")
        classes = set(" ".join(c.get("class", "") for c in cells).split())
        if len(cells) == 1 and (cells[0].get("colspan") or classes & EMPTY_CELL_CLASSES):
            continue
        if classes & {"empty"}:
            continue
        count += 1
    return count


def filled_by_script(page, url: str) -> bool:
    """Whether a table of the page gets record rows once its scripts have run (consoles fill their
    tables from the API after loading)."""
    page.goto(url)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        html = page.inner_html("main")
        if any(data_rows(t) for t in lxml.html.fromstring(f"<div>{html}</div>").xpath(".//table")):
            return True
        page.wait_for_timeout(200)
    return False


@pytest.mark.parametrize("username", ["admin", "zhangwu"])
def test_every_navigation_list_page_shows_demo_records(web, username):
    web.login(username)
    page = web.page
    links = page.eval_on_selector_all("nav.sidenav a[href]", "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])")
    assert len(links) > 40
    empty, checked = [], 0
    for label, href in links:
        if href.startswith("/api/"):
            continue
        response = page.request.get(web.base_url + href)
        assert response.status == 200, f"{label} {href} answered {response.status}"
        main = lxml.html.fromstring(response.text()).xpath("//main")[0]
        tables = main.xpath(".//table")
        if not tables:
            continue  # a form, calendar, board or console: not a list of records
        checked += 1
        if any(data_rows(t) for t in tables):
            continue
        if href in EMPTY_BY_DESIGN or (username == "zhangwu" and (href in COUNTY_EMPTY or href.startswith(COUNTY_PENDING_APPS))):
            continue  # exempt (above): not worth waiting for a script to fill it
        if not filled_by_script(page, web.base_url + href):
            empty.append(f"{label}（{href}）")
    assert checked > 30
    assert empty == [], f"{username} sees empty list pages: {empty}"
    # The demo records are labelled synthetic where they are listed.
    page.goto(web.base_url + "/r/experts/")
    assert "示例" in page.inner_text("main") and page.locator("main .tag", has_text="合成").count() > 0
