"""Benchmark: the coordinators' dashboard and the list pages at national scale.

Two PostgreSQL databases are made and filled on the first run with `seed_scale` (kept after):
kelayhteistyo_scale (60,000 young people, about 5 minutes) and kelayhteistyo_scale_1k (1,000).
On each, in a process of its own, through Django's test client and the whole middleware stack:

- the dashboard (a national coordinator, the default period of 12 months): median and 95th
  percentile, and its query count, as a coordinator opens it (from the snapshot the beat task
  computes ahead) and computed on request (as every filtered view is); the same aggregates as
  hand-written SQL on a raw cursor (the floor) and the ratio of the computed view to it; the time
  the beat task takes to compute every default view ahead (the country and each county);
- the young-people list and the meeting list (50 rows a page, a worker's first page) against a
  trivial page (the accessibility statement, same user, same middleware).

Targets (issue 6): dashboard ≤ 2× its floor and ≤ 300 ms at the 95th percentile with 60,000
young people (the view computed ahead; the view computed on request is printed beside it); the same query count at 1,000 and at 60,000; lists ≤ 5× the trivial page.
Run with `make bench` (BENCH_YOUTH changes the size of the large data set).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
SIZES = {
    "kelayhteistyo_scale_1k": 1_000,
    "kelayhteistyo_scale": int(os.environ.get("BENCH_YOUTH", 60_000)),
}
REPEATS = 20
TZ = "Europe/Helsinki"


def environment(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "CELERY_BROKER_URL": "memory://",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }


def prepare(name: str, youth: int) -> None:
    """Create and fill the database on the first run."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = environment(f"{SERVER}/{name}")
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603 — ours
    with psycopg.connect(f"{SERVER}/{name}") as conn:
        filled = conn.execute("SELECT count(*) FROM cases_youthclient").fetchone()[0]
    if not filled:
        print(f"filling {name} with {youth:,} young people (once; kept for the next runs)…")
        seed = [*manage, "seed_scale", "--youth", str(youth)]
        subprocess.run(seed, env=env, check=True)  # noqa: S603 — our own command


def main() -> None:
    results = {}
    for name, youth in SIZES.items():
        prepare(name, youth)
        out = subprocess.run(  # noqa: S603 — this script
            [sys.executable, __file__, "--measure"],
            env=environment(f"{SERVER}/{name}"),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[youth] = json.loads(out.strip().splitlines()[-1])
    small, large = (results[y] for y in sorted(results))
    n = max(results)
    d, ahead = large["dashboard"], large["ahead"]
    print(f"\nDashboard with {n:,} young people ({large['meetings']:,} meetings):")
    print(
        f"  as opened (computed ahead)  median {ahead['median']:7.1f} ms, p95 {ahead['p95']:7.1f} ms"
        f" (target p95 ≤ 300 ms), {ahead['queries']} queries"
    )
    print(f"  computed on request         median {d['median']:7.1f} ms, p95 {d['p95']:7.1f} ms")
    print(f"  hand-written SQL (floor)    median {d['floor']:7.1f} ms")
    print(f"  ratio computed / floor: {d['median'] / d['floor']:.2f} (target ≤ 2.0)")
    print(
        f"  computing ahead every default view ({large['scopes']} scopes: the country, each"
        f" county): {large['refresh']:.1f} s, every 5 minutes by the beat task"
    )
    print(
        f"  queries with {n:,} young people: {d['queries']} computed, {ahead['queries']} ahead;"
        f" with 1,000: {small['dashboard']['queries']} and {small['ahead']['queries']}"
        " (target: the same)"
    )
    trivial = large["trivial"]["median"]
    print(f"\nLists (50 rows a page) against a trivial page ({trivial:.1f} ms median):")
    for key, label in (("youth_list", "young-people list"), ("meeting_list", "meeting list")):
        row = large[key]
        print(
            f"  {label:18} median {row['median']:6.1f} ms, p95 {row['p95']:6.1f} ms,"
            f" ratio {row['median'] / trivial:.2f} (target ≤ 5), {row['queries']} queries"
        )


# Measuring, in a process of its own for each database ------------------------------------------


def timed(call, repeats=REPEATS) -> dict:
    for _ in range(2):  # warm up
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median": statistics.median(times),
        "p95": statistics.quantiles(times, n=20, method="inclusive")[18],
    }


def measure() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kelayhteistyo.models import Organisation, User
    from meetings.models import JointMeeting
    from overview.models import DashboardSnapshot
    from overview.snapshots import snapshots_refresh
    from tests.factories import log_in

    coordinator = User.objects.filter(email="bench.coordinator@scale.invalid").first()
    if coordinator is None:
        project = Organisation.objects.create(name="Bench", kind=Organisation.Kind.PARTNER)
        coordinator = User.objects.create_user(
            "bench.coordinator@scale.invalid",
            None,
            role=User.Role.COORDINATOR,
            organisation=project,
            first_name="B",
            last_name="C",
        )
    worker = User.objects.filter(role=User.Role.AFTERCARE_WORKER).order_by("pk").first()
    result = {"meetings": JointMeeting.objects.count()}

    client = log_in(Client(), coordinator)
    url = reverse("dashboard")

    def dashboard():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"dashboard answered {response.status_code}")
        return response

    def counted(key):
        with CaptureQueriesContext(connection) as queries:
            dashboard()
        result[key]["queries"] = len(queries.captured_queries)

    DashboardSnapshot.objects.all().delete()  # computed on request, as a filtered view is
    result["dashboard"] = timed(dashboard)
    counted("dashboard")
    with connection.cursor() as cursor:
        result["dashboard"]["floor"] = timed(lambda: floor(cursor))["median"]

    started = time.perf_counter()
    result["scopes"] = snapshots_refresh()
    result["refresh"] = time.perf_counter() - started
    result["ahead"] = timed(dashboard)
    counted("ahead")
    if result["ahead"]["queries"] >= result["dashboard"]["queries"]:
        raise RuntimeError("the dashboard did not use the snapshot")

    client = log_in(Client(), worker)
    for key, path in (
        ("trivial", reverse("accessibility")),
        ("youth_list", reverse("cases:list")),
        ("meeting_list", reverse("meetings:list")),
    ):

        def page(path=path):
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")

        result[key] = timed(page)
        with CaptureQueriesContext(connection) as queries:
            page()
        result[key]["queries"] = len(queries.captured_queries)
    print(json.dumps(result))


# The dashboard's aggregates as hand-written SQL: what the database alone costs.
PERIOD = "m.starts_at >= %(from)s AND m.starts_at < %(to)s"
HELD = "('held', 'plan_recorded', 'reviewed')"
FLOOR = [
    f"""SELECT y.client_group, count(DISTINCT m.youth_id) FROM meetings_jointmeeting m
        JOIN cases_youthclient y ON y.id = m.youth_id
        WHERE {PERIOD} AND m.status NOT IN ('draft', 'cancelled') GROUP BY 1""",
    f"""SELECT date_trunc('month', m.starts_at AT TIME ZONE '{TZ}'), count(DISTINCT m.youth_id)
        FROM meetings_jointmeeting m WHERE {PERIOD} AND m.status NOT IN ('draft', 'cancelled')
        AND NOT EXISTS (SELECT 1 FROM meetings_jointmeeting e WHERE e.youth_id = m.youth_id
          AND e.starts_at < m.starts_at AND e.status NOT IN ('draft', 'cancelled'))
        GROUP BY 1 ORDER BY 1""",
    f"""SELECT date_trunc('month', m.starts_at AT TIME ZONE '{TZ}'),
          count(*) FILTER (WHERE m.modality = 'face_to_face' AND m.status <> 'cancelled'),
          count(*) FILTER (WHERE m.modality = 'video' AND m.status <> 'cancelled'),
          count(*) FILTER (WHERE m.modality = 'phone' AND m.status <> 'cancelled'),
          count(*) FILTER (WHERE m.status = 'cancelled')
        FROM meetings_jointmeeting m WHERE {PERIOD} AND m.status <> 'draft'
        GROUP BY 1 ORDER BY 1""",
    f"""SELECT count(*), count(*) FILTER (WHERE p.status <> 'pending'),
          count(*) FILTER (WHERE p.status = 'accepted'),
          count(*) FILTER (WHERE p.proposed_start IS NOT NULL)
        FROM meetings_participant p JOIN meetings_jointmeeting m ON m.id = p.meeting_id
        WHERE p.kind = 'kela_contact' AND {PERIOD} AND m.status <> 'draft'""",
    f"""SELECT count(*),
          percentile_cont(0.5) WITHIN GROUP (ORDER BY m.starts_at - m.invited_at),
          percentile_cont(0.9) WITHIN GROUP (ORDER BY m.starts_at - m.invited_at)
        FROM meetings_jointmeeting m WHERE {PERIOD}
          AND m.status NOT IN ('draft', 'cancelled') AND m.invited_at IS NOT NULL""",
    f"""SELECT count(*), count(pl.id) FROM meetings_jointmeeting m
        LEFT JOIN meetings_followupplan pl ON pl.meeting_id = m.id
        WHERE {PERIOD} AND m.status IN {HELD}""",
    f"""SELECT o.kind,
          count(*) FILTER (WHERE i.status = 'done' AND (i.due_date IS NULL
            OR (i.done_at AT TIME ZONE '{TZ}')::date <= i.due_date)),
          count(*) FILTER (WHERE i.status = 'done'
            AND (i.done_at AT TIME ZONE '{TZ}')::date > i.due_date),
          count(*) FILTER (WHERE i.status = 'open' AND i.due_date < %(today)s),
          count(*) FILTER (WHERE i.status = 'open'
            AND (i.due_date >= %(today)s OR i.due_date IS NULL))
        FROM meetings_actionitem i JOIN meetings_participant o ON o.id = i.owner_id
        JOIN meetings_followupplan pl ON pl.id = i.plan_id
        JOIN meetings_jointmeeting m ON m.id = pl.meeting_id
        WHERE {PERIOD} AND m.status <> 'draft' GROUP BY 1 ORDER BY 1""",
    f"""SELECT count(DISTINCT pl.id) FILTER (WHERE pl.review_date <= %(today)s),
          count(DISTINCT pl.id) FILTER (WHERE pl.review_date <= %(today)s
            AND r.held_on <= pl.review_date),
          count(DISTINCT pl.id) FILTER (WHERE pl.review_date < %(today)s
            AND m.status = 'plan_recorded'),
          count(DISTINCT pl.id) FILTER (WHERE pl.kela_cooperation = 'yes'),
          count(DISTINCT pl.id)
        FROM meetings_followupplan pl JOIN meetings_jointmeeting m ON m.id = pl.meeting_id
        LEFT JOIN meetings_review r ON r.plan_id = pl.id
        WHERE {PERIOD} AND m.status <> 'draft' AND pl.review_date IS NOT NULL""",
    f"""SELECT count(DISTINCT e.plan_id) FROM meetings_planexport e
        JOIN meetings_followupplan pl ON pl.id = e.plan_id
        JOIN meetings_jointmeeting m ON m.id = pl.meeting_id
        WHERE {PERIOD} AND m.status <> 'draft' AND e.variant = 'official'""",
    """SELECT r."group", count(*), count(*) FILTER (WHERE a.number = 1)
        FROM feedback_answer a JOIN feedback_question q ON q.id = a.question_id
        JOIN feedback_response r ON r.id = a.response_id
        WHERE q.key = 'again' AND r.quarter >= %(start_month)s
          AND r.quarter < %(end_month)s GROUP BY 1""",
]


def floor(cursor) -> None:
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    start = today - datetime.timedelta(days=365)

    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    params = {
        "from": midnight(start),
        "to": midnight(today + datetime.timedelta(days=1)),
        "today": today,
        "start_month": start.replace(day=1),
        "end_month": (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1),
    }
    for sql in FLOOR:
        cursor.execute(sql, params)
        cursor.fetchall()


if __name__ == "__main__":
    measure() if "--measure" in sys.argv else main()
