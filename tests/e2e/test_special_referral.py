"""A referral to Kela's special service (issue 18), in a real browser, in English: the worker
refers from the young person's record; the Kela contact of the county takes it, records the
assessment (first without the planned end: the message is next to the field) and ends the
service with a hand-over; the worker sees the hand-over. axe-core checks each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot


@pytest.fixture
def cast(db):
    org = f.OrganisationFactory()
    worker = f.WorkerFactory(organisation=org, first_name="Anna", last_name="Aalto")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(
        organisation=org, responsible_worker=worker, first_name="Ahmad", last_name="Rahimi"
    )
    f.ConsentFactory(youth=youth, recorded_by=worker, scope_kela_special_service=True)
    return worker, kela, youth


def log_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Log out").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_referral_is_assessed_and_ended_with_a_hand_over(live_server, page: Page, cast):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker, kela, youth = cast

    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    page.get_by_role("link", name="Ask Kela to assess the need for the special service").click()
    page.get_by_label("Why the special service is needed").fill("Needs longer support.")
    page.get_by_label("What has been tried").fill("Two joint meetings.")
    page.get_by_label("The young person's own view").fill("I want help with Kela matters.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send the referral to Kela").click()
    expect(page.locator("#referral-state")).to_contain_text("Referred, waiting for Kela")
    screenshot(page, "18-7-referral-sent")
    log_out(page)

    log_in(page, live_server, kela)
    referrals = page.locator(
        "section", has=page.get_by_role("heading", name="Special service referrals")
    )
    referrals.get_by_role("link", name="Ahmad Rahimi").click()
    page.get_by_role("button", name="Take the referral").click()
    expect(page.locator("#referral-state")).to_contain_text("Taken by Kela")
    page.get_by_label("Taken into the special service", exact=True).check()
    page.get_by_label("Special-service contact person").select_option(str(kela.pk))
    page.get_by_label("Goals").fill("Studies continue, income in order")
    page.get_by_label("Pace").fill("Every two weeks")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.locator("#form-errors")).to_contain_text("Planned end")
    expect(page.get_by_label("Goals")).to_have_value("Studies continue, income in order")
    assert axe_violations(page) == []
    screenshot(page, "18-8-referral-assessment-error")
    end = timezone.localdate() + datetime.timedelta(days=120)
    page.get_by_label("Planned end").fill(f"{end.day}.{end.month}.{end.year}")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.locator("#referral-state")).to_contain_text("In the special service")
    page.get_by_label("Hand-over to a suitable service").fill("TE services, a named adviser")
    page.get_by_role("button", name="End with this hand-over").click()
    expect(page.locator("#referral-state")).to_contain_text("Ended")
    assert axe_violations(page) == []
    screenshot(page, "18-9-referral-ended")
    log_out(page)

    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    page.get_by_role("link", name="Referral of").click()
    expect(page.locator("#referral-handover")).to_contain_text("TE services, a named adviser")
    expect(page.locator("#referral-outcome")).to_contain_text("Taken into the special service")
