"""Kela as a partner on the dashboard (issue 18): how quickly Kela answers invitations, how
quickly the units answer Kela's cooperation requests — by Kela office, never by person — and
the referrals to Kela's special service (time to the assessment, outcomes).

**Answer times from the summary rows, requests and referrals from the raw rows** (decision):
the invitations are as many as the meetings, and at national scale grouping a year of them
took 400 ms of a filtered dashboard, so the rollups keep them as a day-count histogram per
Kela office (key `rollups.ANSWER_KEY` + the office's id) in the meeting's cell;
`kela_answers` here computes the same from the raw rows, the oracle of the tests. Requests and
referrals are small tables with their own dates (not the meeting's month): one grouped query
each. The days are histograms, so the median and the 90th percentile are exact, as for the
speed figure; the query count stays constant; the default view is in the snapshot like the
rest. Plain JSON, as `aggregates`.
"""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, DurationField, ExpressionWrapper
from django.db.models.functions import TruncDate

from cases.models import CooperationRequest, SpecialServiceReferral
from kelayhteistyo.models import Organisation

from .filters import day_start, meetings_in_scope
from .rollups import ANSWER_KEY, QUANTILES, answered_invitations, quantile_of_histogram


def _days(later: str, earlier: str):
    """Calendar days (Finnish time) from `earlier` to `later`: the same day is 0."""
    return ExpressionWrapper(TruncDate(later) - TruncDate(earlier), output_field=DurationField())


def _whole_days(value) -> int:
    if isinstance(value, datetime.timedelta):
        return value.days
    return int(value // 86_400_000_000)  # microseconds (a backend without an interval type)


def _histogram_numbers(histogram: Counter) -> dict:
    return {
        "n": sum(histogram.values()),
        **{q: quantile_of_histogram(histogram, f) for q, f in QUANTILES.items()},
    }


def answers_by_office(histograms: dict) -> list[dict]:
    """The answer-time figure from day-count histograms by Kela office id (a key of
    `answer_key`, or an id): offices of the same name are one. One query, for the names."""
    ids = {str(key).removeprefix(ANSWER_KEY) for key in histograms}
    names = dict(
        Organisation.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name")
    )
    offices: dict = defaultdict(Counter)
    for key, histogram in histograms.items():
        office = str(key).removeprefix(ANSWER_KEY)
        offices[names.get(int(office), "") if office else ""].update(histogram)
    return [{"office": o, **_histogram_numbers(offices[o])} for o in sorted(offices)]


def kela_answers(county, filters: dict) -> list[dict]:
    """Invitations to Kela answered, by the Kela office (the organisation of the contact
    invited): how many, and the median and 90th percentile of calendar days from the
    invitation to the answer; the meetings of the dashboard's scope and filters
    (`meetings_in_scope`). From the raw rows: the oracle of the summary rows, which the
    dashboard reads (`rollups.month_rows`, key `answer_key`)."""
    rows = (
        answered_invitations()
        .filter(meeting__in=meetings_in_scope(county, filters))
        .annotate(days=_days("responded_at", "invited_at"))
        .values_list("user__organisation", "days")
        .annotate(n=Count("id"))
        .order_by()
    )
    histograms: dict = defaultdict(Counter)
    for office, days, n in rows:
        histograms[office or ""][_whole_days(days)] += n
    return answers_by_office(histograms)


def _requests_in_scope(county, filters: dict):
    """Cooperation requests sent in the period to units of the coordinator's scope and of the
    county and organisation filters (the client group and modality do not apply: a request
    has neither)."""
    requests = CooperationRequest.objects.filter(
        sent_at__gte=day_start(filters["start"]),
        sent_at__lt=day_start(filters["end"] + datetime.timedelta(days=1)),
    )
    if county is not None:
        requests = requests.filter(organisation__county=county)
    if filters.get("county"):
        requests = requests.filter(organisation__county=filters["county"])
    if filters.get("organisation"):
        requests = requests.filter(organisation=filters["organisation"])
    return requests


def request_answers(county, filters: dict) -> list[dict]:
    """Cooperation requests by the Kela office that sent them: sent, declined, a joint meeting
    booked, and the calendar days from sending to the unit's first answer (taking it, or
    declining it untaken): how many were answered, the median and the 90th percentile."""
    Status = CooperationRequest.Status
    rows = (
        _requests_in_scope(county, filters)
        .annotate(days=_days("taken_at", "sent_at"), decline_days=_days("answered_at", "sent_at"))
        .values_list("sent_by__organisation__name", "status", "days", "decline_days")
        .annotate(n=Count("id"))
        .order_by()
    )
    offices: dict = defaultdict(lambda: {"counts": Counter(), "days": Counter()})
    for office, status, days, decline_days, n in rows:
        office_row = offices[office or ""]
        office_row["counts"]["sent"] += n
        if status in (Status.DECLINED, Status.BOOKED):
            office_row["counts"][status] += n
        first = days if days is not None else decline_days
        if first is not None:
            office_row["days"][_whole_days(first)] += n
    return [
        {
            "office": o,
            **{c: offices[o]["counts"][c] for c in ("sent", "declined", "booked")},
            "answer": _histogram_numbers(offices[o]["days"]),
        }
        for o in sorted(offices)
    ]


def _referrals_in_scope(county, filters: dict):
    """Referrals sent in the period, of young people of the coordinator's scope and of the
    county, organisation and client group filters (the modality does not apply)."""
    referrals = SpecialServiceReferral.objects.filter(
        referred_at__gte=day_start(filters["start"]),
        referred_at__lt=day_start(filters["end"] + datetime.timedelta(days=1)),
    )
    if county is not None:
        referrals = referrals.filter(youth__organisation__county=county)
    for field, lookup in (
        ("county", "youth__organisation__county"),
        ("organisation", "youth__organisation"),
        ("client_group", "youth__client_group"),
    ):
        if filters.get(field):
            referrals = referrals.filter(**{lookup: filters[field]})
    return referrals


def special_referrals(county, filters: dict) -> dict:
    """Referrals to the special service: how many, how many assessed and waiting, the calendar
    days from the referral to the assessment (median, 90th percentile), and the outcomes."""
    rows = (
        _referrals_in_scope(county, filters)
        .annotate(days=_days("assessed_at", "referred_at"))
        .values_list("outcome", "days")
        .annotate(n=Count("id"))
        .order_by()
    )
    outcomes: Counter = Counter()
    days: Counter = Counter()
    total = 0
    for outcome, assessed_days, n in rows:
        total += n
        if outcome:
            outcomes[outcome] += n
        if assessed_days is not None:
            days[_whole_days(assessed_days)] += n
    return {
        "n": total,
        "waiting": total - sum(outcomes.values()),
        "assessed": _histogram_numbers(days),
        "outcomes": {o: outcomes[o] for o in SpecialServiceReferral.Outcome.values},
    }


def kela_numbers(county, filters: dict) -> dict:
    """The numbers of the Kela figures from the raw rows (three queries), for `raw`;
    `aggregates` reads the answer times from the summary rows and the rest from here."""
    return {"kela_answers": kela_answers(county, filters), **partner_numbers(county, filters)}


def partner_numbers(county, filters: dict) -> dict:
    """The cooperation requests' and the special-service referrals' figures (two queries,
    from their small tables)."""
    return {
        "requests": request_answers(county, filters),
        "referrals": special_referrals(county, filters),
    }
