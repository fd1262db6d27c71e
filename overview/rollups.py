"""Per-month summary rows of the dashboard (issue 20): what each figure needs, by cell of month
(of the meeting, Finnish time) × organisation × client group × modality.

- `Tally`: counts and sums by key; open action items and awaited review rounds by their date
  (so "overdue" is read on any day from rows written earlier), the days from invitation to
  meeting as a histogram (medians and 90th percentiles are exact from summed histograms).
- `YouthMonth`: the distinct young people of each cell, so that a young person met in several
  months, organisations or modalities is counted once, exactly.

**How they stay current: a beat task, not the write services.** `refresh_rollups` runs every
minute (`ROLLUP_REFRESH_SECONDS`) and recomputes the months touched since its last run. Why
not in the same transaction as each write: the writes live in the lower apps (meetings,
feedback, cases), which must not import overview; there are many of them (a consent withdrawal
cancels meetings, a review ticks items); and every worker of an organisation would update the
same few summary rows, making concurrent saves wait on each other's row locks. A month is
recomputed whole from the raw rows (idempotent), so a missed or repeated run is harmless.

What is "touched": a young person whose meeting, invitation, plan, action item (or its
history), review or export changed since the last run (a margin of `MARGIN` covers transactions
that committed later than their timestamps), or whose client group no longer matches the rows;
every month in which such a young person has a meeting now or had one in the rows (a moved
meeting leaves its old month, a cancelled first meeting makes a later one the first). The
nightly `rebuild_rollups` (beat, and `manage.py rebuild_rollups`) recomputes everything, for
what the timestamps cannot see (a young person whose only meetings are cancelled changing
client group; rows changed by hand in the database).
"""

import datetime
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from feedback.services import counts_rebuild
from meetings.models import (
    ActionItem,
    ActionItemChange,
    FollowUpPlan,
    JointMeeting,
    KelaSlot,
    Participant,
    PlanExport,
    Review,
)

from .models import RollupMark, Tally, YouthMonth

Status = JointMeeting.Status
Item = ActionItem.Status
HELD = (Status.HELD, *JointMeeting.WITH_PLAN)
MARGIN = datetime.timedelta(minutes=10)


QUANTILES = {"median": 0.5, "p90": 0.9}
# The key of Kela's answer times (`kela_figures`): the id of the invited contact's office follows.
ANSWER_KEY = "kela_answer:"


def quantile_of_histogram(histogram: dict[int, int], fraction: float) -> float | None:
    """percentile_cont's interpolation over the values a histogram (value → how many) stands
    for: the same number as over the sorted values themselves."""
    n = sum(histogram.values())
    if not n:
        return None
    position = fraction * (n - 1)
    low = int(position)
    high = min(low + 1, n - 1)

    def at(rank: int) -> int:
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if rank < seen:
                return value
        raise IndexError(rank)

    return at(low) + (at(high) - at(low)) * (position - low)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _month(moment: datetime.datetime) -> datetime.date:
    """A month of TruncMonth (in Finnish time) as a date."""
    return moment.date()


def calendar_days(start: datetime.datetime, end: datetime.datetime) -> int:
    """Days between two moments as calendar days in Finnish time (invited on Monday, met on
    Thursday: 3), the unit of the speed figure."""
    return (timezone.localdate(end) - timezone.localdate(start)).days


def _item_key(item: dict) -> tuple[str, datetime.date | None]:
    """Which column of the items figure an item belongs to, and the due date for open ones
    (whether they are overdue is decided on the day the figure is read)."""
    if item["status"] == Item.DONE:
        done_on = timezone.localdate(item["done_at"])
        late = item["due_date"] is not None and done_on > item["due_date"]
        return ("item_late" if late else "item_on_time"), None
    if item["status"] == Item.CANCELLED:
        return "item_cancelled", None
    return "item_open", item["due_date"]


def _items_and_reviews(in_month, meetings: dict, plans: dict, add) -> None:
    """The action items of the month's plans by state, and their review rounds."""
    moved = ActionItemChange.objects.filter(
        item=OuterRef("pk"), field=ActionItemChange.Field.DUE_DATE
    )
    for item in (
        ActionItem.objects.filter(plan__meeting__in=in_month.values("id"))
        .annotate(moved=Exists(moved), meeting_id=F("plan__meeting_id"), kind=F("owner__kind"))
        .values("meeting_id", "kind", "status", "due_date", "done_at", "moved")
    ):
        key, due = _item_key(item)
        add(item["meeting_id"], f"{key}:{item['kind']}", day=due)
        if item["moved"]:
            add(item["meeting_id"], f"item_moved:{item['kind']}")

    rounds = defaultdict(list)
    for r in (
        Review.objects.filter(plan__meeting__in=in_month.values("id"))
        .order_by("plan_id", "agreed_for", "held_on")
        .values("plan_id", "agreed_for", "held_on")
    ):
        rounds[r["plan_id"]].append(r)
    for plan_id, plan in plans.items():
        reviews = rounds.get(plan_id, [])
        for number, r in enumerate(reviews, start=1):
            late = r["held_on"] > r["agreed_for"]
            add(plan["meeting_id"], "review_late" if late else "review_on_time", number=number)
        awaited = plan["review_date"]
        if (
            awaited is not None
            and meetings[plan["meeting_id"]]["status"] in JointMeeting.AWAITING_REVIEW
            and all(r["agreed_for"] != awaited for r in reviews)
        ):
            add(plan["meeting_id"], "review_due", day=awaited, number=len(reviews) + 1)


def answered_invitations():
    """Invitations to Kela that count in the answer-time figure: answered, and not of a
    meeting recorded afterwards or booked from a free time in one step (neither had an
    invitation to answer)."""
    booked_free_time = KelaSlot.objects.filter(meeting=OuterRef("meeting"))
    return (
        Participant.objects.filter(
            kind=Participant.Kind.KELA_CONTACT,
            meeting__recorded_afterwards=False,
            invited_at__isnull=False,
            responded_at__isnull=False,
        )
        .exclude(status=Participant.Status.PENDING)
        .filter(~Exists(booked_free_time))
    )


def month_rows(month: datetime.date) -> tuple[list[Tally], list[YouthMonth]]:
    """The summary rows of one month, computed from the raw rows."""
    in_month = JointMeeting.objects.exclude(status=Status.DRAFT).filter(
        starts_at__gte=_midnight(month), starts_at__lt=_midnight(next_month(month))
    )
    meetings = {
        m["id"]: m
        for m in in_month.values(
            "id",
            "organisation_id",
            "youth_id",
            "youth__client_group",
            "modality",
            "status",
            "starts_at",
            "invited_at",
            "recorded_afterwards",
        )
    }
    first = dict(
        JointMeeting.objects.filter(youth__in=in_month.values("youth"))
        .exclude(status__in=[Status.DRAFT, Status.CANCELLED])
        .values_list("youth")
        .annotate(first=Min("starts_at"))
        .order_by()
    )
    tally: Counter = Counter()
    youth: dict[tuple, bool] = {}

    def cell(meeting_id) -> tuple:
        m = meetings[meeting_id]
        return (m["organisation_id"], m["youth__client_group"], m["modality"])

    today = timezone.localdate()

    def add(meeting_id, key, day=None, number=None, n=1):
        # A date already past (an item overdue, a review round awaited since) is kept as its
        # month: it stays before any later day the figures are read on, and the rows of a
        # month do not grow with every past due date.
        if day is not None and day < today:
            day = month_of(day)
        tally[(*cell(meeting_id), key, day, number)] += n

    for pk, m in meetings.items():
        if m["status"] == Status.CANCELLED:
            add(pk, "cancelled")
            continue
        add(pk, "meetings")
        new = m["starts_at"] == first.get(m["youth_id"])
        place = (*cell(pk), m["youth_id"])
        youth[place] = youth.get(place, False) or new
        # A meeting recorded afterwards had no invitation in the app: left out of the
        # invitation and speed figures, and counted apart ("afterwards"; always held).
        if m["invited_at"] is not None and not m["recorded_afterwards"]:
            add(pk, "speed", number=calendar_days(m["invited_at"], m["starts_at"]))
        if m["status"] in HELD:
            add(pk, "held")
            add(pk, "afterwards", n=int(m["recorded_afterwards"]))

    meeting_filter = {"meeting__in": in_month.values("id")}
    for p in Participant.objects.filter(
        kind=Participant.Kind.KELA_CONTACT,
        meeting__in=in_month.filter(recorded_afterwards=False).values("id"),
    ).values("meeting_id", "status", "proposed_start"):
        add(p["meeting_id"], "invited")
        add(p["meeting_id"], "answered", n=int(p["status"] != Participant.Status.PENDING))
        add(p["meeting_id"], "accepted", n=int(p["status"] == Participant.Status.ACCEPTED))
        add(p["meeting_id"], "proposed", n=int(p["proposed_start"] is not None))
    # Kela's answer times by office (kela_figures).
    for p in (
        answered_invitations()
        .filter(**meeting_filter)
        .values("meeting_id", "user__organisation", "invited_at", "responded_at")
    ):
        office = f"{ANSWER_KEY}{p['user__organisation'] or ''}"
        add(p["meeting_id"], office, number=calendar_days(p["invited_at"], p["responded_at"]))

    plans = {}
    exported = PlanExport.objects.filter(plan=OuterRef("pk"), variant=PlanExport.Variant.OFFICIAL)
    for plan in (
        FollowUpPlan.objects.filter(**meeting_filter)
        .annotate(exported=Exists(exported))
        .values("id", "meeting_id", "kela_cooperation", "review_date", "exported")
    ):
        plans[plan["id"]] = plan
        pk = plan["meeting_id"]
        add(pk, "plans")
        add(pk, "with_plan", n=int(meetings[pk]["status"] in HELD))
        add(pk, "continues", n=int(plan["kela_cooperation"] == FollowUpPlan.KelaCooperation.YES))
        add(pk, "exported", n=int(plan["exported"]))

    _items_and_reviews(in_month, meetings, plans, add)

    tallies = [
        Tally(
            month=month,
            organisation_id=org,
            client_group=group,
            modality=modality,
            key=key,
            day=day,
            number=number,
            n=n,
        )
        for (org, group, modality, key, day, number), n in tally.items()
        if n
    ]
    people = [
        YouthMonth(
            month=month,
            organisation_id=org,
            client_group=group,
            modality=modality,
            youth_id=youth_id,
            new=new,
        )
        for (org, group, modality, youth_id), new in youth.items()
    ]
    return tallies, people


@transaction.atomic
def months_recompute(months) -> int:
    """Replace the rows of these months with ones computed from the raw rows now."""
    for month in sorted(months):
        tallies, people = month_rows(month)
        Tally.objects.filter(month=month).delete()
        YouthMonth.objects.filter(month=month).delete()
        Tally.objects.bulk_create(tallies, batch_size=5_000)
        YouthMonth.objects.bulk_create(people, batch_size=5_000)
    return len(months)


def _all_months() -> set[datetime.date]:
    return {
        _month(moment)
        for moment in JointMeeting.objects.exclude(status=Status.DRAFT)
        .annotate(m=TruncMonth("starts_at"))
        .values_list("m", flat=True)
        .distinct()
    }


@transaction.atomic
def rollups_rebuild() -> int:
    """Every month again, from the raw rows (`manage.py rebuild_rollups`, nightly)."""
    started = timezone.now()
    Tally.objects.all().delete()
    YouthMonth.objects.all().delete()
    n = months_recompute(_all_months())
    counts_rebuild()  # and the feedback results' (kept by the answers' own transactions)
    _mark(started)
    if connection.vendor == "postgresql":  # the planner's statistics of the new rows
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE overview_tally, overview_youthmonth")
    return n


def _mark(at: datetime.datetime) -> None:
    mark = RollupMark.objects.select_for_update().first()
    if mark is None:
        RollupMark.objects.create(at=at)
    else:
        RollupMark.objects.filter(pk=mark.pk).update(at=at)


def touched_youth(since: datetime.datetime) -> set:
    """Young people whose figures may have changed since `since`."""
    youth: set = set()
    sources = [
        (JointMeeting.objects.filter(updated_at__gte=since), "youth_id"),
        (
            Participant.objects.filter(Q(responded_at__gte=since) | Q(invited_at__gte=since)),
            "meeting__youth_id",
        ),
        (FollowUpPlan.objects.filter(updated_at__gte=since), "meeting__youth_id"),
        (
            ActionItem.objects.filter(Q(created_at__gte=since) | Q(done_at__gte=since)),
            "plan__meeting__youth_id",
        ),
        (
            ActionItemChange.objects.filter(changed_at__gte=since),
            "item__plan__meeting__youth_id",
        ),
        (Review.objects.filter(recorded_at__gte=since), "plan__meeting__youth_id"),
        (PlanExport.objects.filter(created_at__gte=since), "plan__meeting__youth_id"),
        (YouthMonth.objects.exclude(client_group=F("youth__client_group")), "youth_id"),
    ]
    for queryset, field in sources:
        youth.update(queryset.values_list(field, flat=True).distinct())
    return youth


def months_of(youth: set) -> set[datetime.date]:
    """Every month in which these young people have a meeting, or had one in the rows."""
    if not youth:
        return set()
    now = {
        _month(moment)
        for moment in JointMeeting.objects.filter(youth__in=youth)
        .exclude(status=Status.DRAFT)
        .annotate(m=TruncMonth("starts_at"))
        .values_list("m", flat=True)
        .distinct()
    }
    before = set(YouthMonth.objects.filter(youth__in=youth).values_list("month", flat=True))
    return now | before


def rollups_refresh() -> int:
    """Recompute the months touched since the last run (the beat task, every minute); the
    first run builds everything. Returns how many months were recomputed."""
    started = timezone.now()
    with transaction.atomic():
        # One refresh at a time: the second waits here and then finds little to do.
        mark = RollupMark.objects.select_for_update().first()
        if mark is None:
            return rollups_rebuild()
        months = months_of(touched_youth(mark.at - MARGIN))
        months_recompute(months)
        _mark(started)
    return len(months)
