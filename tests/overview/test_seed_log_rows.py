"""`seed_scale --log-rows` (issue 20): access-log rows at scale, fast, and the log stays
append-only afterwards."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count

from kelayhteistyo.models import AccessLog
from overview.management.commands import seed_scale
from tests.kelayhteistyo.test_access_log import needs_postgresql


def seed(**options):
    call_command("seed_scale", force=True, stdout=io.StringIO(), **options)


def test_log_rows_name_every_young_person_their_own_worker_and_organisation(db):
    seed(youth=12, log_rows=600)
    assert AccessLog.objects.count() == 600
    per_youth = AccessLog.objects.values("youth").annotate(n=Count("id"))
    assert {row["n"] for row in per_youth} == {50}  # spread evenly over the 12
    row = AccessLog.objects.select_related("youth").first()
    assert row.user_id == row.youth.responsible_worker_id
    assert row.organisation_id == row.youth.organisation_id
    seed(log_rows=100)  # on a database that has the data set: only the rows
    assert AccessLog.objects.count() == 700


def indexes() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'kelayhteistyo_accesslog'"
            " ORDER BY indexname"
        )
        return cursor.fetchall()


@needs_postgresql
def test_the_log_is_append_only_and_indexed_after_the_bulk_rows(db, monkeypatch):
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    before = indexes()
    # As with millions of rows: the indexes are dropped and built again after the rows.
    monkeypatch.setattr(seed_scale, "LOG_REBUILD_INDEXES", 10)
    seed(youth=4, log_rows=40)
    assert indexes() == before
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=AccessLog.objects.first().pk).delete()
    assert AccessLog.objects.count() == 40
