"""Reviews as rounds (issue 16): each review is one round with the date agreed for it; every
round is reminded to the worker and, while cooperation with Kela continues, to Kela; the
meeting is "in follow-up" until a review ends the cooperation."""

import datetime
import importlib
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from meetings import notifications, services
from meetings.models import FollowUpPlan, JointMeeting, Notification, Review
from meetings.notifications.kinds import KINDS, not_needed
from meetings.notifications.render import text
from tests import factories as f

Kind = Notification.Kind
S = JointMeeting.Status
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
REVIEW_KINDS = [Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE]


def at(day: str, hour=9):
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def held_meeting(*, youth, organiser, kela) -> JointMeeting:
    """Held, as f.held_meeting, without the feedback links (not what these tests are about)."""
    meeting = f.invited_meeting(youth=youth, organiser=organiser, kela=kela)
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    meeting = f.move_into_past(meeting)
    JointMeeting.objects.filter(pk=meeting.pk).update(status=S.HELD, held_at=meeting.starts_at)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def plan(youth, alice, kela, consent):
    """Held on Monday 2.11.2026; the first review agreed for Wednesday 25.11."""
    type(consent).objects.filter(pk=consent.pk).update(given_at=at("2026-10-01"))
    with time_machine.travel(at("2026-11-02"), tick=False):
        held = held_meeting(youth=youth, organiser=alice, kela=kela)
        plan = services.plan_save(
            meeting=held,
            fields={
                "summary": "Opintotuki",
                "review_date": d("2026-11-25"),
                "kela_cooperation": "yes",
            },
            version=None,
            by=alice,
        )
    Notification.objects.all().delete()
    return plan


def sweep(day: str) -> set:
    """One reminder sweep on `day`: the review reminders created, as (kind, recipient, date)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(at(day), tick=False):
        notifications.reminders_create()
    new = Notification.objects.filter(kind__in=REVIEW_KINDS).exclude(pk__in=before)
    return {(n.kind, n.recipient_id, n.key.split(":")[2]) for n in new}


def review_data(plan, held_on: str, **kw) -> dict:
    """The review form as the worker sends it, opened for the plan's current round."""
    plan.refresh_from_db()
    return {
        "agreed_for": plan.review_date.isoformat() if plan.review_date else "",
        "held_on": held_on,
        "how_it_went": "Hyvin",
        "with_young_person": "on",
        **kw,
    }


def post(client, user, plan, day: str, data: dict, hour=12):
    """`user` sends the review form on `day` (logged in then: sessions end when idle)."""
    with time_machine.travel(at(day, hour), tick=False):
        f.log_in(client, user)
        return client.post(reverse("meetings:review", args=[plan.meeting_id]), data)


def record(client, user, plan, day: str, **kw):
    held_on = kw.pop("held_on", day)
    return post(client, user, plan, day, review_data(plan, held_on, **kw))


def test_every_round_reminds_the_worker_and_kela_until_the_cooperation_ends(
    client, plan, alice, kela
):
    # Round 1: three working days ahead, both are reminded; a second sweep adds nothing.
    assert sweep("2026-11-20") == {
        (Kind.REVIEW_DUE, alice.pk, "20261125"),
        (Kind.REVIEW_DUE, kela.pk, "20261125"),
    }
    assert sweep("2026-11-20") == set()
    first_round = list(Notification.objects.filter(kind=Kind.REVIEW_DUE))
    response = record(
        client, alice, plan, "2026-11-25", next_review_date="2026-12-16", kela_continues="on"
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.meeting.status == S.IN_FOLLOW_UP and plan.review_date == d("2026-12-16")
    # A reminder of a reviewed round is not sent any more.
    assert all(not_needed(n) == "reviewed or moved" for n in first_round)

    # Round 2: reminded ahead, then overdue (to both), then reviewed late.
    assert sweep("2026-12-11") == {
        (Kind.REVIEW_DUE, alice.pk, "20261216"),
        (Kind.REVIEW_DUE, kela.pk, "20261216"),
    }
    overdue = sweep("2026-12-17")
    assert overdue == {
        (Kind.REVIEW_OVERDUE, alice.pk, "20261216"),
        (Kind.REVIEW_OVERDUE, kela.pk, "20261216"),
    }
    with time_machine.travel(at("2026-12-17"), tick=False):
        second_round = Notification.objects.filter(plan=plan, key__contains=":20261216:")
        assert [not_needed(n) for n in second_round] == [""] * 4
    response = record(
        client, alice, plan, "2026-12-18", next_review_date="2027-01-20", kela_continues="on"
    )
    assert response.status_code == 302

    # Round 3: reminded, then the review ends the cooperation: no more rounds.
    assert sweep("2027-01-15") == {
        (Kind.REVIEW_DUE, alice.pk, "20270120"),
        (Kind.REVIEW_DUE, kela.pk, "20270120"),
    }
    response = record(
        client, alice, plan, "2027-01-20", close_cooperation="on", end_reason="goals_reached"
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.meeting.status == S.COOPERATION_ENDED and plan.review_date is None
    assert sweep("2027-01-25") == set()
    with time_machine.travel(at("2027-01-25"), tick=False):
        assert {not_needed(n) for n in Notification.objects.filter(plan=plan)} == {
            "cooperation ended"
        }

    # Each reminder still names the date of its own round (the plan's date has moved on).
    with translation.override("en"):
        said = {
            (n.kind, text(n)[1]) for n in Notification.objects.filter(plan=plan, recipient=alice)
        }
    name = plan.meeting.youth.first_name
    assert said == {
        (Kind.REVIEW_DUE, f"The review of the plan made with {name} is on {day}.")
        for day in ("25.11.2026", "16.12.2026", "20.1.2027")
    } | {(Kind.REVIEW_OVERDUE, f"The review of the plan made with {name} was due on 16.12.2026.")}

    rounds = list(plan.reviews.order_by("agreed_for").values_list("agreed_for", "held_on"))
    assert rounds == [
        (d("2026-11-25"), d("2026-11-25")),
        (d("2026-12-16"), d("2026-12-18")),
        (d("2027-01-20"), d("2027-01-20")),
    ]
    # Nothing to record any more: the page says so instead of offering a form.
    with time_machine.travel(at("2027-01-25"), tick=False):
        f.log_in(client, alice)
        response = client.get(reverse("meetings:review", args=[plan.meeting_id]))
    assert response.status_code == 302


def test_when_cooperation_with_kela_ends_only_the_worker_is_reminded(client, plan, alice):
    record(client, alice, plan, "2026-11-25", next_review_date="2026-12-16")
    plan.refresh_from_db()
    assert plan.kela_cooperation == FollowUpPlan.KelaCooperation.NO
    assert sweep("2026-12-11") == {(Kind.REVIEW_DUE, alice.pk, "20261216")}


def test_each_reminder_links_to_a_page_its_reader_may_see(client, plan, alice, kela):
    sweep("2026-11-20")
    with time_machine.travel(at("2026-11-20"), tick=False):
        for n in Notification.objects.filter(kind=Kind.REVIEW_DUE):
            link = KINDS[n.kind].link(n)
            page = f.log_in(client, n.recipient).get(link)
            assert page.status_code == 200, (n.recipient, link)
            if n.recipient == kela:
                assert link == reverse("meetings:detail", args=[plan.meeting_id])
                assert "Opintotuki" in page.content.decode()  # the plan, shared by consent
            else:
                assert link == reverse("meetings:plan", args=[plan.meeting_id])
            client.logout()


class TestBadInput:
    """Refused with the message next to the field, in the user's language."""

    def page(self, client, user, language, response_of):
        user.preferred_language = language
        user.save()
        response = response_of(client)
        assert response.status_code == 400
        return response.context["form"].errors, response.content.decode()

    def test_a_next_review_date_in_the_past_is_refused(self, client, plan, alice):
        errors, page = self.page(
            client,
            alice,
            "fi",
            lambda c: record(
                c, alice, plan, "2026-11-25", held_on="2026-11-20", next_review_date="2026-11-24"
            ),
        )
        assert list(errors) == ["next_review_date"]
        assert "Seuraava tarkistus ei voi olla menneisyydessä." in page

    def test_a_next_review_date_not_after_this_review_is_refused(self, client, plan, alice):
        errors, page = self.page(
            client,
            alice,
            "sv",
            lambda c: record(c, alice, plan, "2026-11-25", next_review_date="2026-11-25"),
        )
        assert list(errors) == ["next_review_date"]
        assert "Nästa uppföljning måste vara efter denna uppföljning." in page
        assert not Review.objects.exists()

    def test_ending_without_a_reason_is_refused(self, client, plan, alice):
        errors, page = self.page(
            client,
            alice,
            "sv",
            lambda c: record(c, alice, plan, "2026-11-25", close_cooperation="on"),
        )
        assert list(errors) == ["end_reason"]
        assert "Välj varför samarbetet avslutas." in page

    def test_a_round_recorded_twice_is_refused_the_second_time(self, client, plan, alice):
        # Two tabs opened for the round of 25.11; the second is sent after the first.
        stale = review_data(plan, "2026-11-25", next_review_date="2026-12-16")
        assert (
            record(client, alice, plan, "2026-11-25", next_review_date="2026-12-16").status_code
            == 302
        )
        response = post(client, alice, plan, "2026-11-25", stale, hour=13)
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["held_on"]
        assert plan.reviews.count() == 1

    def test_the_database_holds_one_review_per_round(self, plan, alice):
        from django.db import IntegrityError, transaction

        Review.objects.create(
            plan=plan,
            agreed_for=d("2026-11-25"),
            held_on=d("2026-11-25"),
            how_it_went="x",
            next_review_date=d("2026-12-16"),
            recorded_by=alice,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Review.objects.create(
                plan=plan,
                agreed_for=d("2026-11-25"),
                held_on=d("2026-11-26"),
                how_it_went="y",
                next_review_date=d("2026-12-17"),
                recorded_by=alice,
            )


def test_the_data_migration_rebuilds_rounds_and_statuses(plan, alice):
    """0008 on today's models: the rounds from the chain of next review dates, the first one
    from its held date; "reviewed" meetings into in follow-up or cooperation ended."""
    from django.apps import apps

    migration = importlib.import_module("meetings.migrations.0008_review_rounds_data")
    rows = [
        ("2026-11-20", "2026-12-10", False),
        ("2026-12-12", "2027-01-10", False),
        ("2027-01-12", None, True),
    ]
    for n, (held_on, nxt, close) in enumerate(rows):
        Review.objects.create(
            plan=plan,
            agreed_for=d("2000-01-01") + datetime.timedelta(days=n),  # unknown before 0008
            held_on=d(held_on),
            how_it_went="x",
            next_review_date=nxt and d(nxt),
            close_cooperation=close,
            end_reason="other" if close else "",
            recorded_by=alice,
        )
    JointMeeting.objects.filter(pk=plan.meeting_id).update(status="reviewed")
    migration.reviews_forward(apps, None)
    migration.meetings_forward(apps, None)
    agreed = list(plan.reviews.order_by("held_on").values_list("agreed_for", flat=True))
    assert agreed == [d("2026-11-20"), d("2026-12-10"), d("2027-01-10")]
    plan.meeting.refresh_from_db()
    assert plan.meeting.status == S.IN_FOLLOW_UP  # the plan still has a review date
    FollowUpPlan.objects.filter(pk=plan.pk).update(review_date=None)
    JointMeeting.objects.filter(pk=plan.meeting_id).update(status="reviewed")
    migration.meetings_forward(apps, None)
    plan.meeting.refresh_from_db()
    assert plan.meeting.status == S.COOPERATION_ENDED


def test_the_data_migration_links_items_ticked_in_a_review_to_its_round(plan, alice):
    """0012: a review recorded before the link existed ticked its items right after it was
    saved, as the same user; those ticks (and no later ones) are linked to the round."""
    from django.apps import apps

    from meetings.models import ActionItem, ActionItemChange

    migration = importlib.import_module("meetings.migrations.0012_action_item_change_review")
    owner = plan.meeting.participants.get(user=alice)
    ticked, later = (
        ActionItem.objects.create(plan=plan, owner=owner, what=what) for what in ("a", "b")
    )
    with time_machine.travel(at("2026-11-25", 12), tick=False):
        review = Review.objects.create(
            plan=plan,
            agreed_for=d("2026-11-25"),
            held_on=d("2026-11-25"),
            how_it_went="x",
            next_review_date=d("2026-12-16"),
            recorded_by=alice,
        )
    for item, hour in ((ticked, 12), (later, 14)):
        with time_machine.travel(at("2026-11-25", hour), tick=False):
            services.action_item_set_done(item=item, done=True, by=alice)
    ActionItemChange.objects.update(review=None)
    migration.link_ticks_to_reviews(apps, None)
    linked = ActionItemChange.objects.filter(review=review).values_list("item__what", flat=True)
    assert list(linked) == ["a"]


@pytest.mark.parametrize("who", ["worker on the plan page", "worker", "kela"])
def test_pages_with_the_plan_take_as_many_queries_for_50_items_and_5_rounds_as_for_1(
    client_as, plan, alice, kela, who, django_assert_num_queries
):
    """Issue 16: the plan page (and the meeting page, where Kela sees the plan and its reviews)
    with 50 items, each moved and noted, and 5 review rounds takes as many queries as with 1."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owners = [plan.meeting.participants.get(user=alice), f.kela_participant(plan.meeting, kela)]

    def add(items: int, rounds: int) -> None:
        for i in range(items):
            item = services.action_item_add(
                plan=plan, owner=owners[i % 2], what=f"Tehtävä {i}", due_date=None, by=alice
            )
            item = services.action_item_edit(
                item=item,
                what=item.what,
                owner=item.owner,
                due_date=plan.meeting.day + datetime.timedelta(days=3),
                note="siirtyi",
                version=item.version,
                by=alice,
            )
            services.action_item_note(item=item, note="etenee", by=alice)
        for _ in range(rounds):
            current = FollowUpPlan.objects.get(pk=plan.pk)
            services.review_record(
                plan=current,
                review=Review(
                    held_on=current.review_date,
                    how_it_went="Hyvin",
                    with_kela=True,
                    kela_continues=True,
                    next_review_date=current.review_date + datetime.timedelta(days=20),
                ),
                done_items=list(current.items.filter(status="open")[:1]),
                by=alice,
                agreed_for=current.review_date,
            )

    client = client_as(alice if who.startswith("worker") else kela)
    name = "meetings:plan" if who == "worker on the plan page" else "meetings:detail"
    url = reverse(name, args=[plan.meeting_id])
    add(1, 1)
    client.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(49, 4)
    assert plan.items.count() == 50 and plan.reviews.count() == 5
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Tehtävä 48" in page and page.count("Hyvin") == 5


def test_after_the_cooperation_ended_the_plan_is_saved_without_a_review_date(client, plan, alice):
    """The plan can still be edited (e.g. marked recorded into the client plan) once a review
    ended the cooperation: the review date is no longer asked for, and none can be set."""
    ended = record(client, alice, plan, "2026-11-25", close_cooperation="on", end_reason="other")
    assert ended.status_code == 302
    plan.refresh_from_db()
    assert plan.review_date is None
    url = reverse("meetings:plan", args=[plan.meeting_id])
    with time_machine.travel(at("2026-11-26"), tick=False):
        f.log_in(client, alice)
        page = client.get(url).content.decode()
        assert "Yhteistyö on päättynyt: tarkistuksia ei enää ole." in page
        response = client.post(
            url,
            {
                "summary": "Opintotuki",
                "kela_cooperation": "yes",
                "review_date": "1.12.2026",  # a disabled field: what is sent is ignored
                "recorded_in_client_plan": "on",
                "version": plan.version,
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    plan.refresh_from_db()
    assert plan.recorded_in_client_plan and plan.review_date is None
    assert plan.meeting.status == S.COOPERATION_ENDED
