"""The whole flow in a real browser: a young person, consent, a joint meeting, Kela's answer,
the follow-up plan with who does what and when, three review rounds with Kela (each reminded
to both the day before), and the plan exported into the client plan.

Everything happens through the UI except two shortcuts: time passes (the meeting is moved into
the past in the database) so that it can be marked held, and later the clock is moved on with
time-machine (for the whole process, the live server included) to the day the reminder sweep
finds each round due; the sweep then runs in-process, as the beat task would run it.
"""

import datetime
import re
import zoneinfo
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cases.models import Consent, YouthClient, add_years
from meetings import notifications
from meetings.models import ActionItem, JointMeeting, Notification, Participant, PlanExport
from meetings.workdays import is_working_day
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
def test_a_worker_books_a_meeting_kela_accepts_and_the_plan_is_recorded_and_reviewed(
    live_server, page: Page
):
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
    to_answer = page.locator("section[aria-labelledby=h-to_answer]")
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
    page.locator("section[aria-labelledby=h-to_record]").get_by_role(
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

    log_out(page)
    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")

    def reminded_and_opened(agreed: datetime.date) -> None:
        """On the last working day before the round agreed for `agreed`, the reminder sweep runs
        (as the beat task would): the worker and Kela are both reminded, Kela's reminder opens
        the meeting page and the worker's the plan. The worker stays logged in."""
        sweep_day = agreed - datetime.timedelta(days=1)
        while not is_working_day(sweep_day):
            sweep_day -= datetime.timedelta(days=1)
        assert timezone.localdate() == sweep_day  # the caller travelled there
        before = set(Notification.objects.values_list("pk", flat=True))
        notifications.reminders_create()
        due = Notification.objects.filter(kind=Notification.Kind.REVIEW_DUE).exclude(pk__in=before)
        assert sorted(due.values_list("recipient", flat=True)) == sorted([worker.pk, kela.pk])
        day = f"{agreed:%-d.%-m.%Y}"
        log_in(page, live_server, kela)  # the sessions of days ago have ended
        page.goto(f"{live_server.url}/notifications/")
        reminder = page.locator("li.notification-unread", has_text="A review is coming up")
        expect(reminder).to_contain_text("Amina")
        reminder.get_by_role("button", name="Open: A review is coming up").click()
        expect(page).to_have_url(meeting_url)  # a page Kela may see
        log_out(page)
        log_in(page, live_server, worker)
        page.goto(f"{live_server.url}/notifications/")
        reminder = page.locator("li.notification-unread", has_text="A review is coming up")
        expect(reminder).to_contain_text(f"made with Amina is on {day}")
        screenshot(page, f"12-notifications-review-due-{agreed:%m%d}")
        reminder.get_by_role("button", name="Open: A review is coming up").click()
        expect(page).to_have_url(re.compile(r"/plan/$"))

    def sweep_before(agreed: datetime.date) -> datetime.datetime:
        sweep_day = agreed - datetime.timedelta(days=1)
        while not is_working_day(sweep_day):
            sweep_day -= datetime.timedelta(days=1)
        return datetime.datetime.combine(sweep_day, datetime.time(9), tzinfo=helsinki)

    def record_review(how: str, *, young=False, tick=None, next_review=None, end=None) -> None:
        page.locator("section[aria-labelledby=h-reviews]").get_by_role(
            "link", name="Record a review"
        ).click()
        expect(page.locator("h1")).to_contain_text("Review: how has it gone?")
        if young:
            page.get_by_label("The young person took part").check()
        page.get_by_label("The Kela contact person took part").check()
        page.get_by_label("How has it gone?").fill(how)
        if tick:
            page.get_by_label(tick).check()
        if next_review:
            expect(page.get_by_label("Cooperation with Kela continues")).to_be_checked()
            page.get_by_label("Next review date").fill(next_review.isoformat())
        else:
            page.get_by_label("Cooperation with Kela continues").uncheck()
            page.get_by_label("End the cooperation").check()
            page.get_by_label("Reason for ending").select_option("goals_reached")
            page.get_by_label("More about the ending").fill(end)
        screenshot(page, f"13-review-{timezone.localdate():%m%d}")
        page.get_by_role("button", name="Record the review").click()
        expect(page.locator("#messages")).to_contain_text("The review was recorded.")
        expect(meeting_status(page)).to_have_text(
            "In follow-up" if next_review else "Cooperation ended"
        )

    # 8. Round 1: both reminded the working day before; the young person took part too; the
    # tenancy agreement was sent, cooperation with Kela continues, round 2 agreed in two weeks.
    with time_machine.travel(sweep_before(review_day), tick=True):
        reminded_and_opened(review_day)
        second_review = timezone.localdate() + datetime.timedelta(days=14)
        record_review(
            "The student aid is applied for; housing pending.",
            young=True,
            tick="Send the tenancy agreement to Kela",
            next_review=second_review,
        )
        log_out(page)

        # 9. The Kela contact sees the review on the meeting page and moves its own item,
        # saying why.
        log_in(page, live_server, kela)
        page.goto(meeting_url)
        plan_section = page.locator("section[aria-labelledby=h-plan]")
        expect(plan_section).to_contain_text("The student aid is applied for; housing pending.")
        expect(plan_section).to_contain_text("Cooperation with Kela continues.")
        plan_section.get_by_role(
            "link", name="Edit, note or cancel: Check the student aid application"
        ).click()
        moved_to = timezone.localdate() + datetime.timedelta(days=12)
        page.get_by_label("When (due date)").fill(moved_to.isoformat())
        page.get_by_label("Why the due date moves (optional)").fill("Waiting for the decision")
        page.get_by_role(
            "button", name="Save the changes: Check the student aid application"
        ).click()
        expect(page.locator("#messages")).to_contain_text("The action item was saved")
        expect(page.locator("section[aria-labelledby=h-plan]")).to_contain_text(
            "Waiting for the decision"
        )
        screenshot(page, "14-meeting-kela-item-moved")
        log_out(page)

    # 10. Round 2, reminded the same way: Kela's item is done; cooperation continues.
    with time_machine.travel(sweep_before(second_review), tick=True):
        reminded_and_opened(second_review)
        third_review = timezone.localdate() + datetime.timedelta(days=21)
        record_review(
            "The student aid was granted; the housing allowance is being decided.",
            tick="Check the student aid application",
            next_review=third_review,
        )
        log_out(page)

    # 11. Round 3, reminded again, ends the cooperation: the goals were reached.
    with time_machine.travel(sweep_before(third_review), tick=True):
        reminded_and_opened(third_review)
        record_review("Both benefits granted; Amina manages.", end="Amina knows whom to call.")

        # 12. The plan, with all three rounds, into the client plan.
        page.goto(f"{meeting_url}plan/")
        page.get_by_role("button", name="Export into client plan").click()
        expect(page.locator("#messages")).to_contain_text(
            "The plan was exported into the client plan (version 1)."
        )
        expect(page.locator("#recorded-in-client-plan")).to_contain_text(
            "Recorded into the client plan: version 1"
        )
        screenshot(page, "16-plan-exported")
        with page.expect_download() as download:
            page.get_by_role(
                "link", name="Download version 1, client plan document, English"
            ).click()
        content = Path(download.value.path()).read_bytes()

    reviews = list(plan.reviews.order_by("held_on").values_list("agreed_for", "close_cooperation"))
    assert reviews == [(review_day, False), (second_review, False), (third_review, True)]
    with PlanExport.objects.get(variant="official").file.open("rb") as stored:
        assert content == stored.read()  # the snapshot as it was stored
    reader = PdfReader(BytesIO(content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert all(f"Review round {n}" in text for n in (1, 2, 3))
    assert "The student aid is applied for; housing pending." in text
    assert "Both benefits granted; Amina manages." in text
    assert "Waiting for the decision" in text and "Amina knows whom to call." in text
    assert not blocked, blocked
