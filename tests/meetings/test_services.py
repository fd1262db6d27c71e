"""Every status transition of a joint meeting, through the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kelayhteistyo.models import AccessLog
from meetings import services
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant, Review
from tests import factories as f

S = JointMeeting.Status
P = Participant.Status


def respond(meeting, kela, answer, **kw):
    return services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer=answer, by=kela, **kw
    )


def test_it_books_a_draft_with_participants(youth, alice):
    meeting = services.meeting_create(
        meeting=f.MeetingFactory.build(youth=youth, organiser=alice),
        by=alice,
        kela_contact=None,
        others=[{"name": "Tulkki Tiina", "role_title": "tulkki", "organisation_name": ""}],
        invite=False,
    )
    assert meeting.status == S.DRAFT
    kinds = sorted(meeting.participants.values_list("kind", flat=True))
    assert kinds == ["aftercare_worker", "other", "young_person"]


def test_draft_to_invited_with_consent(youth, alice, kela, consent):
    meeting = f.MeetingFactory(youth=youth, organiser=alice)
    participant = services.meeting_invite(meeting=meeting, kela_contact=kela, by=alice)
    meeting.refresh_from_db()
    assert meeting.status == S.INVITED
    assert meeting.consent == consent
    assert participant.status == P.PENDING
    assert AccessLog.objects.filter(youth=youth, action=AccessLog.Action.DISCLOSE).exists()


def test_no_invitation_without_consent(youth, alice, kela):
    meeting = f.MeetingFactory(youth=youth, organiser=alice)
    with pytest.raises(ValidationError) as e:
        services.meeting_invite(meeting=meeting, kela_contact=kela, by=alice)
    assert "kela_contact" in e.value.error_dict
    meeting.refresh_from_db()
    assert meeting.status == S.DRAFT
    assert not meeting.participants.filter(user=kela).exists()


@pytest.mark.parametrize(
    "consent_kwargs",
    [
        {"scope_kela_meeting": False},
        {
            "valid_until": datetime.date(2020, 1, 1),
            "given_at": datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC),
        },
        {"withdrawn_at": timezone.now()},
    ],
    ids=["scope-not-covered", "expired", "withdrawn"],
)
def test_no_invitation_with_an_invalid_consent(youth, alice, kela, consent_kwargs):
    if "withdrawn_at" in consent_kwargs:
        consent_kwargs["withdrawn_by"] = alice
    f.ConsentFactory(youth=youth, recorded_by=alice, **consent_kwargs)
    meeting = f.MeetingFactory(youth=youth, organiser=alice)
    with pytest.raises(ValidationError):
        services.meeting_invite(meeting=meeting, kela_contact=kela, by=alice)


def test_only_a_kela_contact_can_be_invited(youth, alice, bob, consent):
    meeting = f.MeetingFactory(youth=youth, organiser=alice)
    with pytest.raises(ValidationError):
        services.meeting_invite(meeting=meeting, kela_contact=bob, by=alice)


def test_invited_to_confirmed_on_accept(meeting, kela):
    respond(meeting, kela, P.ACCEPTED)
    meeting.refresh_from_db()
    assert meeting.status == S.CONFIRMED
    assert f.kela_participant(meeting, kela).responded_at is not None


def test_decline_needs_a_reason_and_keeps_the_meeting_invited(meeting, kela):
    with pytest.raises(ValidationError):
        respond(meeting, kela, P.DECLINED, message="  ")
    respond(meeting, kela, P.DECLINED, message="Lomalla")
    meeting.refresh_from_db()
    assert meeting.status == S.INVITED
    assert f.kela_participant(meeting, kela).status == P.DECLINED


def test_after_a_decline_another_contact_can_be_invited(meeting, alice, kela, kela_other):
    respond(meeting, kela, P.DECLINED, message="Lomalla")
    services.meeting_invite(meeting=meeting, kela_contact=kela_other, by=alice)
    assert f.kela_participant(meeting, kela_other).status == P.PENDING
    assert meeting.kela_participant.user == kela_other


def test_a_second_contact_is_not_invited_while_the_first_one_is_pending(meeting, alice, kela_other):
    with pytest.raises(ValidationError):
        services.meeting_invite(meeting=meeting, kela_contact=kela_other, by=alice)


def test_proposal_then_organiser_accepts_and_the_meeting_moves(meeting, alice, kela):
    new_time = meeting.starts_at + datetime.timedelta(days=2)
    respond(meeting, kela, P.PROPOSED, proposed_start=new_time, message="Sopiiko?")
    services.proposal_accept(participant=f.kela_participant(meeting, kela), by=alice)
    meeting.refresh_from_db()
    assert meeting.status == S.CONFIRMED
    assert meeting.starts_at == new_time
    assert f.kela_participant(meeting, kela).status == P.ACCEPTED


def test_a_proposal_needs_a_future_time(meeting, kela):
    with pytest.raises(ValidationError) as e:
        respond(meeting, kela, P.PROPOSED, proposed_start=None)
    assert "proposed_start" in e.value.error_dict
    with pytest.raises(ValidationError):
        respond(
            meeting, kela, P.PROPOSED, proposed_start=timezone.now() - datetime.timedelta(hours=1)
        )


def test_answering_twice_is_refused(meeting, kela):
    respond(meeting, kela, P.ACCEPTED)
    with pytest.raises(ValidationError, match="Olet jo vastannut"):
        respond(meeting, kela, P.DECLINED, message="Muutin mieleni")


def test_answering_after_cancellation_is_refused(meeting, alice, kela):
    services.meeting_cancel(meeting=meeting, by=alice, reason="Nuori sairastui")
    with pytest.raises(ValidationError, match="Tapaaminen on peruttu"):
        respond(meeting, kela, P.ACCEPTED)


def test_only_the_invitee_answers(meeting, kela, kela_other):
    with pytest.raises(ValidationError):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer=P.ACCEPTED, by=kela_other
        )


def test_moving_a_confirmed_meeting_asks_kela_again(meeting, alice, kela):
    respond(meeting, kela, P.ACCEPTED)
    meeting.refresh_from_db()
    meeting.starts_at += datetime.timedelta(days=1)
    services.meeting_update(meeting=meeting, by=alice)
    meeting.refresh_from_db()
    assert meeting.status == S.INVITED
    assert f.kela_participant(meeting, kela).status == P.PENDING


def test_cancel_needs_a_reason(meeting, alice):
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, by=alice, reason="")
    services.meeting_cancel(meeting=meeting, by=alice, reason="Nuori muutti")
    assert meeting.status == S.CANCELLED


@pytest.mark.parametrize(
    "status", [S.HELD, S.PLAN_RECORDED, S.IN_FOLLOW_UP, S.COOPERATION_ENDED, S.CANCELLED]
)
def test_a_held_or_cancelled_meeting_cannot_be_cancelled(meeting, alice, status):
    JointMeeting.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, by=alice, reason="x")


def test_confirmed_to_held_only_after_the_start(meeting, alice, kela):
    respond(meeting, kela, P.ACCEPTED)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="ei ole vielä alkanut"):
        services.meeting_mark_held(meeting=meeting, by=alice)
    f.move_into_past(meeting)
    services.meeting_mark_held(meeting=meeting, by=alice)
    assert meeting.status == S.HELD


def test_an_invited_meeting_cannot_be_marked_held(meeting, alice):
    f.move_into_past(meeting)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(meeting=meeting, by=alice)


@pytest.fixture
def held(youth, alice, kela, consent):
    return f.held_meeting(youth=youth, organiser=alice, kela=kela)


def plan_fields(**kw):
    return {
        "summary": "Haetaan opintotukea",
        "review_date": timezone.localdate() + datetime.timedelta(days=30),
        **kw,
    }


def test_held_to_plan_recorded(held, alice):
    plan = services.plan_save(meeting=held, fields=plan_fields(), version=None, by=alice)
    held.refresh_from_db()
    assert held.status == S.PLAN_RECORDED
    assert plan.version == 1


def test_no_plan_before_the_meeting_is_held(meeting, alice):
    with pytest.raises(ValidationError):
        services.plan_save(meeting=meeting, fields=plan_fields(), version=None, by=alice)


def test_the_review_date_cannot_be_before_the_meeting(held, alice):
    with pytest.raises(ValidationError) as e:
        services.plan_save(
            meeting=held,
            fields=plan_fields(review_date=datetime.date(2020, 1, 1)),
            version=None,
            by=alice,
        )
    assert "review_date" in e.value.error_dict


def test_a_stale_plan_save_is_refused_and_overwrites_nothing(held, alice):
    services.plan_save(meeting=held, fields=plan_fields(), version=None, by=alice)
    services.plan_save(meeting=held, fields=plan_fields(summary="Toinen"), version=1, by=alice)
    with pytest.raises(services.StalePlanError):
        services.plan_save(meeting=held, fields=plan_fields(summary="Kolmas"), version=1, by=alice)
    plan = FollowUpPlan.objects.get(meeting=held)
    assert plan.summary == "Toinen"
    assert plan.version == 2


def test_action_items_and_ticking_them(held, alice, kela):
    plan = services.plan_save(meeting=held, fields=plan_fields(), version=None, by=alice)
    owner = f.kela_participant(held, kela)
    item = services.action_item_add(
        plan=plan, owner=owner, what="Selvittää asumistuen", due_date=None, by=alice
    )
    services.action_item_set_done(item=item, done=True, by=kela)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE and item.done_at is not None
    services.action_item_set_done(item=item, done=False, by=alice)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN and item.done_at is None


def test_an_action_item_due_before_the_meeting_is_refused(held, alice):
    plan = services.plan_save(meeting=held, fields=plan_fields(), version=None, by=alice)
    owner = held.participants.get(user=alice)
    with pytest.raises(ValidationError) as e:
        services.action_item_add(
            plan=plan, owner=owner, what="x", due_date=datetime.date(2020, 1, 1), by=alice
        )
    assert "due_date" in e.value.error_dict


def test_an_owner_from_another_meeting_is_refused(held, alice, youth):
    plan = services.plan_save(meeting=held, fields=plan_fields(), version=None, by=alice)
    other = f.MeetingFactory(youth=youth, organiser=alice)
    with pytest.raises(ValidationError):
        services.action_item_add(
            plan=plan, owner=other.participants.first(), what="x", due_date=None, by=alice
        )


def test_plan_recorded_to_in_follow_up_to_ended(held, alice):
    plan = services.plan_save(meeting=held, fields=plan_fields(), version=None, by=alice)
    item = services.action_item_add(
        plan=plan, owner=held.participants.get(user=alice), what="Soittaa", due_date=None, by=alice
    )
    today = timezone.localdate()
    review = Review(
        held_on=today, how_it_went="Hyvin", next_review_date=today + datetime.timedelta(days=60)
    )
    services.review_record(
        plan=plan, review=review, done_items=[item], by=alice, agreed_for=plan.review_date
    )
    plan.refresh_from_db()
    held.refresh_from_db()
    item.refresh_from_db()
    assert held.status == S.IN_FOLLOW_UP
    assert plan.review_date == today + datetime.timedelta(days=60)
    assert plan.version == 2
    assert item.status == ActionItem.Status.DONE
    # A further review is possible, and closing clears the review date.
    services.review_record(
        plan=plan,
        review=Review(
            held_on=today, how_it_went="Valmis", close_cooperation=True, end_reason="other"
        ),
        done_items=[],
        by=alice,
        agreed_for=plan.review_date,
    )
    plan.refresh_from_db()
    held.refresh_from_db()
    assert plan.review_date is None
    assert held.status == S.COOPERATION_ENDED
    assert plan.reviews.count() == 2


def test_no_review_before_a_plan(held, alice):
    plan = FollowUpPlan.objects.create(meeting=held, summary="x", updated_by=alice)
    with pytest.raises(ValidationError):
        services.review_record(
            plan=plan,
            review=Review(held_on=timezone.localdate(), how_it_went="x", close_cooperation=True),
            done_items=[],
            by=alice,
            agreed_for=None,
        )


def test_drafts_never_sent_are_purged_after_half_a_year(alice, youth, kela, consent):
    import time_machine

    from overview.tasks import purge_stale_data

    draft = services.meeting_create(
        meeting=f.MeetingFactory.build(youth=youth, organiser=alice),
        by=alice,
        kela_contact=None,
        others=[{"name": "Tiina", "role_title": "tukihenkilö", "organisation_name": ""}],
        invite=False,
    )
    sent = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    with time_machine.travel(datetime.timedelta(days=170)):
        assert purge_stale_data()["drafts"] == 0
    with time_machine.travel(datetime.timedelta(days=181)):
        assert purge_stale_data()["drafts"] == 1
    assert not JointMeeting.objects.filter(pk=draft.pk).exists()
    assert JointMeeting.objects.filter(pk=sent.pk).exists()
