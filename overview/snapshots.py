"""The dashboard's default view, computed ahead: at national scale its figures take the database
over a second, so the beat task (`refresh_dashboards`) keeps the view each coordinator opens (the
last 12 months of their scope) a few minutes fresh."""

import datetime

from django.utils import timezone

from kelayhteistyo.models import County

from .aggregates import VERSION, aggregates
from .filters import default_filters
from .models import DashboardSnapshot
from .rollups import rollups_refresh

# A snapshot older than this is not shown (the beat task refreshes every few minutes; if the
# worker stops, the page computes its figures itself rather than show old ones).
SNAPSHOT_MAX_AGE = datetime.timedelta(minutes=15)


def _scope_key(county) -> str:
    return county.code if county is not None else ""


def _is_default(filters: dict) -> bool:
    """The view a coordinator opens: the last 12 months of their whole scope."""
    return {k: v for k, v in filters.items() if v} == default_filters()


def dashboard_data(county, filters: dict) -> tuple[dict, datetime.datetime | None]:
    """The numbers of the figures, and when they were computed when they come from a snapshot
    (None: computed now)."""
    if _is_default(filters):
        snapshot = DashboardSnapshot.objects.filter(
            scope=_scope_key(county),
            day=timezone.localdate(),
            computed_at__gte=timezone.now() - SNAPSHOT_MAX_AGE,
        ).first()
        # A snapshot written by an earlier version of the figures is computed again.
        if snapshot is not None and snapshot.data.get("version") == VERSION:
            return snapshot.data, snapshot.computed_at
    return aggregates(county, filters), None


def snapshots_refresh() -> int:
    """Compute the default view of the whole country and of every county (the beat task),
    from summary rows brought up to date first."""
    rollups_refresh()
    scopes = [None, *County.objects.all()]
    for county in scopes:
        started = timezone.now()
        data = aggregates(county, default_filters())
        DashboardSnapshot.objects.update_or_create(
            scope=_scope_key(county),
            defaults={"day": timezone.localdate(started), "computed_at": started, "data": data},
        )
    return len(scopes)
