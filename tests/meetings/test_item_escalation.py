"""Overdue action items escalate once to the responsible worker (issue 16) after
ACTION_ITEM_ESCALATION_WORKDAYS Finnish working days; never for a done or cancelled item, nor
once the consent is withdrawn or the cooperation has ended."""

import pytest
import time_machine
from django.urls import reverse

from cases.models import Consent
from meetings import notifications, services
from meetings.models import ActionItem, JointMeeting, Notification
from meetings.notifications.kinds import KINDS, not_needed
from tests.meetings.test_review_rounds import at, d, held_meeting

Kind = Notification.Kind


@pytest.fixture
def plan(youth, alice, kela, consent):
    """Held on Monday 2.11.2026, review agreed for 2027 (no review reminders in the way)."""
    Consent.objects.filter(pk=consent.pk).update(given_at=at("2026-10-01"))
    with time_machine.travel(at("2026-11-02"), tick=False):
        held = held_meeting(youth=youth, organiser=alice, kela=kela)
        return services.plan_save(
            meeting=held,
            fields={"summary": "Sovittiin", "review_date": d("2027-02-01")},
            version=None,
            by=alice,
        )


def item(plan, *, due: str, owner_user=None, **kw) -> ActionItem:
    owner = plan.meeting.participants.get(user=owner_user) if owner_user else None
    with time_machine.travel(at("2026-11-02"), tick=False):
        return services.action_item_add(
            plan=plan,
            owner=owner,
            what=kw.pop("what", "Hakee opintotukea"),
            due_date=d(due),
            by=plan.meeting.organiser,
            **kw,
        )


def escalations(day: str) -> list[tuple[int, int]]:
    """One sweep on `day`: the escalations it created, as (item, recipient)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(at(day), tick=False):
        notifications.reminders_create()
    new = Notification.objects.filter(kind=Kind.ITEM_ESCALATED).exclude(pk__in=before)
    return [(n.action_item_id, n.recipient_id) for n in new]


def test_an_overdue_item_escalates_once_after_five_working_days(client, plan, alice, kela):
    # Due Monday 21.12.; 24.–27.12. are days off: the fifth working day is Wednesday 30.12.
    late = item(plan, due="2026-12-21", owner_user=kela, what="Selvittää asumistuen")
    for day in ("2026-12-22", "2026-12-23", "2026-12-28", "2026-12-29"):
        assert escalations(day) == []
    assert escalations("2026-12-30") == [(late.pk, alice.pk)]
    assert escalations("2026-12-30") == []  # a second sweep the same day
    assert escalations("2026-12-31") == []  # and the days after: once
    assert escalations("2027-01-04") == []
    n = Notification.objects.get(kind=Kind.ITEM_ESCALATED)
    assert n.key == f"escalated:{late.pk}:20261221"
    with time_machine.travel(at("2026-12-30"), tick=False):
        assert not_needed(n) == ""
        subject, text = notifications.text(n)
    assert "Selvittää asumistuen" in text and str(kela) in text and "21.12.2026" in text
    assert notifications.link(n) == reverse("meetings:plan", args=[plan.meeting_id])
    assert not KINDS[Kind.ITEM_ESCALATED].mutable


def test_the_number_of_working_days_is_a_setting(settings, plan, alice):
    settings.ACTION_ITEM_ESCALATION_WORKDAYS = 2
    late = item(plan, due="2026-12-03", owner_user=alice)  # Thursday
    assert escalations("2026-12-04") == []
    assert escalations("2026-12-07") == [(late.pk, alice.pk)]


def test_an_item_due_on_a_day_off_counts_from_the_next_working_day(plan, alice):
    late = item(plan, due="2026-12-05", owner_user=alice)  # Saturday
    assert escalations("2026-12-10") == []
    assert escalations("2026-12-11") == [(late.pk, alice.pk)]


def test_an_outside_service_escalates_to_the_responsible_worker(plan, alice):
    late = item(plan, due="2026-12-03", outside_service="TE-palvelut")
    assert escalations("2026-12-10") == [(late.pk, alice.pk)]


def test_done_and_cancelled_items_do_not_escalate(plan, alice):
    done = item(plan, due="2026-12-03", owner_user=alice, what="Tehty")
    cancelled = item(plan, due="2026-12-03", owner_user=alice, what="Peruttu")
    services.action_item_set_done(item=done, done=True, by=alice)
    services.action_item_cancel(item=cancelled, reason="Ei tarpeen", by=alice)
    assert escalations("2026-12-10") == []


def test_an_escalation_made_before_the_item_was_done_is_not_sent(plan, alice):
    late = item(plan, due="2026-12-03", owner_user=alice)
    escalations("2026-12-10")
    n = Notification.objects.get(kind=Kind.ITEM_ESCALATED)
    services.action_item_cancel(item=late, reason="Hoitui muuten", by=alice)
    assert not_needed(n) == "cancelled"


def test_no_escalation_once_the_consent_is_withdrawn(plan, alice, consent):
    item(plan, due="2026-12-03", owner_user=alice)
    escalations("2026-12-10")
    n = Notification.objects.get(kind=Kind.ITEM_ESCALATED)
    Consent.objects.filter(pk=consent.pk).update(
        withdrawn_at=at("2026-12-10", 10), withdrawn_by=alice
    )
    with time_machine.travel(at("2026-12-10", 11), tick=False):
        assert not_needed(n) == "no access any more (consent)"
    Notification.objects.all().delete()
    assert escalations("2026-12-11") == []


def test_no_escalation_after_the_cooperation_ended(plan, alice):
    item(plan, due="2026-12-03", owner_user=alice)
    JointMeeting.objects.filter(pk=plan.meeting_id).update(
        status=JointMeeting.Status.COOPERATION_ENDED
    )
    assert escalations("2026-12-10") == []
