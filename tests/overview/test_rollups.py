"""The dashboard reads per-month summary rows (issue 20): on a random data set, every figure
for many choices of filters equals the figure computed from the raw rows (`overview.raw`), after
a full rebuild and after the beat task's refresh of the months that changes touched."""

import datetime
import io
import itertools
import random

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cases.models import YouthClient
from kelayhteistyo.models import County, Organisation
from meetings import services
from meetings.models import ActionItem, JointMeeting, Modality
from overview import dashboard, rollups
from overview.aggregates import aggregates
from overview.filters import default_filters, whole_months
from overview.models import Tally, YouthMonth
from overview.raw import aggregates_raw

S = JointMeeting.Status


@pytest.fixture
def practice(db):
    """A random practice (seed_scale: meetings over two years in every county, plans, items,
    reviews, exports, answers), its summary rows built at the end of seeding."""
    call_command("seed_scale", youth=60, seed=7, force=True, stdout=io.StringIO())
    return random.Random(20)


def choices(rng: random.Random, n: int):
    """`n` choices of filters: periods of whole months, and every filter alone and together."""
    today = timezone.localdate()
    counties = list(County.objects.filter(organisation__isnull=False).distinct()[:3])
    orgs = list(Organisation.objects.filter(kind=Organisation.Kind.AFTERCARE)[:3])
    periods = [
        default_filters(),
        whole_months(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
        whole_months(today - datetime.timedelta(days=90), today),
        whole_months(today - datetime.timedelta(days=400), today - datetime.timedelta(days=200)),
        whole_months(today, today + datetime.timedelta(days=60)),
    ]
    every = list(
        itertools.product(
            periods,
            [None, *counties],
            [None, *orgs],
            [None, *YouthClient.ClientGroup.values],
            [None, *Modality.values],
        )
    )
    picked = [every[0], every[1], *rng.sample(every, n)]
    scopes = [None, *counties[:1]]  # a national coordinator and a county coordinator
    for (period, county, org, group, modality), scope in zip(
        picked, itertools.cycle(scopes), strict=False
    ):
        filters = {**period, "county": county, "organisation": org}
        filters |= {"client_group": group or "", "modality": modality or ""}
        yield scope, filters


def assert_equal_to_raw(rng, n=40):
    compared = 0
    for scope, filters in choices(rng, n):
        from_rollups = aggregates(scope, filters)
        assert from_rollups == aggregates_raw(scope, filters), filters
        # And the figures in words, suppression and all, are the same.
        words = [f.rows for f in dashboard.figures(from_rollups)]
        assert words == [f.rows for f in dashboard.figures(aggregates_raw(scope, filters))]
        compared += 1
    return compared


def test_every_figure_equals_the_raw_rows_for_many_filters(practice):
    assert Tally.objects.exists() and YouthMonth.objects.exists()
    data = aggregates(None, default_filters())
    # The data set is not trivial: each figure has something to compare.
    assert data["youth"] and data["new"] and data["meetings"] and data["items"]
    assert data["speed"]["n"] >= 5 and data["reviews"]["rounds"]
    assert assert_equal_to_raw(practice, 60) == 62


def test_the_beat_task_recomputes_the_months_changes_touched(practice, django_user_model):
    """A run of the beat task, then an hour later (beyond its margin) changes through the
    services; the next run finds the touched months only, and the figures again equal the raw
    rows."""
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        rollups.rollups_refresh()  # the seeding is within the margin: every month
    later = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        rng = practice
        upcoming = list(JointMeeting.objects.filter(status__in=[S.INVITED, S.CONFIRMED]))
        assert len(upcoming) >= 2
        cancelled, moved = rng.sample(upcoming, 2)
        services.meeting_cancel(meeting=cancelled, by=cancelled.organiser, reason="sairas")
        moved.starts_at += datetime.timedelta(days=40)  # into another month
        services.meeting_update(meeting=moved, by=moved.organiser)
        items = list(ActionItem.objects.filter(status=ActionItem.Status.OPEN)[:3])
        worker = items[0].plan.meeting.organiser
        services.action_item_cancel(item=items[0], reason="ei tarpeen", by=worker)
        services.action_item_edit(
            item=items[1],
            what=items[1].what,
            owner=None,
            due_date=(items[1].due_date or timezone.localdate()) + datetime.timedelta(days=7),
            note="odottaa",
            version=items[1].version,
            by=worker,
        )
        services.action_item_set_done(item=items[2], done=True, by=worker)
        # A young person's client group changes (seen from the rows themselves).
        youth = YouthMonth.objects.first().youth
        youth.client_group = next(
            g for g in YouthClient.ClientGroup.values if g != youth.client_group
        )
        youth.save()

        all_months = len(rollups._all_months())
        recomputed = rollups.rollups_refresh()
        assert 0 < recomputed < all_months
        assert assert_equal_to_raw(rng, 25) == 27
        # Nothing changed since: the next run recomputes only what the margin still covers.
        assert rollups.rollups_refresh() <= recomputed


def test_rebuild_rollups_checks_itself_against_the_raw_rows(practice):
    out = io.StringIO()
    call_command("rebuild_rollups", check=True, stdout=out)
    assert "The summary rows equal the raw rows." in out.getvalue()
