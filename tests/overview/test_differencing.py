"""Issue 15, finding 5: "at least 5" is not beaten by differencing.

A coordinator who compares two choices of filters (September–November minus October–November,
all counties minus one) learns the difference of the two views. Every choice of filters is a
box, a period × a county, and two boxes meet in a box, so what any two views tell is what a view
and one nested in it tell. On a small data set, every such pair of the feedback results, the
free comments and the dashboard's "would take part again" is compared: no difference is about
1 to 4 respondents, and nobody in a cell of fewer than 5 shows anywhere."""

import datetime
import itertools

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

from ..feedback.conftest import current, form_data, link_of, url_of
from .test_results import held_meetings

YEAR = 2025
# (county, month, day): the young people answering; each writes a comment of their own.
# Etelä-Pohjanmaa: 1 in January, 4 in February (the first quarter: 5), 5 in April and 1 in May
# (the second: 6). Kanta-Häme: 1 in February (a cell of 1), 5 in April.
ANSWERS = (
    [("etela-pohjanmaa", 1, 15)]
    + [("etela-pohjanmaa", 2, 15)] * 4
    + [("etela-pohjanmaa", 4, 15)] * 5
    + [("etela-pohjanmaa", 5, 15)]
    + [("kanta-hame", 2, 20)]
    + [("kanta-hame", 4, 20)] * 5
)
ALONE = "Vastaaja 11"  # the one answer from Kanta-Häme in the first quarter


def _at(month, day):
    moment = datetime.datetime.combine(datetime.date(YEAR, month, day), datetime.time(12))
    return time_machine.travel(timezone.make_aware(moment), tick=False)


@pytest.fixture
def answered(db, kela):
    organisations = {}
    for i, (county, month, day) in enumerate(ANSWERS):
        if county not in organisations:
            organisations[county] = f.OrganisationFactory(county=f.county(county))
        with _at(month, day):
            (meeting,) = held_meetings(1, kela=kela, organisation=organisations[county])
            data = form_data(current(), comment=f"Vastaaja {i}")
            assert Client().post(url_of(link_of(meeting, "young_person")), data).status_code == 302
    return {county: org.county_id for county, org in organisations.items()}


def _shown(value) -> int | None:
    """A count as shown: "< 5" tells only that it is 1 to 4."""
    return value if isinstance(value, int) else None


def _views(client, counties):
    months = range(1, 7)
    last_day = {m: (datetime.date(YEAR, m + 1, 1) - datetime.timedelta(days=1)).day for m in months}
    for start, end in itertools.combinations_with_replacement(months, 2):
        for county in ["", *counties.values()]:
            choice = {
                "start": datetime.date(YEAR, start, 1).isoformat(),
                "end": datetime.date(YEAR, end, last_day[end]).isoformat(),
                "county": county,
            }
            results = client.get(reverse("feedback:results"), choice).context
            comments = client.get(reverse("feedback:comments"), choice).context
            dashboard = client.get(reverse("dashboard"), choice).context
            rates = next(x for x in results["figures"] if x.key == "rates").rows[0]
            again = next(x for x in dashboard["figures"] if x.key == "again").rows[0]
            assert rates[0] == again[0] == "Nuoret"
            yield (
                (start, end, county),
                {
                    "answers": results["n"] if results["shown"] else 0,
                    "answers in the response rates": _shown(rates[2]),
                    "comments": [a.text for a in comments["comments"]],
                    "would take part again": _shown(again[1]),
                },
            )


def _within(inner, outer) -> bool:
    (start, end, county), (outer_start, outer_end, outer_county) = inner, outer
    return outer_start <= start <= end <= outer_end and outer_county in ("", county)


def test_no_two_views_differ_by_fewer_than_5_respondents(client_as, answered):
    coordinator = f.CoordinatorFactory(organisation__county=None)
    with _at(8, 1):  # the first two quarters are over
        views = dict(_views(client_as(coordinator), answered))
    leaks = []
    for (a, big), (b, small) in itertools.permutations(views.items(), 2):
        if not _within(b, a):
            continue
        for name in big:
            if name == "comments":
                differ = len(set(big[name]) - set(small[name]))
            elif big[name] is None or small[name] is None:
                continue
            else:
                differ = big[name] - small[name]
            if 0 < differ < 5:
                leaks.append((a, b, name, differ))
    assert not leaks, leaks[:5]
    assert max(v["answers"] for v in views.values()) == 16  # the cell of 1 is left out
    for view in views.values():
        assert view["answers"] == 0 or view["answers"] >= 5
        assert ALONE not in view["comments"]
