"""An English (en-US) browser shows and takes dates and times the Finnish way (issue 19)."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from meetings.models import JointMeeting
from tests import factories as f

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "date-fields"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_english_browser_books_with_finnish_dates(live_server, browser: Browser):
    worker = f.WorkerFactory(preferred_language="en")
    kela = f.KelaContactFactory(last_name="Kelanen")
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    day = timezone.localdate() + datetime.timedelta(days=9)
    typed_day = f"{day.day}.{day.month}.{day.year}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # A browser of an American computer: a native date field would show mm/dd/yyyy and AM/PM.
    context = browser.new_context(
        locale="en-US", timezone_id="America/New_York", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    assert page.evaluate("navigator.language") == "en-US"
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill(worker.email)
    page.locator("input[name=password]").fill(f.PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("header")).to_contain_text(worker.get_full_name())

    page.goto(f"{live_server.url}/meetings/new/{youth.pk}/")
    date_field = page.locator("#id_day")
    expect(date_field).to_have_attribute("type", "text")
    expect(date_field).to_have_accessible_description("e.g. 22.11.2026")
    expect(page.get_by_label("Starts at")).to_have_accessible_description("e.g. 14:00")
    page.get_by_label("Goal of the meeting").fill("Asumistuki kuntoon")

    # An American date is refused next to the field, in English, and stays to be corrected.
    date_field.fill("12/03/2026")
    page.get_by_label("Starts at").fill("10.00")
    page.get_by_label("Ends at").fill("11:30")
    page.locator("input[name=modality][value=video]").check()
    page.locator("select[name=kela_contact]").select_option(str(kela.pk))
    page.locator("button[name=action][value=invite]").click()
    expect(page.locator("#div_id_day .invalid-feedback")).to_contain_text(
        "Enter the date as day.month.year, for example 22.11.2026."
    )
    expect(date_field).to_have_value("12/03/2026")
    expect(page.get_by_label("Goal of the meeting")).to_have_value("Asumistuki kuntoon")
    page.screenshot(path=ARTIFACTS / "booking-error-en-US.png", full_page=True)

    date_field.fill(typed_day)
    page.locator("button[name=action][value=invite]").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    meeting = JointMeeting.objects.get(youth=youth)
    assert timezone.localtime(meeting.starts_at).date() == day
    assert timezone.localtime(meeting.starts_at).time() == datetime.time(10, 0)
    expect(page.locator("main")).to_contain_text(f"{typed_day} 10:00")

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/edit/")
    expect(page.locator("#id_day")).to_have_value(typed_day)
    expect(page.get_by_label("Starts at")).to_have_value("10:00")
    expect(page.get_by_label("Ends at")).to_have_value("11:30")
    page.screenshot(path=ARTIFACTS / "booking-edit-en-US.png", full_page=True)
    context.close()
