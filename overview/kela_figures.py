"""Kela as a partner on the dashboard (issue 18): how quickly Kela answers invitations, how
quickly the units answer Kela's cooperation requests — by Kela office, never by person — and
the referrals to Kela's special service (time to the assessment, outcomes).

**From the raw rows, not the rollups** (decision): the rollups' cells are month × aftercare
organisation × client group × modality; these figures need other keys (the Kela office, the
request's and referral's own dates), and requests and referrals are small tables. Each figure
is one grouped query whatever the data size (the days as a histogram, so the median and the
90th percentile are exact, as for the speed figure), so the dashboard's query count stays
constant; its default view is in the snapshot like the rest. Plain JSON, as `aggregates`.
"""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, OuterRef
from django.db.models.functions import TruncDate

from cases.models import CooperationRequest, SpecialServiceReferral
from meetings.models import KelaSlot, Participant

from .filters import day_start, meetings_in_scope
from .rollups import QUANTILES, quantile_of_histogram


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


def kela_answers(county, filters: dict) -> list[dict]:
    """Invitations to Kela answered, by the Kela office (the name of the organisation of the
    contact invited: offices of the same name are one): how many, and the median and 90th
    percentile of calendar days from the invitation to the answer. The meetings of the
    dashboard's scope and filters (`meetings_in_scope`); meetings recorded afterwards and free
    times booked in one step had no invitation to answer and are left out."""
    booked_free_time = KelaSlot.objects.filter(meeting=OuterRef("meeting"))
    rows = (
        Participant.objects.filter(
            meeting__in=meetings_in_scope(county, filters).filter(recorded_afterwards=False),
            kind=Participant.Kind.KELA_CONTACT,
            invited_at__isnull=False,
            responded_at__isnull=False,
        )
        .exclude(status=Participant.Status.PENDING)
        .filter(~Exists(booked_free_time))
        .annotate(days=_days("responded_at", "invited_at"))
        .values_list("user__organisation__name", "days")
        .annotate(n=Count("id"))
        .order_by()
    )
    offices: dict = defaultdict(Counter)
    for office, days, n in rows:
        offices[office or ""][_whole_days(days)] += n
    return [{"office": o, **_histogram_numbers(offices[o])} for o in sorted(offices)]


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
    """The numbers of the Kela figures (three queries), for `aggregates` and `raw`."""
    return {
        "kela_answers": kela_answers(county, filters),
        "requests": request_answers(county, filters),
        "referrals": special_referrals(county, filters),
    }
