"""What a new user stumbled over (issue 22), walked in a real browser, in English: a proposal
on the worker's home page, Kela's link to the plain-language copy, withdrawing a consent through
a confirmation page, and a used feedback link that keeps the language it was answered in.
Screenshots go to test-artifacts/screenshots/ for review."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from feedback import services as feedback
from meetings import pdf, services
from tests import factories as f
from tests.e2e.test_flow import SCREENSHOTS, log_in, log_out, screenshot


@pytest.fixture
def cast(db):
    org = f.OrganisationFactory()
    worker = f.WorkerFactory(organisation=org, first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa")
    youth = f.YouthFactory(organisation=org, responsible_worker=worker, first_name="Leo")
    consent = f.ConsentFactory(youth=youth, recorded_by=worker)
    return worker, kela, youth, consent


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_proposal_shows_on_the_home_page_and_withdrawal_asks_first(live_server, page: Page, cast):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker, kela, youth, _consent = cast
    meeting = f.invited_meeting(youth=youth, organiser=worker, kela=kela)
    proposed = (timezone.localtime() + datetime.timedelta(days=5)).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela),
        answer="proposed",
        by=kela,
        message="Could we meet later?",
        proposed_start=proposed,
    )
    log_in(page, live_server, worker)
    waiting = page.locator("section", has=page.get_by_role("heading", name="Invitations waiting"))
    expect(waiting).to_contain_text(f"Kela proposed {proposed:%-d.%-m. %H:%M} — accept or answer")
    screenshot(page, "22-1-home-proposal")

    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    page.get_by_role("link", name="Withdraw this consent…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw the consent given")
    expect(page.locator("main")).to_contain_text(kela.get_full_name())
    expect(page.locator("main")).to_contain_text(
        timezone.localtime(meeting.starts_at).strftime("%-d.%-m.%Y")
    )
    screenshot(page, "22-4-withdraw-confirm")
    page.get_by_role("button", name="Withdraw the consent").click()
    expect(page.locator(".alert-success")).to_contain_text("was cancelled")
    screenshot(page, "22-4-withdrawn")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_kela_finds_the_plain_copy_and_a_used_link_keeps_its_language(
    live_server, page: Page, cast
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker, kela, youth, _consent = cast
    held = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={"summary": "Student aid applied for.", "kela_cooperation": "yes"},
        version=None,
        by=worker,
    )
    pdf.plan_export(plan, variant="plain", language="en", by=worker)
    log_in(page, live_server, kela)
    page.goto(f"{live_server.url}/meetings/{held.pk}/")
    link = page.get_by_role("link", name="Download the young person's plain-language copy")
    expect(link).to_be_visible()
    screenshot(page, "22-2-kela-plain-copy")
    log_out(page)

    link = held.survey_links.get(participant__kind="young_person")
    survey_url = live_server.url + feedback.answer_path(link)
    page.goto(survey_url)
    page.get_by_role("button", name="English").click()  # the survey page's own switch
    expect(page.locator("html")).to_have_attribute("lang", "en")
    link.delete()  # answered (a used link is deleted): the answer page is tested elsewhere
    page.goto(survey_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "22-8-used-link-in-english")
