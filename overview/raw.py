"""The dashboard's numbers computed from the raw rows: the oracle the rollups are checked
against (`tests/overview/test_rollups.py`, `manage.py rebuild_rollups --check`). The page reads
the rollups (`aggregates.py`); this is the definition of every figure in one readable place,
and gives the same plain JSON."""

import datetime
from collections import Counter, defaultdict

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from feedback.models import Answer, Question
from meetings.models import (
    ActionItem,
    ActionItemChange,
    FollowUpPlan,
    JointMeeting,
    Modality,
    Participant,
    PlanExport,
    Review,
)

from .aggregates import QUANTILES, ROUNDS_SHOWN, VERSION, transitions_unplanned
from .filters import meetings_in_scope, responses_in_scope, responses_left_out
from .kela_figures import kela_numbers
from .rollups import calendar_days

Status = JointMeeting.Status
Item = ActionItem.Status
HELD = [Status.HELD, *JointMeeting.WITH_PLAN]


def _quantile(values: list[float], fraction: float) -> float | None:
    """percentile_cont's interpolation over sorted values."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def speed_raw(meetings) -> dict:
    """How many meetings, and the median and 90th percentile of calendar days (Finnish time)
    from the invitation to the meeting."""
    days = sorted(
        calendar_days(invited, starts)
        for starts, invited in meetings.values_list("starts_at", "invited_at")
    )
    return {"n": len(days), **{q: _quantile(days, fraction) for q, fraction in QUANTILES.items()}}


def items_raw(plans, today: datetime.date) -> list[dict]:
    """Action items by owner kind: done on time (by the due date, or without one), done late,
    cancelled, overdue (open past the due date), open; and moved (the due date changed)."""
    moved = ActionItemChange.objects.filter(
        item=OuterRef("pk"), field=ActionItemChange.Field.DUE_DATE
    )
    rows = (
        ActionItem.objects.filter(plan__in=plans)
        .values("owner__kind")
        .annotate(
            on_time=Count(
                "id",
                filter=Q(status=Item.DONE)
                & (Q(due_date__isnull=True) | Q(done_at__date__lte=F("due_date"))),
            ),
            late=Count("id", filter=Q(status=Item.DONE, done_at__date__gt=F("due_date"))),
            cancelled=Count("id", filter=Q(status=Item.CANCELLED)),
            overdue=Count("id", filter=Q(status=Item.OPEN, due_date__lt=today)),
            open=Count(
                "id",
                filter=Q(status=Item.OPEN) & (Q(due_date__gte=today) | Q(due_date__isnull=True)),
            ),
            moved_n=Count("id", filter=Exists(moved)),
        )
        .order_by("owner__kind")
    )
    columns = ("on_time", "late", "cancelled", "overdue", "open")
    return [
        {"kind": r["owner__kind"], **{c: r[c] for c in columns}, "moved": r["moved_n"]}
        for r in rows
    ]


def reviews_raw(plans, today: datetime.date) -> dict:
    """Review rounds, each against the date agreed for it, by round: held on or before it (on
    time), held later (late), and the plan's current date passed with no review for it while
    the follow-up goes on (overdue). And the plans in which cooperation with Kela continues."""
    rounds: dict[int, Counter] = defaultdict(Counter)
    held = defaultdict(list)
    for plan_id, agreed, on in (
        Review.objects.filter(plan__in=plans)
        .order_by("plan_id", "agreed_for", "held_on")
        .values_list("plan_id", "agreed_for", "held_on")
    ):
        held[plan_id].append(agreed)
        number = min(len(held[plan_id]), ROUNDS_SHOWN)
        rounds[number]["late" if on > agreed else "on_time"] += 1
    reviewed = Review.objects.filter(plan=OuterRef("pk"), agreed_for=OuterRef("review_date"))
    for plan_id in (
        plans.filter(review_date__lt=today, meeting__status__in=JointMeeting.AWAITING_REVIEW)
        .exclude(Exists(reviewed))
        .values_list("id", flat=True)
    ):
        rounds[min(len(held[plan_id]) + 1, ROUNDS_SHOWN)]["overdue"] += 1
    totals = plans.aggregate(
        continues=Count("id", filter=Q(kela_cooperation=FollowUpPlan.KelaCooperation.YES)),
        total=Count("id"),
    )
    return {"rounds": rounds_list(rounds), **totals}


def rounds_list(rounds: dict) -> list[dict]:
    return [
        {"round": number, **{k: rounds[number][k] for k in ("on_time", "late", "overdue")}}
        for number in sorted(rounds)
        if any(rounds[number].values())
    ]


def aggregates_raw(county, filters: dict) -> dict:
    """Every number of the dashboard from the raw rows (the oracle of the rollups)."""
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
    # cancelled): a meeting of the period with no earlier one.
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
    invitations = Participant.objects.filter(
        meeting__in=meetings.filter(recorded_afterwards=False), kind=Participant.Kind.KELA_CONTACT
    ).aggregate(
        invited=Count("id"),
        answered=Count("id", filter=~Q(status=Participant.Status.PENDING)),
        accepted=Count("id", filter=Q(status=Participant.Status.ACCEPTED)),
        proposed=Count("id", filter=Q(proposed_start__isnull=False)),
    )
    exported = PlanExport.objects.filter(
        plan__in=plans, variant=PlanExport.Variant.OFFICIAL
    ).aggregate(plans=Count("plan", distinct=True))
    return {
        "version": VERSION,
        "youth": [[r["youth__client_group"], r["n"]] for r in by_group],
        "new": [{**r, "month": _month(r["month"])} for r in new_per_month],
        "meetings": [{**r, "month": _month(r["month"])} for r in per_month],
        "invitations": invitations,
        "speed": speed_raw(
            not_cancelled.filter(invited_at__isnull=False, recorded_afterwards=False)
        ),
        "plans": held.aggregate(
            n=Count("id"),
            with_plan=Count("plan"),
            afterwards=Count("id", filter=Q(recorded_afterwards=True)),
        ),
        "items": items_raw(plans, today),
        "reviews": reviews_raw(plans, today),
        "exported": exported["plans"],
        "again": again_counts_raw(county, filters),
        # A count of today from the raw rows already (one query): the same function.
        "transitions": transitions_unplanned(county, filters),
        # From the raw rows already (kela_figures): the same function.
        **kela_numbers(county, filters),
    }


def _month(moment: datetime.datetime) -> str:
    """A month of TruncMonth (in Finnish time) as an ISO date, for JSON."""
    return moment.date().isoformat()


# The feedback results (`results.result_numbers` reads the summary rows) ---------------------------


def again_counts_raw(county, filters) -> dict:
    """Answers to "would take part again", and the yeses, by group, from the answers."""
    again = (
        Answer.objects.filter(
            question__key="again", response__in=responses_in_scope(county, filters)
        )
        .values_list("response__group")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(number=1)))
        .order_by()
    )
    return {group: [n, yes] for group, n, yes in again}


def result_numbers_raw(county, filters: dict, survey, keys: list[str]) -> dict:
    """`results.result_numbers` from the responses and answers themselves: the cells of at
    least 5 responses found by a window over the responses of the period."""
    responses = responses_in_scope(county, filters, survey=survey)
    answered = dict(
        responses_in_scope(county, filters).values_list("group").annotate(n=Count("id")).order_by()
    )
    counts = {
        row[:3]: row[3]
        for row in Answer.objects.filter(response__in=responses, question__survey=survey)
        .exclude(question__kind=Question.Kind.TEXT)
        .values_list("question_id", "number", "choice_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    for question, n in (
        Answer.objects.filter(
            response__in=responses,
            question__survey=survey,
            question__kind=Question.Kind.TEXT,
            hidden_at__isnull=True,
        )
        .exclude(text="")
        .values_list("question_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(question, None, None)] = n
    likert_yes_no = [Question.Kind.LIKERT, Question.Kind.YES_NO]
    comparison = {
        (key, group): [kind, n, total]
        for key, kind, group, n, total in Answer.objects.filter(
            response__in=responses_in_scope(county, filters),
            question__key__in=keys,
            question__kind__in=likert_yes_no,
        )
        .values_list("question__key", "question__kind", "response__group")
        .annotate(n=Count("id"), total=Sum("number"))
        .order_by()
    }
    return {
        "n": responses.count(),
        "answered": answered,
        "left_out": responses_left_out(county, filters),
        "counts": counts,
        "comparison": comparison,
    }
