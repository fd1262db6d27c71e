"""The young person's own page in their own language (issue 19), in Chromium on a phone (360 px):
the issue's "done when" in Arabic (sign in through the identity provider started in the test,
the plan and the next meeting right to left, a task marked done, who has processed the data, the
worker sees the task done), and axe-core on every youth page in Finnish, Arabic and Somali.
Screenshots: test-artifacts/screenshots/19-lang-*.png."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from feedback import services as feedback
from feedback.models import SurveyLink
from meetings.models import ActionItem, Participant
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot
from tests.e2e.test_own_page import _answer_at_the_provider, idp, world  # noqa: F401

PHONE = {"width": 360, "height": 800}


def _record_language(youth, code):
    type(youth).objects.filter(pk=youth.pk).update(language=f.language(code))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_in_arabic_a_young_person_signs_in_marks_a_task_done_and_the_worker_sees_it(
    live_server,
    page: Page,
    idp,  # noqa: F811
    world,  # noqa: F811
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _record_language(world, "ar")
    page.set_viewport_size(PHONE)
    _answer_at_the_provider(page, idp, live_server)
    page.goto(f"{live_server.url}/oma/kirjaudu/")
    page.get_by_role("link", name="Kirjaudu Suomi.fi-tunnistuksella").click()
    # The record's language: Arabic, right to left, with the notice in Arabic and Finnish.
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("مرحبًا Ahmad!")
    notice = page.locator(".youth-notice")
    expect(notice.locator("[lang=ar]")).to_contain_text("نص مترجم")
    expect(notice.locator("[lang=fi]")).to_contain_text("Käännetty teksti")
    main = page.locator("main")
    expect(main).to_contain_text("مواعيدك القادمة")  # your next meetings
    expect(main).to_contain_text("Kaisa (كيلا)")
    expect(main).to_contain_text("أنت ستفعل Hakee opintotukea")  # you will …
    expect(main).to_contain_text("كيلا (Kela) ستفعل Käsittelee hakemuksen")
    # Right to left for real: the heading starts at the right edge of the screen.
    box = page.locator("h1").bounding_box()
    assert box is not None
    text_right = page.evaluate(
        "() => { const r = document.createRange();"
        " r.selectNodeContents(document.querySelector('h1'));"
        " const b = r.getBoundingClientRect(); return [b.left, b.right]; }"
    )
    assert text_right[1] > PHONE["width"] - 40 and text_right[0] > 60
    assert axe_violations(page) == []
    screenshot(page, "19-lang-ar-1-own-page")

    page.get_by_role("button", name="لقد فعلتُ هذا").click()
    expect(page.locator("#messages")).to_contain_text("تمّ التعليم")
    expect(main).to_contain_text("✓ تمّ")
    assert axe_violations(page) == []
    screenshot(page, "19-lang-ar-2-task-done")

    page.get_by_role("link", name="انظر من اطّلع على بياناتك أو غيّرها، ولماذا").click()
    expect(page.locator("h1")).to_have_text("من اطّلع على بياناتك")
    expect(main).to_contain_text("Anna")
    expect(main).to_contain_text("موظف الرعاية اللاحقة")  # aftercare worker
    expect(main).to_contain_text("أنت نفسك")  # you yourself
    assert axe_violations(page) == []
    screenshot(page, "19-lang-ar-3-processed")
    page.locator("header").get_by_role("button", name="تسجيل الخروج").click()

    # The worker sees the task done on the plan, in the worker's own language.
    item = ActionItem.objects.get(what="Hakee opintotukea")
    assert item.status == ActionItem.Status.DONE
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, world.responsible_worker)
    page.goto(live_server.url + reverse("meetings:plan", args=[item.plan.meeting_id]))
    expect(page.locator("html")).not_to_have_attribute("dir", "rtl")
    row = page.locator("tr", has_text="Hakee opintotukea")
    expect(row.get_by_role("button", name="Open again: Hakee opintotukea")).to_be_visible()
    screenshot(page, "19-lang-ar-4-worker-sees-done")


def _youth_pages(page: Page, live_server, world, code):  # noqa: F811
    """Every youth page in `code`: {name: url}; the own pages through the language switch."""
    link = SurveyLink.objects.get(
        meeting__youth=world, participant__kind=Participant.Kind.YOUNG_PERSON
    )
    answer = feedback.answer_path(link)
    tampered = answer.rstrip("/")[:-1] + ("B" if answer.rstrip("/")[-1] != "B" else "C") + "/"
    return {
        "own-page": f"{live_server.url}/oma/",
        "own-processed": f"{live_server.url}/oma/kasittelyt/",
        "survey": f"{live_server.url}{feedback.answer_path(link)}?lang={code}",
        "link-problem": f"{live_server.url}{tampered}?lang={code}",
    }


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", ["fi", "ar", "so"])
def test_every_youth_page_passes_axe_at_360_px(
    live_server,
    page: Page,
    idp,  # noqa: F811
    world,  # noqa: F811
    code,
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    # The sign-in page before signing in, in the language chosen with its switch.
    page.goto(f"{live_server.url}/oma/kirjaudu/")
    page.locator(f"button[name=language][value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    assert axe_violations(page) == [], "sign-in"
    screenshot(page, f"19-lang-{code}-sign-in")
    _answer_at_the_provider(page, idp, live_server)
    _record_language(world, code)
    page.locator("main a.btn-primary").click()
    expect(page.locator("h1")).to_contain_text("Ahmad")
    for name, url in _youth_pages(page, live_server, world, code).items():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", code)
        if code == "ar":
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert axe_violations(page) == [], name
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        screenshot(page, f"19-lang-{code}-{name}")
