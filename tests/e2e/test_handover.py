"""Hand-over and transitions (issue 17) in a real browser: the record shows the task "plan the
hand-over to adult services"; the worker hands the young person over to a colleague, the page
says what moves and who is told, and the record shows the hand-over. Screenshots in
test-artifacts/screenshots/ for review."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import YouthClient
from meetings.models import JointMeeting, Notification
from tests import factories as f
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_hand_over_moves_the_meeting_and_shows_on_the_record(live_server, page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory(first_name="Anna", last_name="Aaltonen")
    colleague = f.WorkerFactory(
        organisation=worker.organisation, first_name="Carol", last_name="Carlsson"
    )
    f.WorkerFactory(first_name="Bob", last_name="Berg")  # another organisation: not offered
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    ends = timezone.localdate() + datetime.timedelta(days=60)
    YouthClient.objects.filter(pk=youth.pk).update(aftercare_ends_on=ends)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    meeting = f.invited_meeting(youth=youth, organiser=worker, kela=kela)
    log_in(page, live_server, worker)

    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    expect(page.locator("#transition-task")).to_contain_text("plan the hand-over to adult services")
    screenshot(page, "issue17-record-transition-task")
    page.get_by_role("link", name="Hand over to another worker").click()
    main = page.locator("main")
    expect(main).to_contain_text("Kaisa Kelanen")  # told who the contact person now is
    options = page.get_by_label("New responsible worker").locator("option")
    expect(options).to_contain_text(["Carol Carlsson"])
    assert "Bob Berg" not in page.get_by_label("New responsible worker").inner_text()
    page.get_by_role("button", name="Hand over").click()
    expect(page.locator("#form-errors")).to_be_visible()  # nobody chosen: said next to the field
    page.get_by_label("New responsible worker").select_option(str(colleague.pk))
    screenshot(page, "issue17-handover-page")
    page.get_by_role("button", name="Hand over").click()
    expect(page).to_have_url(re.compile(rf"/young-people/{youth.pk}/$"))
    expect(main).to_contain_text("Carol Carlsson is now the responsible worker")
    expect(main).to_contain_text("from Anna Aaltonen to Carol Carlsson")
    screenshot(page, "issue17-record-after-handover")
    meeting = JointMeeting.objects.get(pk=meeting.pk)
    assert meeting.organiser_id == colleague.pk
    assert Notification.objects.filter(kind="contact_changed", recipient=kela).exists()
