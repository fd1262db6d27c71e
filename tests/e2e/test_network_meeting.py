"""Issue 17's whole story in a real browser: a mixed meeting (the pilot's way: Kela by video)
booked, an interpreter and a support person added after booking, the meeting marked held with
"Kela took part" (Kela never answered in the app), and the support person marking their own
action item done through the signed link sent to them, without an account."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from meetings.models import ActionItem, ItemLink, JointMeeting, Participant
from tests import factories as f
from tests.e2e.test_flow import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_mixed_meeting_with_the_network_held_and_an_item_done_by_link(
    live_server, page: Page, browser: Browser
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory(first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(
        organisation=worker.organisation, responsible_worker=worker, first_name="Mira"
    )
    f.ConsentFactory(
        youth=youth,
        recorded_by=worker,
        given_at=timezone.now() - datetime.timedelta(days=20),
        scope_network=True,
    )
    f.language("ar")
    log_in(page, live_server, worker)

    # 1. Book: the pilot's way in one click (the young person and Anna face to face, Kela by
    # video), Kela invited.
    page.goto(f"{live_server.url}/meetings/new/{youth.pk}/")
    page.get_by_label("Kela by video").check()
    page.get_by_label("Goal of the meeting").fill("Opintotuki kuntoon")
    day = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Date").fill(f"{day:%d.%m.%Y}")
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("11:00")
    page.get_by_label("Place").fill("Jälkihuollon toimisto")
    page.get_by_label("Kela contact person").select_option(str(kela.pk))
    page.get_by_role("button", name="Save and invite Kela").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    meeting = JointMeeting.objects.get(youth=youth)
    assert meeting.modality == "mixed"

    # 2. After booking: an interpreter (with the language) and a support person with an address.
    for name, role, extra in (
        ("Ali Tulkki", "interpreter", "Arabic"),
        ("Tiina Tukinen", "support_person", "tiina@example.org"),
    ):
        page.get_by_role("link", name="Add a network member").click()
        page.locator("#id_name").fill(name)
        page.locator("#id_network_role").select_option(role)
        if role == "interpreter":
            page.locator("#id_interpreter_language").select_option(label=extra)
        else:
            page.locator("#id_email").fill(extra)
        page.get_by_role("button", name="Save").click()
    participants = page.get_by_role("region", name="Participants")
    expect(participants).to_contain_text("Ali Tulkki · Interpreter (Arabic)")
    expect(participants).to_contain_text("Tiina Tukinen · Support person")
    expect(participants).to_contain_text("joins: video")
    screenshot(page, "issue17-network-meeting-booked")

    # 3. Time passes; Kela took part by video but never answered in the app.
    f.move_into_past(meeting)
    page.reload()
    page.get_by_label("Kela took part").check()
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    kela_row = meeting.participants.get(user=kela)
    assert kela_row.attendance == Participant.Attendance.RECORDED_BY_WORKER

    # 4. The plan: the support person goes to the housing office with Mira.
    page.get_by_label("Summary").fill("Tiina lähtee Miran mukaan asuntotoimistoon.")
    page.locator("input[name=kela_cooperation][value=yes]").check()
    review_day = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Review date").fill(f"{review_day:%d.%m.%Y}")
    page.get_by_role("button", name="Record the plan").click()
    expect(page.locator("#messages")).to_contain_text("The follow-up plan was saved.")
    tiina = meeting.participants.get(name="Tiina Tukinen")
    page.locator("#id_owner").select_option(str(tiina.pk))
    page.locator("#id_what").fill("Käy asuntotoimistossa Miran kanssa")
    due = timezone.localdate() + datetime.timedelta(days=10)
    page.locator("#id_due_date").fill(f"{due:%d.%m.%Y}")
    page.locator("#action-items").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#action-items")).to_contain_text(
        "Gets a link by e-mail: tiina@example.org"
    )
    item = ActionItem.objects.get(what="Käy asuntotoimistossa Miran kanssa")
    link = ItemLink.objects.get(item=item)  # the e-mail carries a fresh token of this link

    # 5. Tiina opens the link on her phone, with no account, and marks the item done.
    phone = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="fi-FI", timezone_id="Europe/Helsinki"
    )
    owner = phone.new_page()
    owner.goto(f"{live_server.url}{link.path()}")
    main = owner.locator("main")
    expect(main).to_contain_text("Käy asuntotoimistossa Miran kanssa")
    expect(main).not_to_contain_text(youth.last_name)
    owner.get_by_role("button", name="Se on tehty").click()
    expect(main).to_contain_text("merkittiin tehdyksi")
    screenshot(owner, "issue17-network-item-done-by-link")
    phone.close()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE

    # 6. Anna sees it on the plan, done by Tiina through the link.
    page.reload()
    expect(page.locator("#action-items")).to_contain_text("Tiina Tukinen (by link)")
    screenshot(page, "issue17-network-plan-item-done")
