"""In a real browser: an outside service as the owner of an action item, and the review booked
as a joint meeting from the plan page, held, and recorded on the same plan (issue 16).

Shortcuts through the services: the first meeting and its plan exist already, Kela's answer,
and time passing (the review meeting is moved into the past so that it can be marked held)."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings import services
from meetings.models import FollowUpPlan, JointMeeting, Review
from tests import factories as f
from tests.e2e.test_flow import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_review_is_booked_as_a_joint_meeting_and_recorded_on_the_same_plan(
    live_server, page: Page
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory(first_name="Alice", last_name="Aaltonen")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(
        organisation=worker.organisation, responsible_worker=worker, first_name="Amina"
    )
    f.ConsentFactory(youth=youth, recorded_by=worker)
    first = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    today = timezone.localdate()
    plan = services.plan_save(
        meeting=first,
        fields={
            "summary": "Opintotuki ja asumistuki",
            "review_date": today + datetime.timedelta(days=20),
            "kela_cooperation": "yes",
        },
        version=None,
        by=worker,
    )
    services.action_item_add(
        plan=plan,
        owner=f.kela_participant(first, kela),
        what="Check the housing allowance",
        due_date=today + datetime.timedelta(days=5),
        by=kela,
    )

    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/meetings/{first.pk}/plan/")

    # An outside service does one thing; the worker follows it up.
    items = page.locator("#action-items")
    items.get_by_label("Or an outside service does it").fill("TE-palvelut")
    items.get_by_label("What").fill("Invite to a training course")
    items.get_by_role("button", name="Add").click()
    row = items.locator("tr", has_text="Invite to a training course")
    expect(row).to_contain_text("TE-palvelut")
    expect(row).to_contain_text("Outside service · followed up by Alice Aaltonen")
    screenshot(page, "review-01-plan-with-outside-service")

    # Book the review as a joint meeting: the form starts from the plan.
    page.get_by_role("link", name="Book the review as a joint meeting").click()
    expect(page.get_by_label("Goal of the meeting")).to_have_value(
        f"Review of the follow-up plan (joint meeting on {first.day:%-d.%-m.%Y})"
    )
    expect(page.get_by_label("Kela contact person")).to_have_value(str(kela.pk))
    carried = page.get_by_role("region", name="This meeting reviews the follow-up plan")
    expect(carried).to_contain_text("Check the housing allowance")
    expect(carried).to_contain_text("TE-palvelut: Invite to a training course")
    screenshot(page, "review-02-booking-form-prefilled")
    day = today + datetime.timedelta(days=10)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("11:00")
    page.locator("input[name=modality][value=video]").check()  # everyone by video
    page.get_by_role("button", name="Save and invite Kela").click()
    expect(
        page.get_by_role("heading", name="The follow-up plan this meeting reviews")
    ).to_be_visible()
    review_meeting = JointMeeting.objects.get(reviews_plan=plan)
    assert FollowUpPlan.objects.count() == 1

    # Kela accepts; time passes; the worker marks it held and records the review.
    services.invitation_respond(
        participant=f.kela_participant(review_meeting, kela), answer="accepted", by=kela
    )
    f.move_into_past(review_meeting)
    page.goto(f"{live_server.url}/meetings/{review_meeting.pk}/")
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page.get_by_role("heading", name="Review: how has it gone?")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Record the review next.")
    expect(
        page.get_by_text("Invite to a training course (TE-palvelut (Alice Aaltonen))")
    ).to_be_visible()
    expect(page.get_by_label("the Kela contact person took part")).to_be_checked()
    page.get_by_label("How has it gone?").fill("Housing allowance applied for.")
    page.get_by_label("Check the housing allowance").check()
    page.get_by_label("Cooperation with Kela continues").check()
    page.get_by_label("Next review date").fill((today + datetime.timedelta(days=40)).isoformat())
    screenshot(page, "review-03-review-form-from-the-meeting")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("heading", name="The review recorded in this meeting")).to_be_visible()
    screenshot(page, "review-04-review-meeting-after-review")
    review = Review.objects.get()
    assert review.plan == plan and review.meeting == review_meeting
    plan.refresh_from_db()
    assert plan.review_date == today + datetime.timedelta(days=40)
