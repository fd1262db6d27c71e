"""A review booked as a joint meeting (issue 16): the booking form starts from the plan (the
young person, the same Kela contact, the goal) and shows its open items; the plan continues in
the meeting, whose review round is recorded on the same plan — no second plan."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Review
from tests import factories as f
from tests.meetings.test_views import booking

S = JointMeeting.Status


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def plan(youth, alice, kela, consent):
    meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=meeting,
        fields={"summary": "Sovittiin", "review_date": in_days(20), "kela_cooperation": "yes"},
        version=None,
        by=alice,
    )
    worker = meeting.participants.get(user=alice)
    services.action_item_add(
        plan=plan, owner=worker, what="Soittaa Kelaan", due_date=in_days(5), by=alice
    )
    done = services.action_item_add(
        plan=plan, owner=worker, what="Jo tehty asia", due_date=in_days(5), by=alice
    )
    services.action_item_set_done(item=done, done=True, by=alice)
    return plan


def book_url(plan):
    meeting = plan.meeting
    return reverse("meetings:create", args=[meeting.youth_id]) + f"?review_of={meeting.pk}"


def book_review(plan, alice, kela) -> JointMeeting:
    """Booked, accepted by Kela and held (time moved into the past)."""
    review_meeting = services.meeting_create(
        meeting=JointMeeting(
            youth=plan.meeting.youth,
            goal="Tarkistus",
            modality="video",
            starts_at=timezone.now() + datetime.timedelta(days=2),
            language=f.language("fi"),
        ),
        by=alice,
        kela_contact=kela,
        others=[],
        invite=True,
        reviews_plan=plan,
    )
    services.invitation_respond(
        participant=f.kela_participant(review_meeting, kela), answer="accepted", by=kela
    )
    review_meeting = f.move_into_past(review_meeting)
    return services.meeting_mark_held(meeting=review_meeting, by=alice)


class TestBooking:
    def test_the_plan_page_offers_to_book_the_review_as_a_meeting(self, client_as, alice, plan):
        page = client_as(alice).get(reverse("meetings:plan", args=[plan.meeting_id]))
        assert book_url(plan) in page.content.decode()
        assert "Varaa tarkistus yhteisenä tapaamisena" in page.content.decode()

    def test_the_booking_form_is_filled_in_from_the_plan(self, client_as, alice, kela, plan):
        response = client_as(alice).get(book_url(plan))
        assert response.status_code == 200
        form = response.context["form"]
        day = plan.meeting.day
        assert form.initial["goal"] == (
            f"Jatkosuunnitelman tarkistus (yhteinen tapaaminen {day:%-d.%-m.%Y})"
        )
        assert form.initial["kela_contact"] == kela.pk
        body = response.content.decode()
        # The open items are carried (shown from the plan), the done one is not.
        assert "Soittaa Kelaan" in body and "Jo tehty asia" not in body
        assert f'name="review_of" value="{plan.meeting_id}"' in body

    def test_booking_links_the_meeting_to_the_plan_and_makes_no_second_plan(
        self, client_as, alice, kela, plan
    ):
        client = client_as(alice)
        data = booking(kela, review_of=str(plan.meeting_id))
        response = client.post(reverse("meetings:create", args=[plan.meeting.youth_id]), data)
        review_meeting = JointMeeting.objects.get(reviews_plan=plan)
        assert response["Location"] == reverse("meetings:detail", args=[review_meeting.pk])
        assert review_meeting.status == S.INVITED
        assert FollowUpPlan.objects.count() == 1
        page = client.get(reverse("meetings:plan", args=[plan.meeting_id])).content.decode()
        assert reverse("meetings:detail", args=[review_meeting.pk]) in page

    def test_the_plan_of_another_young_person_is_a_404(self, client_as, alice, plan):
        other = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
        url = reverse("meetings:create", args=[other.pk]) + f"?review_of={plan.meeting_id}"
        assert client_as(alice).get(url).status_code == 404
        bad = reverse("meetings:create", args=[other.pk]) + "?review_of=not-a-uuid"
        assert client_as(alice).get(bad).status_code == 404

    def test_no_review_meeting_after_the_cooperation_ended(self, alice, kela, plan):
        JointMeeting.objects.filter(pk=plan.meeting_id).update(status=S.COOPERATION_ENDED)
        plan.refresh_from_db()
        with pytest.raises(ValidationError):
            book_review(plan, alice, kela)


class TestHeldReviewMeeting:
    def test_its_review_is_recorded_on_the_same_plan(self, client_as, alice, kela, plan):
        review_meeting = book_review(plan, alice, kela)
        client = client_as(alice)
        detail = client.get(reverse("meetings:detail", args=[review_meeting.pk])).content.decode()
        review_url = reverse("meetings:review", args=[review_meeting.pk])
        assert review_url in detail and "Soittaa Kelaan" in detail
        # No plan of its own: the plan page leads to the plan it reviews.
        response = client.get(reverse("meetings:plan", args=[review_meeting.pk]))
        assert response["Location"] == reverse("meetings:plan", args=[plan.meeting_id])
        form = client.get(review_url).context["form"]
        assert form["with_kela"].value() and form["with_young_person"].value()
        assert form["held_on"].value() == review_meeting.day
        open_item = plan.items.get(what="Soittaa Kelaan")
        response = client.post(
            review_url,
            {
                "agreed_for": plan.review_date.isoformat(),
                "held_on": review_meeting.day.isoformat(),
                "with_kela": "on",
                "how_it_went": "Hyvin",
                "kela_continues": "on",
                "next_review_date": in_days(40).isoformat(),
                "done_items": [open_item.pk],
            },
        )
        assert response["Location"] == reverse("meetings:detail", args=[review_meeting.pk])
        review = Review.objects.get()
        assert review.plan == plan and review.meeting == review_meeting
        plan.refresh_from_db()
        assert plan.review_date == in_days(40)
        assert plan.meeting.status == S.IN_FOLLOW_UP
        assert plan.items.get(pk=open_item.pk).status == ActionItem.Status.DONE
        assert FollowUpPlan.objects.count() == 1
        # Recorded once: the page says so, a second post is refused.
        again = client.get(review_url)
        assert again.status_code == 302
        detail = client.get(reverse("meetings:detail", args=[review_meeting.pk])).content.decode()
        assert review_url not in detail and "Tässä tapaamisessa kirjattu tarkistus" in detail
        with pytest.raises(ValidationError):
            services.review_record(
                plan=plan,
                review=Review(held_on=timezone.localdate(), how_it_went="x"),
                done_items=[],
                by=alice,
                agreed_for=plan.review_date,
                held_in=review_meeting,
            )

    def test_marking_it_held_leads_to_the_review_not_to_a_new_plan(
        self, client_as, alice, kela, plan
    ):
        review_meeting = services.meeting_create(
            meeting=JointMeeting(
                youth=plan.meeting.youth,
                goal="Tarkistus",
                modality="video",
                starts_at=timezone.now() + datetime.timedelta(days=2),
                language=f.language("fi"),
            ),
            by=alice,
            kela_contact=kela,
            others=[],
            invite=True,
            reviews_plan=plan,
        )
        services.invitation_respond(
            participant=f.kela_participant(review_meeting, kela), answer="accepted", by=kela
        )
        f.move_into_past(review_meeting)
        client = client_as(alice)
        # Before it is held, no review form from it.
        assert client.get(reverse("meetings:review", args=[review_meeting.pk])).status_code == 302
        response = client.post(reverse("meetings:held", args=[review_meeting.pk]))
        assert response["Location"] == reverse("meetings:review", args=[review_meeting.pk])
        review_meeting.refresh_from_db()
        assert not review_meeting.needs_plan
        with pytest.raises(ValidationError):
            services.plan_save(
                meeting=review_meeting, fields={"summary": "Toinen"}, version=None, by=alice
            )

    def test_kela_sees_the_reviewed_plan_while_the_consent_covers_sharing(
        self, client_as, alice, kela, plan, consent
    ):
        review_meeting = book_review(plan, alice, kela)
        url = reverse("meetings:detail", args=[review_meeting.pk])
        body = client_as(kela).get(url).content.decode()
        assert "Soittaa Kelaan" in body
        # Kela adds items beside its item table on the plan's own meeting page, not here
        # (the Kela contact of a review meeting need not be the one of the plan's meeting).
        assert reverse("meetings:item_add", args=[review_meeting.pk]) not in body
        assert reverse("meetings:item_add", args=[plan.meeting_id]) not in body
        own = client_as(kela).get(reverse("meetings:detail", args=[plan.meeting_id]))
        assert reverse("meetings:item_add", args=[plan.meeting_id]) in own.content.decode()
        type(consent).objects.filter(pk=consent.pk).update(scope_share_plan=False)
        body = client_as(kela).get(url).content.decode()
        assert "Soittaa Kelaan" not in body

    def test_the_home_page_lists_a_held_review_meeting_until_its_review(
        self, client_as, alice, kela, plan
    ):
        review_meeting = book_review(plan, alice, kela)
        client = client_as(alice)
        assert review_meeting.pk in {m.pk for m in client.get(reverse("home")).context["to_record"]}
        services.review_record(
            plan=plan,
            review=Review(
                held_on=timezone.localdate(),
                how_it_went="Hyvin",
                kela_continues=True,
                next_review_date=in_days(30),
            ),
            done_items=[],
            by=alice,
            agreed_for=plan.review_date,
            held_in=review_meeting,
        )
        assert review_meeting.pk not in {
            m.pk for m in client.get(reverse("home")).context["to_record"]
        }


def test_the_plan_page_queries_do_not_grow_with_review_meetings(
    client_as, alice, kela, plan, django_assert_num_queries
):
    client = client_as(alice)
    url = reverse("meetings:plan", args=[plan.meeting_id])
    book_review(plan, alice, kela)
    client.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _i in range(3):
        book_review(plan, alice, kela)
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("Pidetty") >= 4  # every review meeting is listed with its status


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("alice", 200), ("bob", 404), ("kela", 403), ("coordinator", 403)],
)
def test_who_may_open_the_review_booking(client, request, plan, role, status):
    """The booking with `review_of` answers as the booking page does (tests/test_permissions)."""
    if role != "anonymous":
        f.log_in(client, request.getfixturevalue(role))
    response = client.get(book_url(plan))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_another_organisations_plan_cannot_be_reviewed_through_the_parameter(client_as, bob, plan):
    """Bob books for his own young person, naming Alice's plan: 404, nothing booked."""
    own = f.YouthFactory(organisation=bob.organisation, responsible_worker=bob)
    url = reverse("meetings:create", args=[own.pk]) + f"?review_of={plan.meeting_id}"
    client = client_as(bob)
    assert client.get(url).status_code == 404
    assert client.post(url, booking(None, action="draft")).status_code == 404
    assert not JointMeeting.objects.filter(reviews_plan=plan).exists()
