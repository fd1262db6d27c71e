"""Kela as a partner (issue 18), in a real browser, in English: the invited Kela contact opens
the young person's identity code (consent covers it), and records an absence — first with the
end before the start, then right, with a substitute who gets the waiting invitation.
Screenshots go to test-artifacts/screenshots/ for review; axe-core checks both pages."""

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
    worker = f.WorkerFactory(organisation=org, first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    substitute = f.KelaContactFactory(first_name="Sami", last_name="Sijainen")
    youth = f.YouthFactory(
        organisation=org,
        responsible_worker=worker,
        first_name="Ahmad",
        last_name="Rahimi",
        date_of_birth=datetime.date(1952, 10, 13),
        identity_code="131052-308T",
    )
    f.ConsentFactory(youth=youth, recorded_by=worker, scope_kela_identity=True)
    meeting = f.invited_meeting(youth=youth, organiser=worker, kela=kela)
    return kela, substitute, meeting


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_kela_opens_the_identity_code_and_hands_over_during_an_absence(
    live_server, page: Page, cast
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    kela, substitute, meeting = cast
    log_in(page, live_server, kela)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    identity = page.locator("section", has=page.get_by_role("heading", name="identifying data"))
    expect(identity).to_contain_text("Ahmad Rahimi")
    expect(identity).to_contain_text("131052-****")
    page.get_by_role("button", name="Show the identity code").click()
    expect(page.locator("#identity-code")).to_have_text("131052-308T")
    assert axe_violations(page) == []
    screenshot(page, "18-1-kela-identity")

    page.get_by_role("link", name="My profile").click()
    today = timezone.localdate()
    page.get_by_label("Away from").fill(f"{today + datetime.timedelta(days=3):%Y-%m-%d}")
    page.get_by_label("Away until").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("Substitute").select_option(label=substitute.get_full_name())
    page.get_by_role("button", name="Save the absence").click()
    expect(page.locator("#form-errors")).to_contain_text("cannot end before it starts")
    assert axe_violations(page) == []
    screenshot(page, "18-2-absence-error")

    page.get_by_label("Away from").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("Away until").fill(f"{today + datetime.timedelta(days=7):%Y-%m-%d}")
    page.get_by_role("button", name="Save the absence").click()
    expect(page.locator(".alert-info")).to_contain_text(
        f"1 waiting invitation was passed to {substitute.get_full_name()}"
    )
    expect(page.locator("main")).to_contain_text(f"Substitute: {substitute.get_full_name()}")
    screenshot(page, "18-3-absence-saved")
    # The meeting is the substitute's now: the absent contact no longer opens it.
    response = page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    assert response.status == 404
