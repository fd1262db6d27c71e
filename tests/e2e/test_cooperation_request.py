"""Kela starts cooperation (issue 18), in a real browser, in English: a Kela contact finds an
aftercare unit and sends a cooperation request (first without what is asked: the message is
next to the field and nothing typed is lost); a worker of the unit sees it on the home page,
takes it and creates the young person's record with the name and date of birth filled in; Kela
sees that it was taken. Screenshots go to test-artifacts/screenshots/; axe-core checks each
page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import CooperationRequest, YouthClient
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot


@pytest.fixture
def cast(db):
    unit = f.OrganisationFactory(name="Etelä-Pohjanmaan jälkihuolto")
    worker = f.WorkerFactory(organisation=unit, first_name="Anna", last_name="Aalto")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    return unit, worker, kela


def log_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Log out").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_kela_contact_sends_a_request_that_a_worker_takes(live_server, page: Page, cast):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    unit, worker, kela = cast
    born = timezone.localdate().replace(year=timezone.localdate().year - 19, day=1)
    born -= datetime.timedelta(days=40)

    log_in(page, live_server, kela)
    page.get_by_role("link", name="Aftercare units").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"Send a request to {unit.name}").click()
    page.get_by_label("First name").fill("Ahmad")
    page.get_by_label("Last name").fill("Rahimi")
    page.get_by_label("Date of birth").fill(f"{born.day}.{born.month}.{born.year}")
    page.get_by_label("What Kela has noticed").fill("Studies interrupted, no income.")
    page.get_by_label("How the young person agreed to be contacted").fill("By phone")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#form-errors")).to_contain_text("What Kela asks")
    expect(page.get_by_label("What Kela has noticed")).to_have_value(
        "Studies interrupted, no income."
    )
    assert axe_violations(page) == []
    screenshot(page, "18-2-kela-request-error")
    page.get_by_label("What Kela asks").fill("Could aftercare call the young person?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#request-state")).to_contain_text("Sent, waiting for the unit")
    assert axe_violations(page) == []
    screenshot(page, "18-3-kela-request-sent")
    log_out(page)

    log_in(page, live_server, worker)
    requests = page.locator("section", has=page.get_by_role("heading", name="Cooperation requests"))
    expect(requests).to_contain_text("nobody has taken it yet")
    screenshot(page, "18-4-worker-home-request")
    requests.get_by_role("link", name="Ahmad Rahimi").click()
    expect(page.get_by_role("main")).to_contain_text("Studies interrupted, no income.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Take the request").click()
    expect(page.locator("#request-state")).to_contain_text("Taken by a worker")
    screenshot(page, "18-5-worker-request-taken")
    page.get_by_role("link", name="Create a new record").click()
    expect(page.get_by_label("First name")).to_have_value("Ahmad")
    expect(page.get_by_label("Last name")).to_have_value("Rahimi")
    page.locator("#id_language").select_option(label="Finnish")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("Cooperation requests from Kela")
    youth = YouthClient.objects.get()
    assert youth.date_of_birth == born
    coop = CooperationRequest.objects.get()
    assert (coop.status, coop.taken_by, coop.youth) == ("taken", worker, youth)
    page.get_by_role("link", name="From Kaisa Kelanen (Kela)").click()
    expect(page.get_by_role("link", name="Record consent")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "18-6-worker-request-next-steps")
    log_out(page)

    log_in(page, live_server, kela)
    mine = page.locator("section", has=page.get_by_role("heading", name="My cooperation requests"))
    expect(mine).to_contain_text("Taken by a worker")
