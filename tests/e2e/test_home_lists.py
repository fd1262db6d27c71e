"""The bounded home page in a real browser (issue 20): ten rows of a long list, its total and
the link to the full list, which keeps the choice of the whole organisation (issue 17); both
pages meet WCAG 2.1 AA (axe-core)."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_long_list_shows_ten_rows_and_links_to_all_of_them(live_server, page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker = f.WorkerFactory(first_name="Alice")
    kela = f.KelaContactFactory()
    colleague = f.WorkerFactory(organisation=worker.organisation)
    for i, responsible in enumerate([worker] * 12 + [colleague] * 3):
        youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=responsible)
        f.ConsentFactory(youth=youth, recorded_by=responsible)
        f.invited_meeting(
            youth=youth,
            organiser=responsible,
            kela=kela,
            starts_at=timezone.now() + datetime.timedelta(days=2, hours=i),
        )
    log_in(page, live_server, worker)
    upcoming = page.get_by_role("region", name="Upcoming meetings (12)")
    expect(upcoming.locator("li.list-group-item")).to_have_count(10)
    expect(upcoming).to_contain_text("10 of 12 shown")
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "home-worker-bounded.png"), full_page=True)

    page.get_by_role("link", name="The whole organisation").click()
    upcoming = page.get_by_role("region", name="Upcoming meetings (15)")
    upcoming.get_by_role("link", name="All 15: Upcoming meetings").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upcoming meetings (15)")
    expect(page.locator("main li.list-group-item")).to_have_count(15)
    expect(page.get_by_role("link", name="The whole organisation")).to_have_attribute(
        "aria-current", "page"
    )
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "full-list-organisation.png"), full_page=True)
