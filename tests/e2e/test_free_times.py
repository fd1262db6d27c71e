"""Free times → one-step booking (issue 18), in a real browser, in English: a Kela contact
publishes a weekly rule of free times (first a time in the past, told next to the date), and a
worker books one of them in one step from the booking form (htmx shows the chosen contact's free
times): the meeting is confirmed at once. Screenshots go to test-artifacts/screenshots/;
axe-core checks the pages."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from meetings.models import JointMeeting, KelaSlot
from meetings.workdays import is_working_day
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, log_in, log_out, screenshot


@pytest.fixture
def cast(db):
    org = f.OrganisationFactory()
    worker = f.WorkerFactory(organisation=org, first_name="Anna", last_name="Auttaja")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(
        organisation=org, responsible_worker=worker, first_name="Ahmad", last_name="Rahimi"
    )
    f.ConsentFactory(youth=youth, recorded_by=worker)
    return worker, kela, youth


def next_working_day(after_days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_kela_publishes_free_times_and_a_worker_books_one_in_one_step(
    live_server, page: Page, cast
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker, kela, youth = cast
    log_in(page, live_server, kela)
    page.get_by_role("link", name="My profile").click()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.locator("#id_free_starts_on").fill(f"{yesterday:%d.%m.%Y}")
    page.locator("#id_free_repeat_until").fill("")
    page.locator("#id_free_start_time").fill("9:00")
    page.locator("#id_free_end_time").fill("12:00")
    page.get_by_role("button", name="Publish the free times").click()
    expect(page.locator("#error_1_id_free_starts_on")).to_have_text(
        "A free time cannot be in the past."
    )
    expect(page.locator("#id_free_start_time")).to_have_value("9:00")
    assert axe_violations(page) == []
    screenshot(page, "18-4-free-time-in-the-past")

    first = next_working_day(2)
    page.locator("#id_free_starts_on").fill(f"{first:%d.%m.%Y}")
    until = first + datetime.timedelta(weeks=2)
    page.locator("#id_free_repeat_until").fill(f"{until:%d.%m.%Y}")
    page.locator("#id_free_length").select_option(label="1 hour")
    page.locator("#id_free_modality").select_option(label="Video")
    page.get_by_role("button", name="Publish the free times").click()
    expect(page.locator(".alert-success")).to_contain_text("free times were published")
    published = KelaSlot.objects.filter(contact=kela).count()
    assert published >= 3  # three a day, on the working days of three weeks
    coming = page.locator("section", has=page.get_by_role("heading", name="Your coming free times"))
    expect(coming).to_contain_text("09:00–10:00 – Video")
    assert axe_violations(page) == []
    screenshot(page, "18-5-free-times-published")
    log_out(page)

    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/meetings/new/{youth.pk}/")
    page.locator("#id_goal").fill("Student aid and housing")
    page.get_by_label("Everyone by video").check()
    page.locator("#id_kela_contact").select_option(
        label=page.locator("#id_kela_contact option", has_text="Kaisa Kelanen").inner_text()
    )
    free_times = page.locator("#free-times")
    expect(free_times).to_contain_text("Free times of Kaisa Kelanen")  # htmx, no reload
    slot = KelaSlot.objects.filter(contact=kela).order_by("starts_at")[1]
    with translation.override("en"):
        label = slot.label  # "Tue 8.12.2026 10:00–11:00", as the English page says
    free_times.get_by_label(label, exact=False).check()
    assert axe_violations(page) == []
    screenshot(page, "18-6-free-times-in-the-booking-form")
    page.get_by_role("button", name="Book the chosen time (confirmed at once)").click()

    expect(page.locator(".alert-success")).to_contain_text("The meeting is booked and confirmed")
    meeting = JointMeeting.objects.get()
    assert meeting.status == JointMeeting.Status.CONFIRMED
    assert meeting.starts_at == slot.starts_at
    expect(page.locator("main")).to_contain_text("Confirmed")
    screenshot(page, "18-7-booked-in-one-step")
    slot.refresh_from_db()
    assert slot.meeting_id == meeting.pk
