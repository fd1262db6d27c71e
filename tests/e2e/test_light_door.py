"""The light door of the young person's own page (issue 19) in a real browser: the worker sends
the link by text message from the record page; the young person opens it on a phone (390 px),
asks for the code, types it and sees their next meeting and nothing more. Screenshots go to
test-artifacts/screenshots/ (19-light-*); axe-core checks every youth page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from kelayhteistyo import sms
from meetings import services
from meetings.models import JointMeeting, Participant
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot


@pytest.fixture
def world(db, settings, live_server):
    settings.SITE_URL = live_server.url
    settings.SMS_BACKEND = "kelayhteistyo.sms.MemoryBackend"
    sms.outbox.clear()
    org = f.OrganisationFactory()
    worker = f.WorkerFactory(organisation=org, first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa")
    youth = f.YouthFactory(
        organisation=org,
        responsible_worker=worker,
        first_name="Ahmad",
        last_name="Salainen-Sukunimi",
        phone="+358401234567",
    )
    f.ConsentFactory(youth=youth, recorded_by=worker, scope_reminders=True)
    held = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={"summary": "Työntekijän yhteenveto", "own_words": "Haluan oman asunnon."},
        version=None,
        by=worker,
    )
    services.action_item_add(
        plan=plan,
        owner=held.participants.get(kind=Participant.Kind.YOUNG_PERSON),
        what="Hakee opintotukea",
        due_date=None,
        by=worker,
    )
    upcoming = f.invited_meeting(youth=youth, organiser=worker, kela=kela)
    JointMeeting.objects.filter(pk=upcoming.pk).update(place="Nuorisotalo, Kauppakatu 5")
    yield worker, youth, upcoming
    sms.outbox.clear()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_link_and_the_young_person_sees_the_next_meeting(
    live_server, page: Page, browser: Browser, world
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker, youth, upcoming = world
    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    page.get_by_role("button", name=re.compile("Send the link by text message")).click()
    expect(page.locator("#messages")).to_contain_text("The link was sent to +358401234567")
    screenshot(page, "19-light-1-worker-sent")
    (message,) = sms.outbox
    assert message.to == "+358401234567"
    link = re.search(r"https?://\S+", message.body).group(0)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fi-FI", timezone_id="Europe/Helsinki"
    )
    young = phone.new_page()
    young.goto(link)
    expect(young.locator("h1")).to_have_text("Oma sivusi")
    assert axe_violations(young) == []
    screenshot(young, "19-light-2-link")
    young.get_by_role("button", name="Lähetä minulle koodi").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    assert sms.outbox[-1].to == "+358401234567"
    young.get_by_label("Koodi (6 numeroa)").fill(code)
    assert axe_violations(young) == []
    screenshot(young, "19-light-3-code")
    young.get_by_role("button", name="Avaa sivuni").click()
    expect(young.locator("h2").first).to_have_text("Seuraava tapaamisesi")
    main = young.locator("main")
    expect(main).to_contain_text("Nuorisotalo, Kauppakatu 5")
    expect(main).to_contain_text(timezone.localtime(upcoming.starts_at).strftime("%H:%M"))
    expect(main.get_by_role("link", name="Lisää kalenteriisi")).to_be_visible()
    # Nothing more: no plan, no own words, no task, no names.
    for hidden in (
        "Työntekijän yhteenveto",
        "Haluan oman asunnon.",
        "Hakee opintotukea",
        "Salainen-Sukunimi",
        "Ahmad",
        "Anna",
        "Kaisa",
    ):
        expect(main).not_to_contain_text(hidden)
    assert axe_violations(young) == []
    screenshot(young, "19-light-4-page")
    # The link does not open again in another browser.
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="fi-FI")
    again = other.new_page()
    again.goto(link)
    expect(again.locator("main")).to_contain_text("Tämä linkki on jo käytetty.")
    screenshot(again, "19-light-5-used")
    other.close()
    phone.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_light_door_in_arabic_passes_axe_at_360_px(live_server, browser: Browser, world):
    """The light pages in the record's language (Arabic, right to left, the notice) on a 360 px
    phone, as every youth page (tests/e2e/test_own_page_languages.py)."""
    from cases import services as case_services

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker, youth, upcoming = world
    type(youth).objects.filter(pk=youth.pk).update(language=f.language("ar"))
    youth.refresh_from_db()
    case_services.light_link_send(youth=youth, channel="sms", by=worker)
    link = re.search(r"https?://\S+", sms.outbox[-1].body).group(0)
    phone_size = {"width": 360, "height": 800}

    def check(p: Page, name: str) -> None:
        expect(p.locator("html")).to_have_attribute("lang", "ar")
        expect(p.locator("html")).to_have_attribute("dir", "rtl")
        expect(p.locator(".youth-notice [lang=ar]")).to_contain_text("نص مترجم")
        expect(p.locator(".youth-notice [lang=fi]")).to_contain_text("Käännetty teksti")
        assert axe_violations(p) == [], name
        assert p.evaluate("document.documentElement.scrollWidth") <= phone_size["width"], name
        screenshot(p, f"19-lang-ar-light-{name}")

    phone = browser.new_context(viewport=phone_size, locale="fi-FI", timezone_id="Europe/Helsinki")
    young = phone.new_page()
    young.goto(link)
    expect(young.locator("h1")).to_have_text("صفحتك الخاصة")
    check(young, "1-link")
    young.get_by_role("button", name="أرسِل لي الرمز").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    young.get_by_label("الرمز (6 أرقام)").fill("000000" if code != "000000" else "111111")
    young.get_by_role("button", name="افتح صفحتي").click()
    expect(young.locator("main")).to_contain_text("الرمز غير صحيح. بقيت لك محاولتان.")
    check(young, "2-wrong-code")
    young.get_by_label("الرمز (6 أرقام)").fill(code)
    young.get_by_role("button", name="افتح صفحتي").click()
    expect(young.locator("h2").first).to_have_text("موعدك القادم")
    expect(young.locator("main")).to_contain_text("Nuorisotalo, Kauppakatu 5")
    check(young, "3-page")
    young.goto(f"{live_server.url}/oma/uusi-linkki/")
    expect(young.locator("h1")).to_have_text("اطلب رابطًا جديدًا")
    check(young, "4-new-link")
    # Another browser: the record's language too, and the link is used.
    other = browser.new_context(viewport=phone_size, locale="fi-FI")
    again = other.new_page()
    again.goto(link)
    expect(again.locator("main")).to_contain_text("هذا الرابط استُخدم من قبل.")
    check(again, "5-used")
    other.close()
    phone.close()
