"""A national-scale data set for benchmarks: `seed_scale --youth 60000` makes about 60,000 young
people in every wellbeing services county, 150,000 joint meetings over two years, 600,000
action items and 300,000 feedback answers, with bulk inserts (a few minutes on PostgreSQL).
The generator (`overview.history`) also makes the demo's anonymous history. Repeatable: the
same --seed gives the same data.
"""

import datetime
import itertools
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cases.models import YouthClient
from kelayhteistyo.models import AccessLog, County, User
from overview.history import History
from overview.rollups import rollups_rebuild

LOG_CHUNK = 1_000_000  # access-log rows per transaction
LOG_SPAN_SECONDS = 2 * 365 * 24 * 3600
LOG_OBJECTS = ["youthclient", "jointmeeting", "followupplan", "home", "meeting_list"]
# Each young person once, numbered, with their organisation and responsible worker.
LOG_YOUTH = """
CREATE TEMP TABLE seed_log_youth AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, organisation_id, responsible_worker_id
FROM cases_youthclient WHERE responsible_worker_id IS NOT NULL;
CREATE UNIQUE INDEX ON seed_log_youth (n);
"""
# Row g: young person g mod people; a time spread over the span (7919 is a prime: the times of
# one young person's rows are spread too); four reads to one change.
LOG_INSERT = """
INSERT INTO kelayhteistyo_accesslog
    (at, user_id, role, organisation_id, youth_id, action, object_type, object_id, basis)
SELECT %(now)s - make_interval(secs => (g * 7919) %% %(span)s),
    y.responsible_worker_id, 'aftercare_worker', y.organisation_id, y.id,
    (ARRAY['read', 'read', 'read', 'read', 'change'])[1 + g %% 5],
    (ARRAY['youthclient', 'jointmeeting', 'followupplan', 'home', 'meeting_list'])[1 + g %% 5],
    '', 'own_client'
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
JOIN seed_log_youth y ON y.n = g %% %(people)s
"""


LOG_REBUILD_INDEXES = 1_000_000


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """The access log's indexes other than its primary key: (name, CREATE INDEX …)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'kelayhteistyo_accesslog'"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint"
        " WHERE conrelid = 'kelayhteistyo_accesslog'::regclass)"
    )
    return cursor.fetchall()


def _superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return cursor.fetchone()[0]


class Command(BaseCommand):
    help = "Generate a national-scale data set for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--youth", type=int, default=60_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--log-rows",
            type=int,
            default=0,
            help="Also add this many access-log rows (on a database that already has the data "
            "set: only the rows).",
        )

    def handle(self, *args, youth, seed, force, log_rows, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed.")
        if YouthClient.objects.exists():
            if log_rows:
                self.access_log(log_rows)
                return
            raise CommandError("The database already has young people: use an empty database.")

        def progress(counts):
            line = ", ".join(f"{n:,} {what}" for what, n in counts.items())
            self.stdout.write(f"  {line}", ending="\r")

        History(seed=seed, progress=progress).generate(
            youth=youth, counties=County.objects.order_by("code")
        )
        # The planner's statistics first: without them it takes the new tables for empty,
        # and the summary rows' queries (a join a month) loop over every participant row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "SELECT 1")
        # Written in bulk, past the services: the dashboard's summary rows from scratch.
        rollups_rebuild()
        with connection.cursor() as cursor:
            _vacuum(cursor)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Scale data loaded."))
        if log_rows:
            self.access_log(log_rows)

    # The access log at scale (issue 20) ------------------------------------------------------

    def access_log(self, n: int) -> None:
        """n reads and changes of the young people's data by their own workers, spread evenly
        over the young people and the last two years. On PostgreSQL in the database itself
        (INSERT … SELECT generate_series, a million rows a transaction; the rows refer only to
        existing young people and workers, so the foreign-key checks are skipped with
        session_replication_role for that transaction — the append-only trigger, which guards
        UPDATE and DELETE, is untouched and holds afterwards)."""
        started = time.monotonic()
        if connection.vendor != "postgresql":
            self.access_log_python(n)
        else:
            with connection.cursor() as cursor:
                cursor.execute(LOG_YOUTH)
                cursor.execute("SELECT count(*) FROM seed_log_youth")
                people = cursor.fetchone()[0]
                cursor.execute("SELECT coalesce(max(id), 0) FROM kelayhteistyo_accesslog")
                first = cursor.fetchone()[0]
                skip_checks = _superuser(cursor)
                # Many rows: the secondary indexes are dropped and built again afterwards (a
                # sort, minutes instead of hours of random index inserts).
                indexes = _secondary_indexes(cursor) if n >= LOG_REBUILD_INDEXES else []
                for name, _definition in indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
                try:
                    self.access_log_rows(cursor, n, people, first, skip_checks)
                finally:
                    cursor.execute("SET maintenance_work_mem = '512MB'")
                    for _name, definition in indexes:
                        cursor.execute(definition)
                    cursor.execute("RESET maintenance_work_mem")
                cursor.execute("DROP TABLE seed_log_youth")
                _vacuum(cursor, "kelayhteistyo_accesslog")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"{n:,} access-log rows in {time.monotonic() - started:.0f} s.")
        )

    def access_log_rows(self, cursor, n: int, people: int, first: int, skip_checks: bool):
        now = getattr(self, "now", timezone.now())
        for start in range(0, n, LOG_CHUNK):
            params = {
                "first": first + start + 1,
                "last": first + min(start + LOG_CHUNK, n),
                "people": people,
                "now": now,
                "span": LOG_SPAN_SECONDS,
            }
            with transaction.atomic():
                if skip_checks:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                try:
                    cursor.execute(LOG_INSERT, params)
                finally:
                    # Back at once: SET LOCAL would last to the end of an enclosing
                    # transaction, and the triggers must hold for everything after.
                    if skip_checks:
                        cursor.execute("SET LOCAL session_replication_role = origin")
            done = min(start + LOG_CHUNK, n)
            self.stdout.write(f"  {done:,} access-log rows", ending="\r")

    def access_log_python(self, n: int) -> None:
        """The same rows with the ORM (SQLite, the tests)."""
        now = timezone.now()
        youth = list(YouthClient.objects.values_list("pk", "organisation_id", "responsible_worker"))
        actions = [AccessLog.Action.READ] * 4 + [AccessLog.Action.CHANGE]
        AccessLog.objects.bulk_create(
            (
                AccessLog(
                    at=now - datetime.timedelta(seconds=(i * 7919) % LOG_SPAN_SECONDS),
                    user_id=worker,
                    role=User.Role.AFTERCARE_WORKER,
                    organisation_id=org,
                    youth_id=pk,
                    action=actions[i % 5],
                    object_type=LOG_OBJECTS[i % 5],
                    object_id="",
                    basis=AccessLog.Basis.OWN_CLIENT,
                )
                for i, (pk, org, worker) in zip(range(n), itertools.cycle(youth), strict=False)
            ),
            batch_size=5_000,
        )


def _vacuum(cursor, table: str = "") -> None:
    """VACUUM ANALYZE after bulk writes: a database in use has been vacuumed by autovacuum, so
    its visibility map lets the planner answer from an index alone (the home lists' covering
    indexes); rows just written are all unmarked, and every index read would visit the table.
    Inside a transaction (the tests), where VACUUM cannot run, the statistics only."""
    if connection.vendor != "postgresql":
        return
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    cursor.execute(f"{verb} {table}".strip())
