"""The whole flow in a real browser: a young person, consent, a joint meeting, Kela's answer,
and the follow-up plan with who does what and when.

Everything happens through the UI except one shortcut: time passes (the meeting is moved into
the past in the database) so that it can be marked held.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Consent, YouthClient, add_years
from meetings.models import ActionItem, JointMeeting, Participant
from tests import factories as f

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def switch_to_english(page: Page) -> None:
    """Use the language switcher in the header; for a logged-in user it is remembered."""
    if page.locator("html").get_attribute("lang") != "en":
        page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    switch_to_english(page)
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header")).to_contain_text(user.get_full_name())
    # The user's own language applies after logging in, whatever was chosen before.
    switch_to_english(page)


def log_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def meeting_status(page: Page):
    # The meeting's own status is the first badge; the participants list has more.
    return page.locator(".status-badge").first


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_worker_books_a_meeting_kela_accepts_and_the_plan_is_recorded(live_server, page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    # The strict Content-Security-Policy is on: anything it blocks is a failure.
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    worker = f.WorkerFactory(first_name="Alice", last_name="Aaltonen")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    today = timezone.localdate()
    born = add_years(today, -19) - datetime.timedelta(days=40)
    meeting_day = today + datetime.timedelta(days=7)
    review_day = today + datetime.timedelta(days=30)

    # 1. The aftercare worker logs in through the login form.
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    screenshot(page, "01-login")
    log_in(page, live_server, worker)

    # 2. A young person's record.
    page.get_by_role("link", name="Add a young person").click()
    page.get_by_label("First name").fill("Amina")
    page.get_by_label("Last name").fill("Virtanen")
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.get_by_label("Client group").select_option("unaccompanied")
    page.locator("#id_language").select_option(label="Finnish")
    page.get_by_label("E-mail for reminders").fill("amina@example.fi")
    screenshot(page, "02-young-person-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/young-people/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_have_text("Amina Virtanen")
    expect(page.locator("#messages")).to_contain_text("The young person was added.")
    expect(page.get_by_text("There is no valid consent")).to_be_visible()
    screenshot(page, "03-record-page")

    # 3. The young person's consent.
    page.get_by_role("link", name="Record a new consent").click()
    for scope in ("scope_kela_meeting", "scope_share_plan", "scope_client_plan"):
        page.locator(f"input[name={scope}]").check()
    page.locator("input[name=how_given][value=in_writing]").check()
    screenshot(page, "04-consent-form")
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("#messages")).to_contain_text("The consent was recorded.")
    expect(page.get_by_text("There is no valid consent")).to_have_count(0)
    consents = page.locator("section[aria-labelledby=h-consent]")
    expect(consents).to_contain_text("Valid")
    expect(consents).to_contain_text("Share the follow-up plan with the Kela contact person")

    # 4. Book the joint meeting and invite the Kela contact.
    page.get_by_role("link", name="Book a joint meeting").click()
    page.get_by_label("Goal of the meeting").fill("Opintotuki ja asumistuki kuntoon syksyksi")
    page.locator("input[name=topics][value=student_aid]").check()
    page.locator("input[name=topics][value=housing]").check()
    page.locator("#id_day").fill(meeting_day.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("11:00")
    page.locator("input[name=modality][value=face_to_face]").check()
    page.get_by_label("Place").fill("Jälkihuollon toimisto, Kirkkokatu 1")
    page.locator("select[name=kela_contact]").select_option(str(kela.pk))
    screenshot(page, "05-booking-form")
    page.locator("button[name=action][value=invite]").click()
    expect(page.locator("#messages")).to_contain_text("The invitation was sent.")
    expect(meeting_status(page)).to_have_text("Invited")
    expect(page.locator("section[aria-labelledby=h-participants]")).to_contain_text("Kaisa Kelanen")
    screenshot(page, "06-meeting-worker-invited")
    meeting_url = page.url

    # 5. The Kela contact accepts the invitation.
    log_out(page)
    log_in(page, live_server, kela)
    to_answer = page.locator("section[aria-labelledby=h-answer]")
    expect(to_answer.get_by_role("link")).to_have_count(1)
    screenshot(page, "07-home-kela")
    to_answer.get_by_role("link", name="Amina").click()
    expect(page).to_have_url(meeting_url)
    expect(meeting_status(page)).to_have_text("Invited")
    # Kela sees the first name only.
    expect(page.locator("main")).not_to_contain_text("Virtanen")
    screenshot(page, "08-meeting-kela-invitation")
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#messages")).to_contain_text("Your answer was sent to the organiser.")
    expect(meeting_status(page)).to_have_text("Confirmed")
    screenshot(page, "09-meeting-kela-confirmed")
    log_out(page)

    # 6. Time passes: the meeting is now behind us.
    meeting = JointMeeting.objects.get(youth__first_name="Amina")
    f.move_into_past(meeting)

    # 7. The worker marks the meeting held and records the follow-up plan.
    log_in(page, live_server, worker)
    screenshot(page, "10-home-worker")
    # The past meeting waits on the home page for its plan.
    page.locator("section[aria-labelledby=h-to-record]").get_by_role(
        "link", name="Amina Virtanen"
    ).click()
    expect(page).to_have_url(meeting_url)
    expect(meeting_status(page)).to_have_text("Confirmed")
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    page.get_by_label("Summary").fill(
        "Käytiin läpi opintotuki ja asumistuki. Amina hakee opintotukea ennen syksyä."
    )
    page.locator("input[name=kela_cooperation][value=yes]").check()
    page.get_by_label("Review date").fill(review_day.isoformat())
    page.get_by_role("button", name="Record the plan").click()
    expect(page.locator("#messages")).to_contain_text("The follow-up plan was saved.")

    # The add form is enhanced with htmx: only the list is replaced, the page is not reloaded.
    page.wait_for_function("() => window.htmx !== undefined")
    items = page.locator("#action-items tbody")
    expect(items).to_contain_text("No action items yet.")
    new_items = [
        ("Kaisa Kelanen (Kela contact person)", "Check the student aid application", 5),
        ("Amina (Young person)", "Send the tenancy agreement to Kela", 10),
    ]
    page.evaluate("window.noReload = true")  # gone if the whole page were loaded again
    for owner, what, days in new_items:
        page.locator("#id_owner").select_option(label=owner)
        page.locator("#id_what").fill(what)
        page.get_by_label("When (due date)").fill(
            (today + datetime.timedelta(days=days)).isoformat()
        )
        page.locator("#action-items").get_by_role("button", name="Add", exact=True).click()
        expect(items).to_contain_text(what)
    expect(items.locator("tr")).to_have_count(2)
    assert page.evaluate("window.noReload") is True
    # The news is put into the page's live region for screen readers.
    expect(page.locator("#messages")).to_contain_text("The action item was added.")
    expect(items.locator("tr").nth(0)).to_contain_text("Kaisa Kelanen")
    expect(items.locator("tr").nth(0)).to_contain_text("Check the student aid application")
    expect(items.locator("tr").nth(1)).to_contain_text("Amina")
    expect(items.locator("tr").nth(1)).to_contain_text("Send the tenancy agreement to Kela")
    screenshot(page, "11-plan-with-items")

    # What was stored.
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.PLAN_RECORDED
    youth = YouthClient.objects.get(pk=meeting.youth_id)
    assert youth.date_of_birth == born
    assert youth.responsible_worker == worker
    assert youth.consents.get().how_given == Consent.HowGiven.IN_WRITING
    assert meeting.participants.get(user=kela).status == Participant.Status.ACCEPTED
    plan = meeting.plan
    assert plan.review_date == review_day
    assert plan.kela_cooperation == "yes"
    assert plan.summary.startswith("Käytiin läpi opintotuki")
    stored = [
        (item.owner.kind, item.what, item.due_date)
        for item in ActionItem.objects.filter(plan=plan).select_related("owner")
    ]
    assert stored == [
        (
            Participant.Kind.KELA_CONTACT,
            "Check the student aid application",
            today + datetime.timedelta(days=5),
        ),
        (
            Participant.Kind.YOUNG_PERSON,
            "Send the tenancy agreement to Kela",
            today + datetime.timedelta(days=10),
        ),
    ]
    assert not blocked, blocked
