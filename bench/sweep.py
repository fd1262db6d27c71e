"""Benchmark: one notification sweep with 100,000 and with 1,000,000 action items, of which
1,000 are due. The sweep must cost what the due ones cost, not what all of them cost
(target: ratio ≤ 1.5), and the query for due items must use an index.

Runs on its own PostgreSQL database (BENCH_DATABASE_URL, default kelayhteistyo_bench on
127.0.0.1), created and filled on the first run (bulk inserts; about a minute), kept after.
Run with `make bench`.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kelayhteistyo_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["CELERY_BROKER_URL"] = "memory://"  # the sweep's hand-over to tasks goes nowhere


def create_database():
    import psycopg

    name = URL.rsplit("/", 1)[1]
    with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


create_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.results import record  # noqa: E402
from cases.models import YouthClient  # noqa: E402
from kelayhteistyo.models import Language, Organisation, User  # noqa: E402
from meetings import notifications  # noqa: E402
from meetings.models import (  # noqa: E402
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    Notification,
    Participant,
)

DUE = 1_000
MEETINGS = 1_000
BATCH = 20_000


def base():
    """1,000 young people with a held meeting, a plan and a Kela contact as owner of items."""
    if FollowUpPlan.objects.count() >= MEETINGS:
        return list(
            Participant.objects.filter(kind="kela_contact")
            .order_by("pk")
            .values_list("pk", "meeting__plan", "meeting__youth_id", "meeting__organisation_id")
        )
    org = Organisation.objects.create(name="Bench", kind="aftercare")
    worker = User.objects.create_user(
        "bench.worker@example.fi",
        "x" * 16,
        role="aftercare_worker",
        organisation=org,
        first_name="B",
        last_name="W",
    )
    kela_org = Organisation.objects.create(name="Kela", kind="kela")
    kela = User.objects.create_user(
        "bench.kela@example.fi",
        "x" * 16,
        role="kela_contact",
        organisation=kela_org,
        first_name="K",
        last_name="C",
    )
    fi = Language.objects.get(code="fi")
    past = timezone.now() - datetime.timedelta(days=60)
    youth = YouthClient.objects.bulk_create(
        YouthClient(
            organisation=org,
            responsible_worker=worker,
            first_name=f"N{i}",
            last_name="B",
            aftercare_ends_on=datetime.date(2030, 12, 31),
            date_of_birth=datetime.date(2006, 1, 1),
            language=fi,
        )
        for i in range(MEETINGS)
    )
    meetings = JointMeeting.objects.bulk_create(
        JointMeeting(
            youth=y,
            organisation=org,
            organiser=worker,
            goal="x",
            modality="face_to_face",
            place="x",
            starts_at=past,
            language=fi,
            status="plan_recorded",
        )
        for y in youth
    )
    owners = Participant.objects.bulk_create(
        Participant(meeting=m, kind="kela_contact", user=kela) for m in meetings
    )
    plans = FollowUpPlan.objects.bulk_create(
        FollowUpPlan(meeting=m, summary="x", updated_by=worker, organisation_id=m.organisation_id)
        for m in meetings
    )
    return [
        (o.pk, p.pk, m.youth_id, m.organisation_id)
        for o, p, m in zip(owners, plans, meetings, strict=True)
    ]


def fill_items(pairs, total):
    """Items up to `total`: DUE open ones due on the next working day, the rest done or far
    off (as in a national practice, where most tasks are long done)."""
    have = ActionItem.objects.count()
    if have >= total:
        return
    today, now = timezone.localdate(), timezone.now()
    due_day = notifications.add_working_days(today, 1)
    if have == 0:
        ActionItem.objects.bulk_create(
            ActionItem(
                plan_id=plan,
                owner_id=owner,
                youth_id=youth,
                organisation_id=org,
                what="due",
                due_date=due_day,
                status="open",
            )
            for owner, plan, youth, org in pairs[:DUE]
        )
        have = DUE
    while have < total:
        n = min(BATCH, total - have)
        rows = []
        for i in range(n):
            owner, plan, youth, org = pairs[(have + i) % len(pairs)]
            k = (have + i) % 10
            if k < 7:
                status, due = "done", today - datetime.timedelta(days=40 + (have + i) % 700)
            elif k < 9:
                status, due = "open", today + datetime.timedelta(days=10 + (have + i) % 300)
            else:
                status, due = "open", today - datetime.timedelta(days=31 + (have + i) % 300)
            rows.append(
                ActionItem(
                    plan_id=plan,
                    owner_id=owner,
                    youth_id=youth,
                    organisation_id=org,
                    what="x",
                    due_date=due,
                    status=status,
                    done_at=now if status == "done" else None,
                )
            )
        ActionItem.objects.bulk_create(rows)
        have += n
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_actionitem")


def measure(repeats=5):
    times = []
    for _ in range(repeats):
        Notification.objects.all().delete()
        started = time.perf_counter()
        created = notifications.reminders_create()
        times.append(time.perf_counter() - started)
    return statistics.median(times), created


def main():
    call_command("migrate", verbosity=0)
    pairs = base()
    if not notifications.is_working_day(timezone.localdate()):
        print("Today is not a working day in Finland: the sweep creates nothing; run on a weekday.")
        return
    results = {}
    for total in (100_000, 1_000_000):
        extra = ActionItem.objects.count() - total
        if extra > 0:  # a rerun: the database holds the larger size; the newest items go
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM meetings_actionitem WHERE id IN"
                    " (SELECT id FROM meetings_actionitem ORDER BY id DESC LIMIT %s)",
                    [extra],
                )
                # Dead rows would slow the smaller size's index scan and flatter the ratio.
                cursor.execute("VACUUM ANALYZE meetings_actionitem")
        started = time.perf_counter()
        fill_items(pairs, total)
        # The first DUE items are the due ones: due on the next working day of today's run.
        first = ActionItem.objects.order_by("pk").values("pk")[:DUE]
        due_day = notifications.add_working_days(timezone.localdate(), 1)
        ActionItem.objects.filter(pk__in=first).update(due_date=due_day)
        print(f"{total:>9,} action items ready ({time.perf_counter() - started:.0f} s)")
        results[total] = measure()
    for total, (seconds, created) in results.items():
        print(f"sweep with {total:>9,} items: {seconds * 1000:7.1f} ms median, {created} reminders")
        record(f"sweep with {total:,} action items", seconds * 1000, "ms")
    if len(results) == 2:
        small, large = results[100_000][0], results[1_000_000][0]
        print(f"ratio 1,000,000 / 100,000: {large / small:.2f} (target ≤ 1.5)")
        record(
            "sweep: 1,000,000 / 100,000 items", large / small, "×", "≤ 1.5", large / small <= 1.5
        )
    today = timezone.localdate()
    query = ActionItem.objects.filter(
        status="open", due_date__gt=today, due_date__lte=notifications.add_working_days(today, 1)
    )
    print("query plan of the due items:")
    print(query.explain())
    Notification.objects.all().delete()


if __name__ == "__main__":
    main()
