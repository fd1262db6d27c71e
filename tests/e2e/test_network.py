"""The whole network in a real browser (issue 17): an interpreter added after booking without a
language is refused next to the field, then added with it; the meeting page lists the network
with roles, and both pages meet WCAG 2.1 AA (axe-core)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from meetings import services
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_interpreter_and_a_support_person_are_added_after_booking(live_server, page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker = f.WorkerFactory(first_name="Alice")
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker, scope_network=True)
    f.language("ar")
    meeting = f.invited_meeting(youth=youth, organiser=worker, kela=f.KelaContactFactory())
    services.network_member_add(
        meeting=meeting,
        by=worker,
        fields={"name": "Tiina", "network_role": "support_person", "email": "tiina@example.org"},
    )
    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Add a network member").click()
    page.locator("#id_name").fill("Ali Tulkki")
    page.locator("#id_network_role").select_option("interpreter")
    page.get_by_role("button", name="Save").click()
    field = page.locator("#id_interpreter_language")
    expect(field).to_have_class(re.compile("is-invalid"))
    expect(page.locator("form[novalidate]")).to_contain_text(
        "Choose the language the interpreter interprets."
    )
    expect(page.locator("#id_name")).to_have_value("Ali Tulkki")  # nothing typed lost
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "network-interpreter-error.png"), full_page=True)
    field.select_option(label="Arabic")
    page.get_by_role("button", name="Save").click()
    participants = page.get_by_role("region", name="Participants")
    expect(participants).to_contain_text("Ali Tulkki · Interpreter (Arabic)")
    expect(participants).to_contain_text("Tiina · Support person")
    expect(participants).to_contain_text("tiina@example.org")
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "network-meeting-page.png"), full_page=True)
