"""The numbers of the dashboard, computed by the database: one query per figure, whatever the
data size. Plain JSON (numbers, ISO months), so that a snapshot can keep them; `dashboard.figures`
puts them into words in the user's language."""

import datetime

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from feedback.models import Answer
from meetings.models import (
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    Modality,
    Participant,
    PlanExport,
    Review,
)

from .filters import meetings_in_scope, responses_in_scope

Status = JointMeeting.Status
Item = ActionItem.Status
HELD = [Status.HELD, *JointMeeting.WITH_PLAN]


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the percentile with interpolation, over a duration."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _quantile(values: list[float], fraction: float) -> float | None:
    """percentile_cont's interpolation, for SQLite."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


QUANTILES = {"median": 0.5, "p90": 0.9}


def speed_raw(meetings) -> dict:
    """How many meetings, and the median and 90th percentile of days from the invitation to the
    meeting. PostgreSQL computes them (at national scale the rows never leave the database);
    SQLite, in the quick start only, has no percentile_cont, so there they are computed here."""
    waited = ExpressionWrapper(F("starts_at") - F("invited_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        row = meetings.aggregate(
            n=Count("id"), **{q: Percentile(waited, fraction) for q, fraction in QUANTILES.items()}
        )
        return {"n": row["n"], **{q: row[q] and row[q].total_seconds() / 86400 for q in QUANTILES}}
    days = sorted(d.total_seconds() / 86400 for d in meetings.values_list(waited, flat=True))
    return {"n": len(days), **{q: _quantile(days, fraction) for q, fraction in QUANTILES.items()}}


def aggregates(county, filters: dict) -> dict:
    """Every number of the dashboard, computed by the database: one query per figure. Plain
    JSON (numbers, ISO months), so that a snapshot can keep it; `figures` puts it into words in
    the user's language."""
    today = timezone.localdate()
    meetings = meetings_in_scope(county, filters)
    held = meetings.filter(status__in=HELD)
    plans = FollowUpPlan.objects.filter(meeting__in=meetings)
    not_cancelled = meetings.exclude(status=Status.CANCELLED)

    by_group = (
        not_cancelled.values("youth__client_group")
        .annotate(n=Count("youth", distinct=True))
        .order_by("youth__client_group")
    )
    # A young person is new in the month of their first meeting ever (not a draft, not
    # cancelled): a meeting of the period with no earlier one (an anti-join, not a lookup per
    # young person).
    earlier = JointMeeting.objects.filter(
        youth=OuterRef("youth"), starts_at__lt=OuterRef("starts_at")
    ).exclude(status__in=[Status.DRAFT, Status.CANCELLED])
    new_per_month = (
        not_cancelled.filter(~Exists(earlier))
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("youth", distinct=True))
        .order_by("month")
    )
    per_month = (
        meetings.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(
            **{
                m: Count("id", filter=Q(modality=m) & ~Q(status=Status.CANCELLED))
                for m in Modality.values
            },
            cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        )
        .order_by("month")
    )
    # A meeting recorded afterwards had no invitation in the app: it is left out of the
    # invitation and speed figures, and counted apart ("afterwards").
    invited = not_cancelled.filter(recorded_afterwards=False)
    invitations = Participant.objects.filter(
        meeting__in=meetings.filter(recorded_afterwards=False), kind=Participant.Kind.KELA_CONTACT
    ).aggregate(
        invited=Count("id"),
        answered=Count("id", filter=~Q(status=Participant.Status.PENDING)),
        accepted=Count("id", filter=Q(status=Participant.Status.ACCEPTED)),
        proposed=Count("id", filter=Q(proposed_start__isnull=False)),
    )
    items = (
        ActionItem.objects.filter(plan__in=plans)
        .values("owner__kind")
        .annotate(
            on_time=Count(
                "id",
                filter=Q(status=Item.DONE)
                & (Q(due_date__isnull=True) | Q(done_at__date__lte=F("due_date"))),
            ),
            late=Count("id", filter=Q(status=Item.DONE, done_at__date__gt=F("due_date"))),
            overdue=Count("id", filter=Q(status=Item.OPEN, due_date__lt=today)),
            open=Count(
                "id",
                filter=Q(status=Item.OPEN) & (Q(due_date__gte=today) | Q(due_date__isnull=True)),
            ),
        )
        .order_by("owner__kind")
    )
    # Per review round, each against the date agreed for it: a review is a round done on time
    # (held on or before that date) or late; the plan's current date, passed with no review
    # for it while the follow-up goes on, is an overdue round. Joined to the reviews: the
    # rounds count reviews, the plans are counted distinct.
    reviewed_round = Review.objects.filter(plan=OuterRef("pk"), agreed_for=OuterRef("review_date"))
    reviews = plans.aggregate(
        on_time=Count("reviews", filter=Q(reviews__held_on__lte=F("reviews__agreed_for"))),
        late=Count("reviews", filter=Q(reviews__held_on__gt=F("reviews__agreed_for"))),
        overdue=Count(
            "id",
            filter=Q(review_date__lt=today, meeting__status__in=JointMeeting.AWAITING_REVIEW)
            & ~Exists(reviewed_round),
            distinct=True,
        ),
        continues=Count(
            "id", filter=Q(kela_cooperation=FollowUpPlan.KelaCooperation.YES), distinct=True
        ),
        total=Count("id", distinct=True),
    )
    exported = PlanExport.objects.filter(
        plan__in=plans, variant=PlanExport.Variant.OFFICIAL
    ).aggregate(plans=Count("plan", distinct=True))
    return {
        "youth": [[r["youth__client_group"], r["n"]] for r in by_group],
        "new": [{**r, "month": _month(r["month"])} for r in new_per_month],
        "meetings": [{**r, "month": _month(r["month"])} for r in per_month],
        "invitations": invitations,
        "speed": speed_raw(invited.filter(invited_at__isnull=False)),
        # Recorded afterwards: always held (never cancelled), so counted with the held ones
        # (no query of its own); the speed figure shows it.
        "plans": held.aggregate(
            n=Count("id"),
            with_plan=Count("plan"),
            afterwards=Count("id", filter=Q(recorded_afterwards=True)),
        ),
        "items": [{"kind": r.pop("owner__kind"), **r} for r in items],
        "reviews": reviews,
        "exported": exported["plans"],
        "again": again_counts(county, filters),
    }


def _month(moment: datetime.datetime) -> str:
    """A month of TruncMonth (in Finnish time) as an ISO date, for JSON."""
    return moment.date().isoformat()


def again_counts(county, filters) -> dict:
    """For the dashboard: answers to "would take part again", and the yeses, by group. From the
    results' reporting cells (the whole quarters of the period that are over, cells of at least
    5 responses): the organisation, client group and modality filters do not apply."""
    again = (
        Answer.objects.filter(
            question__key="again", response__in=responses_in_scope(county, filters)
        )
        .values_list("response__group")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(number=1)))
        .order_by()
    )
    return {group: [n, yes] for group, n, yes in again}
