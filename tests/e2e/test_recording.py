"""Meetings as they really happen (issue 17), in a real browser: the pilot's way of joining in one
click, "Kela took part" when Kela did not answer in the app, and a meeting recorded afterwards.
Screenshots in test-artifacts/screenshots/ for review."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import JointMeeting, Participant
from tests import factories as f
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_mixed_meeting_kela_took_part_and_one_recorded_afterwards(live_server, page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory(first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(
        youth=youth, recorded_by=worker, given_at=timezone.now() - datetime.timedelta(days=20)
    )
    log_in(page, live_server, worker)

    # Book: the pilot's tip is one click; the ways for each participant stay hidden until
    # "each in their own way" is chosen (they are shown without JavaScript).
    page.goto(f"{live_server.url}/meetings/new/{youth.pk}/")
    each = page.locator("#joining-each")
    expect(each).to_be_hidden()
    page.get_by_label("Each participant in their own way").check()
    expect(each).to_be_visible()
    page.get_by_label("Kela by video").check()
    expect(each).to_be_hidden()
    page.get_by_label("Goal of the meeting").fill("Opintotuki kuntoon")
    day = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("11:00")
    page.get_by_label("Place").fill("Jälkihuollon toimisto")
    page.get_by_label("Kela contact person").select_option(str(kela.pk))
    screenshot(page, "issue17-booking-pilot-preset")
    page.get_by_role("button", name="Save and invite Kela").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    meeting = JointMeeting.objects.get(youth=youth)
    assert meeting.modality == "mixed"
    expect(page.locator("main")).to_contain_text("Mixed")
    expect(page.locator("main")).to_contain_text("joins: video")

    # Time passes; Kela never answered in the app but took part.
    f.move_into_past(meeting)
    page.reload()
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Tick “Kela took part”")
    screenshot(page, "issue17-held-needs-kela-took-part")
    page.get_by_label("Kela took part").check()
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    kela_row = meeting.participants.get(user=kela)
    assert kela_row.attendance == Participant.Attendance.RECORDED_BY_WORKER

    # A meeting arranged by phone last week, recorded afterwards from the record page.
    page.goto(f"{live_server.url}/young-people/{youth.pk}/")
    page.get_by_role("link", name="Record a meeting afterwards").click()
    page.get_by_label("Goal of the meeting").fill("Asumistuki")
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    page.get_by_label("Date").fill(last_week.isoformat())
    page.get_by_label("Starts at").fill("13:00")
    page.get_by_label("Ends at").fill("13:30")
    page.get_by_label("Everyone by phone").check()
    page.get_by_label("Kela contact person who took part").select_option(str(kela.pk))
    screenshot(page, "issue17-record-afterwards")
    page.get_by_role("button", name="Record the meeting as held").click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    recorded = JointMeeting.objects.get(youth=youth, recorded_afterwards=True)
    assert recorded.status == "held" and recorded.modality == "phone"
    page.goto(f"{live_server.url}/meetings/{recorded.pk}/")
    expect(page.locator("main")).to_contain_text("recorded afterwards")
    screenshot(page, "issue17-recorded-meeting")
