"""Transitions (issue 17, "aina saattaen"): TRANSITION_NOTICE_MONTHS months before the
aftercare end date the responsible worker has the task "plan the hand-over to adult services",
on the young person's record and as a reminder, until a follow-up plan records the service the
young person moves to (`FollowUpPlan.next_service`). One rule, used by the record (through the
template tag `transition_task`, as cases is below meetings), the reminder sweep and the check
before sending."""

import calendar
import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from cases.models import YouthClient

from .models import FollowUpPlan, JointMeeting


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day if it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def notice_from(ends_on: datetime.date) -> datetime.date:
    """The day the task appears: TRANSITION_NOTICE_MONTHS months before aftercare ends."""
    return add_months(ends_on, -settings.TRANSITION_NOTICE_MONTHS)


def planned_plans():
    """Follow-up plans that record the service the young person moves to (not cancelled)."""
    return FollowUpPlan.objects.exclude(next_service="").exclude(
        meeting__status=JointMeeting.Status.CANCELLED
    )


def youth_to_plan(today: datetime.date) -> QuerySet[YouthClient]:
    """Young people whose aftercare ends within the notice (and has not ended), still active,
    with no plan recording where they move to: their worker has the task."""
    planned = planned_plans().filter(meeting__youth=OuterRef("pk"))
    return YouthClient.objects.filter(
        status=YouthClient.Status.ACTIVE,
        aftercare_ends_on__gte=today,
        aftercare_ends_on__lte=add_months(today, settings.TRANSITION_NOTICE_MONTHS),
    ).exclude(Exists(planned))


class Transition(NamedTuple):
    ends_on: datetime.date
    notice_from: datetime.date
    due: bool  # the task is open: plan the hand-over to adult services
    next_service: str  # what a plan records ("" if nothing yet)


def transition_of(youth: YouthClient, today: datetime.date) -> Transition | None:
    """The young person's transition as the record shows it: None until the notice starts
    (and after aftercare has ended, or for a closed record)."""
    ends_on = youth.aftercare_ends_on
    if youth.status != YouthClient.Status.ACTIVE or ends_on is None or ends_on < today:
        return None
    if notice_from(ends_on) > today:
        return None
    plan = planned_plans().filter(meeting__youth=youth).order_by("-meeting__starts_at").first()
    service = plan.next_service if plan else ""
    return Transition(ends_on, notice_from(ends_on), not service, service)
