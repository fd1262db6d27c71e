"""WCAG 2.1 A and AA in a real browser: every page of every role, in Finnish and in Swedish.

The demo data is loaded and each demo user's pages are found by following the links of the app
from the home page (at most two pages per URL name, so that the run stays short), then each page
is checked with axe-core (tests/vendor, run through the DevTools protocol so that a strict
Content-Security-Policy does not stop it). Forms are also checked with their error messages
showing. Screenshots at desktop and phone width are kept in test-artifacts/ for review.
"""

import datetime
import io
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from meetings.models import JointMeeting
from overview.management.commands.seed_demo import DEMO_TOTP_KEY, PASSWORD
from tests import factories as f

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "accessibility"
# WCAG 2.1 1.4.10 Reflow: content at 320 CSS px (a 1280 px screen zoomed to 400 %) needs no
# sideways scrolling; that covers zoom to 200 % as well.
PHONE = {"width": 320, "height": 720}
PER_URL_NAME = 2
# Pages a role reaches only by a POST, or that are not HTML pages of the app.
NOT_CRAWLED = re.compile(r"^/(admin|static|media)/|\.ics$|/download/")

DEMO_USERS = [
    "tyontekija.a@demo.fi",
    "kela.yhteys@demo.fi",
    "kela.toinen@demo.fi",
    "koordinaattori@demo.fi",
]
# Forms submitted empty to check how the errors are shown (path found on the worker's pages).
FORMS_WITH_ERRORS = ["cases:create", "cases:consent_create", "meetings:create"]


def axe_violations(page: Page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def crawl(page: Page, start: str) -> dict[str, str]:
    """The app's pages reachable by links from `start`: {path: url name}."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    seen, per_name, queue = {}, Counter(), [start]
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        name = url_name(path)
        if path in seen or name is None or per_name[name] >= PER_URL_NAME:
            continue
        response = page.goto(url)
        if not response.ok or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen[path] = name
        per_name[name] += 1
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.href)"
        ):
            if href.startswith(origin) and not NOT_CRAWLED.search(urlsplit(href).path):
                queue.append(href.split("#")[0])
    return seen


def log_in(page: Page, base: str, email: str, language: str) -> None:
    page.goto(f"{base}/login/")
    page.locator(f"button[name=language][value={language}]").click()
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    if "/account/verify/" in page.url:  # the coordinator's second factor (the demo key)
        page.locator("input[name=token]").fill(f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}")
        page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile("/account/"))
    expect(page.locator("header form[action='/logout/']")).to_be_attached()


def check(page: Page, label: str, failures: list[str]) -> None:
    failures.extend(f"{label} {page.url}: {v}" for v in axe_violations(page))


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", force=True, stdout=io.StringIO())


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_page_of_every_role_meets_wcag_21_aa(demo, live_server, browser, language):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failures, visited = [], Counter()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)

    for public in ["/login/", "/accessibility/"]:
        page.goto(f"{live_server.url}{public}")
        page.locator(f"button[name=language][value={language}]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        check(page, "anonymous", failures)
        visited[url_name(public)] += 1

    for email in DEMO_USERS:
        log_in(page, live_server.url, email, language)
        pages = crawl(page, f"{live_server.url}/")
        assert pages, f"{email} reached no page"
        for path, name in pages.items():
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            check(page, email, failures)
            if not visited[name]:  # one desktop screenshot of each page, for review
                shot = ARTIFACTS / f"desktop-{language}-{name.replace(':', '-')}.png"
                page.screenshot(path=str(shot), full_page=True)
            visited[name] += 1
        if email.startswith("tyontekija"):
            for name in FORMS_WITH_ERRORS:
                path = next(p for p, n in pages.items() if n == name)
                page.goto(f"{live_server.url}{path}")
                page.locator(
                    "main form[method=post] button[type=submit]:not([formnovalidate])"
                ).first.click()
                expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
                check(page, f"{email} (errors)", failures)
        page.goto(f"{live_server.url}/")
        page.screenshot(path=str(ARTIFACTS / f"{language}-{email}-home.png"), full_page=True)
        page.locator("header form[action='/logout/'] button").click()

    # The pages every role uses are among those checked (a broken link would hide a page).
    for name in [
        "home",
        "cases:list",
        "cases:detail",
        "meetings:detail",
        "meetings:plan",
        "feedback:answer",
        "feedback:results",
        "feedback:comments",
        "feedback:survey_edit",
    ]:
        assert visited[name], f"no page named {name} was checked"
    assert not failures, "\n".join(failures)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_every_page_at_phone_width_needs_no_sideways_scrolling(demo, live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(bypass_csp=True, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    too_wide = []
    for email in DEMO_USERS:
        log_in(page, live_server.url, email, "fi")
        for path, name in crawl(page, f"{live_server.url}/").items():
            page.goto(f"{live_server.url}{path}")
            if email.startswith("tyontekija"):
                shot = ARTIFACTS / f"phone-{name.replace(':', '-')}.png"
                page.screenshot(path=str(shot), full_page=True)
            # Against the screen, not window.innerWidth: a phone browser zooms out to fit a
            # page that is too wide, and innerWidth then grows with the page.
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > PHONE["width"]:
                too_wide.append(f"{email} {path} is {scroll}px wide on a {PHONE['width']}px screen")
        page.locator("header form[action='/logout/'] button").dispatch_event("click")
        page.wait_for_url(re.compile("/login/"))
    assert not too_wide, "\n".join(too_wide)


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until `selector` has the focus: it is reachable, after what came before."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            focus_visible = page.evaluate(
                "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
                " || getComputedStyle(document.activeElement).boxShadow !== 'none'"
            )
            assert focus_visible, f"the focus on {selector} is not visible"
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_meeting_can_be_booked_with_the_keyboard_only(live_server, page: Page):
    """No mouse: Tab, typing, Space, arrow keys and Enter, in the order of the page."""
    worker = f.WorkerFactory()
    kela = f.KelaContactFactory(last_name="Kelanen")
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    day = timezone.localdate() + datetime.timedelta(days=7)
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/login/")
    tab_to(page, "a.skip-link")  # the first stop on every page
    tab_to(page, "input[name=username]")
    page.keyboard.type(worker.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(f.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("header")).to_contain_text(worker.get_full_name())

    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    tab_to(page, f"a[href='/meetings/new/{youth.pk}/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(youth.full_name)

    tab_to(page, "textarea[name=goal]")
    page.keyboard.type("Asumistuki kuntoon")
    tab_to(page, "input[name=topics][value=housing]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=day]")
    # Dates and times are typed the Finnish way whatever the browser's locale (issue 19).
    page.keyboard.type(f"{day.day}.{day.month}.{day.year}")
    tab_to(page, "input[name=start_time]")
    page.keyboard.type("10.00")
    tab_to(page, "input[name=end_time]")
    page.keyboard.type("11:00")
    tab_to(page, "input[name=modality]")  # the radio group is one stop; arrows choose
    page.keyboard.press("ArrowDown")  # video
    expect(page.locator("input[name=modality][value=video]")).to_be_checked()
    tab_to(page, "select[name=kela_contact]")
    page.keyboard.press("ArrowDown")  # the first (only) contact after "choose"
    tab_to(page, "button[name=action][value=invite]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    errors = page.locator("#form-errors, .invalid-feedback")
    if errors.count():
        raise AssertionError(errors.all_inner_texts())
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    meeting = JointMeeting.objects.get(youth=youth)
    assert meeting.status == JointMeeting.Status.INVITED
    assert meeting.modality == "video" and meeting.topics == ["housing"]
    assert timezone.localtime(meeting.starts_at).date() == day
    assert meeting.participants.filter(user=kela).exists()
