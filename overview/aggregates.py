"""The numbers of the dashboard, read from the per-month rollups (`rollups.py`): a constant
number of queries over summary rows, whatever the data size. Plain JSON (numbers, ISO months),
so that a snapshot can keep them; `dashboard.figures` puts them into words in the user's
language. `raw.py` computes the same from the raw rows (the oracle of the tests).

The period is whole months (`filters.whole_months`): the rows are per month."""

from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone

from feedback.models import AnswerCount
from meetings.models import Modality
from meetings.transitions import youth_to_plan

from .filters import cells_in_period
from .kela_figures import answers_by_office, partner_numbers
from .models import Tally, YouthMonth
from .rollups import ANSWER_KEY, QUANTILES, month_of, quantile_of_histogram
from .suppression import SMALL

# Review rounds shown one by one; later ones together ("3 or later").
ROUNDS_SHOWN = 3
VERSION = 4  # of the JSON: a snapshot of another version is not shown
MONTHLY = ("meetings", "cancelled")
ITEM_COLUMNS = ("on_time", "late", "cancelled", "overdue", "open", "moved")


def cells(model, county, filters: dict):
    """The summary rows of a coordinator's scope (their county, or None: the country) and
    filters."""
    rows = model.objects.filter(
        month__gte=month_of(filters["start"]), month__lte=month_of(filters["end"])
    )
    if county is not None:
        rows = rows.filter(organisation__county=county)
    for field, lookup in (
        ("county", "organisation__county"),
        ("organisation", "organisation"),
        ("client_group", "client_group"),
        ("modality", "modality"),
    ):
        if filters.get(field):
            rows = rows.filter(**{lookup: filters[field]})
    return rows


def _months(county, filters) -> list[dict]:
    months: dict = defaultdict(lambda: {m: 0 for m in (*Modality.values, "cancelled")})
    for month, modality, key, n in (
        cells(Tally, county, filters)
        .filter(key__in=MONTHLY)
        .values_list("month", "modality", "key")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        months[month][modality if key == "meetings" else "cancelled"] += n
    return [{"month": m.isoformat(), **months[m]} for m in sorted(months)]


def aggregates(county, filters: dict) -> dict:
    """Every number of the dashboard, from the rollups: five queries (and three for the Kela
    figures: the offices' names, the requests and the referrals)."""
    today = timezone.localdate()
    totals: Counter = Counter()
    speed: Counter = Counter()
    items: dict = defaultdict(lambda: dict.fromkeys(ITEM_COLUMNS, 0))
    rounds: dict = defaultdict(Counter)
    answers: dict = defaultdict(Counter)
    for key, day, number, n in (
        cells(Tally, county, filters)
        .exclude(key__in=MONTHLY)
        .values_list("key", "day", "number")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        if key == "speed":
            speed[number] += n
        elif key.startswith(ANSWER_KEY):
            answers[key][number] += n
        elif key.startswith("item_"):
            column, kind = key.removeprefix("item_").split(":", 1)
            if column == "open" and day is not None and day < today:
                column = "overdue"
            items[kind][column] += n
        elif key.startswith("review_"):
            column = key.removeprefix("review_")
            if column == "due":
                if day >= today:
                    continue  # not due yet
                column = "overdue"
            rounds[min(number, ROUNDS_SHOWN)][column] += n
        else:
            totals[key] += n
    youth = cells(YouthMonth, county, filters)
    by_group = count_distinct_youth(youth, "client_group")
    new = count_distinct_youth(youth.filter(new=True), "month")
    return {
        "version": VERSION,
        "youth": [[group, n] for group, n in by_group],
        "new": [{"month": month.isoformat(), "n": n} for month, n in new],
        "meetings": _months(county, filters),
        "invitations": {k: totals[k] for k in ("invited", "answered", "accepted", "proposed")},
        "speed": {
            "n": sum(speed.values()),
            **{q: quantile_of_histogram(speed, f) for q, f in QUANTILES.items()},
        },
        "plans": {
            "n": totals["held"],
            "with_plan": totals["with_plan"],
            "afterwards": totals["afterwards"],
        },
        "items": [{"kind": kind, **items[kind]} for kind in sorted(items)],
        "reviews": {
            "rounds": [
                {"round": r, **{k: rounds[r][k] for k in ("on_time", "late", "overdue")}}
                for r in sorted(rounds)
                if any(rounds[r].values())
            ],
            "continues": totals["continues"],
            "total": totals["plans"],
        },
        "exported": totals["exported"],
        "again": again_counts(county, filters),
        "transitions": transitions_unplanned(county, filters),
        # Kela as a partner (issue 18, kela_figures): the answer times from the summary rows,
        # requests and referrals from their own small tables.
        "kela_answers": answers_by_office(answers),
        **partner_numbers(county, filters),
    }


def count_distinct_youth(rows, by: str) -> list[tuple]:
    """Distinct young people of the summary rows by one column, in its order: one query. As
    a count over the distinct pairs, which PostgreSQL hashes; `Count(distinct=True)` sorts
    every row of the period (twice as slow at national scale)."""
    if by not in ("client_group", "month"):
        raise ValueError(by)
    pairs = rows.values(by, "youth_id").distinct().order_by()
    sql, params = pairs.query.sql_with_params()
    query = f"SELECT {by}, count(*) FROM ({sql}) pairs GROUP BY 1 ORDER BY 1"  # noqa: S608 — Django's SQL, with parameters
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def transitions_unplanned(county, filters) -> int:
    """For the dashboard: young people (active) whose aftercare ends within
    TRANSITION_NOTICE_MONTHS months from today, with no plan recording the service they move
    to (meetings.transitions). A count of today: the period and the modality do not apply."""
    youth = youth_to_plan(timezone.localdate())
    if county is not None:
        youth = youth.filter(organisation__county=county)
    for field, lookup in (
        ("county", "organisation__county"),
        ("organisation", "organisation"),
        ("client_group", "client_group"),
    ):
        if filters.get(field):
            youth = youth.filter(**{lookup: filters[field]})
    return youth.count()


def again_counts(county, filters) -> dict:
    """For the dashboard: answers to "would take part again", and the yeses, by group. From the
    results' summary rows (`feedback.AnswerCount`) of the reporting cells (the whole quarters of
    the period that are over, cells of at least 5 responses): the organisation, client group and
    modality filters do not apply."""
    again = (
        AnswerCount.objects.filter(
            question__key="again", cell__in=cells_in_period(county, filters).filter(n__gte=SMALL)
        )
        .values_list("cell__group")
        .annotate(total=Sum("n"), yes=Sum("n", filter=Q(number=1)))
        .order_by()
    )
    return {group: [n, yes or 0] for group, n, yes in again if n}
