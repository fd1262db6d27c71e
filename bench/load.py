"""`make load`: a Locust load test of the app under gunicorn with production settings on the
national-scale database (issue 20). Not part of `make test`.

1. The database (LOAD_DATABASE_URL, default kelayhteistyo_scale, made by `make bench`; filled
   with `seed_scale --youth LOAD_YOUTH` if empty).
2. Users who can log in (the scale data's people have no passwords): LOAD_WORKERS workers,
   LOAD_KELA Kela contacts and four coordinators with an authenticator key, and the pages each
   will open (their young people, meetings, plans, invitations to answer), in a JSON file.
3. collectstatic and gunicorn (production settings: DEBUG off, a random SECRET_KEY, the
   Dockerfile's 3 workers), behind a "proxy" (X-Forwarded-Proto).
4. Locust headless: LOAD_USERS_N users (16), arriving LOAD_SPAWN_RATE a second (2), for
   LOAD_TIME (120s), each waiting LOAD_THINK_MIN to LOAD_THINK_MAX seconds (1–5) between pages, then a table per page: requests/s,
   p50/p95/p99, errors, and its throughput ratio to the trivial page; the reasons of misses.

The throughput ratio of a page: how many of it the server completes per second of a worker's
time, relative to the trivial page (the accessibility statement), both measured in the same run
on the same server: the trivial page's mean service time divided by the page's, read from
gunicorn's access log (the time a worker spent on each request, which every request tells by
its X-Load-Page header). A page with ratio 0.25 costs the server four trivial pages. The time
clients waited (p50/p95/p99, Locust's) includes queueing, which on a saturated server is the
same for every page and would hide the differences.
"""

import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kelayhteistyo_scale")
YOUTH = int(os.environ.get("LOAD_YOUTH", 60_000))
USERS_N = int(os.environ.get("LOAD_USERS_N", 16))
RUN_TIME = os.environ.get("LOAD_TIME", "120s")
# Users arrive two a second, as people log in over a morning, not all in one second: sixteen
# logins at once (Argon2, about 0.4 s each on purpose) queue for seconds. Locust's figures start
# once all have arrived (--reset-stats); gunicorn's service times include the arrivals.
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", 2))
PORT = int(os.environ.get("LOAD_PORT", 8765))
WORKERS = int(os.environ.get("LOAD_WORKERS", 12))
KELA = int(os.environ.get("LOAD_KELA", 6))
PASSWORD = "kuormitustesti-" + secrets.token_hex(8)
TARGET_RATIO, TARGET_P99 = 0.25, 1000
GUNICORN_WORKERS = 3  # the Dockerfile's
# A user's seconds between pages (bench/locustfile.py reads them).
THINK_MIN = float(os.environ.setdefault("LOAD_THINK_MIN", "1"))
THINK_MAX = float(os.environ.setdefault("LOAD_THINK_MAX", "5"))


def prepare_database() -> None:
    import psycopg

    server, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": URL, "DEBUG": "1", "CELERY_BROKER_URL": "memory://"}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603 — ours
    with psycopg.connect(URL) as conn:
        filled = conn.execute("SELECT count(*) FROM cases_youthclient").fetchone()[0]
    if not filled:
        print(f"filling {name} with {YOUTH:,} young people (once; kept for the next runs)…")
        subprocess.run([*manage, "seed_scale", "--youth", str(YOUTH)], env=env, check=True)  # noqa: S603
    from bench.pages import vacuum

    vacuum(URL)


def prepare_users(path: Path) -> None:
    """Passwords for a few of the scale data's people, and the pages each will open."""
    os.environ.update(DATABASE_URL=URL, DEBUG="1", CELERY_BROKER_URL="memory://")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import YouthClient
    from kelayhteistyo.models import County, Organisation, User
    from meetings.models import JointMeeting, Participant
    from overview import worklists

    password = make_password(PASSWORD)
    users = {"worker": [], "kela": [], "coordinator": []}
    workers = (
        User.objects.filter(role=User.Role.AFTERCARE_WORKER, email__endswith="@scale.invalid")
        .annotate(n=Count("youth_clients"))
        .filter(n__gt=0)
        .order_by("pk")[:WORKERS]
    )
    for worker in workers:
        meetings = JointMeeting.objects.visible_to(worker).filter(youth__responsible_worker=worker)
        plans = Participant.objects.filter(
            meeting__in=meetings.filter(status__in=JointMeeting.WITH_PLAN),
            kind=Participant.Kind.AFTERCARE_WORKER,
        ).values_list("meeting_id", "pk")[:20]
        users["worker"].append(
            {
                "email": worker.email,
                "youth": [
                    str(pk)
                    for pk in YouthClient.objects.filter(responsible_worker=worker).values_list(
                        "pk", flat=True
                    )[:50]
                ],
                "meetings": [str(pk) for pk in meetings.values_list("pk", flat=True)[:50]],
                "plans": [(str(m), p) for m, p in plans],
                "lists": list(worklists.WORKER_LISTS),
            }
        )
    kela = User.objects.filter(role=User.Role.KELA_CONTACT, email__endswith="@scale.invalid")
    for contact in kela.order_by("pk")[:KELA]:
        meetings = JointMeeting.objects.visible_to(contact)
        pending = meetings.filter(
            status=JointMeeting.Status.INVITED,
            participants__user=contact,
            participants__status=Participant.Status.PENDING,
        )
        users["kela"].append(
            {
                "email": contact.email,
                "meetings": [str(pk) for pk in meetings.values_list("pk", flat=True)[:50]],
                "to_answer": [str(pk) for pk in pending.values_list("pk", flat=True)[:200]],
            }
        )
    project = Organisation.objects.get_or_create(
        name="Kuormitustesti", kind=Organisation.Kind.PARTNER
    )[0]
    counties = [str(pk) for pk in County.objects.values_list("pk", flat=True)]
    for i in range(4):  # one each: a shared account's one-time code is refused as a replay
        coordinator = User.objects.get_or_create(
            email=f"load.coordinator{i}@scale.invalid",
            defaults={
                "role": User.Role.COORDINATOR,
                "organisation": project,
                "first_name": "Kuormitus",
                "last_name": str(i),
            },
        )[0]
        TOTPDevice.objects.filter(user=coordinator).delete()
        device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
        users["coordinator"].append(
            {"email": coordinator.email, "totp_key": device.key, "counties": counties}
        )
    emails = [u["email"] for group in users.values() for u in group]
    User.objects.filter(email__in=emails).update(password=password, is_active=True)
    for group in users.values():
        for user in group:
            user["password"] = PASSWORD
    path.write_text(json.dumps(users))
    print(
        f"{len(users['worker'])} workers, {len(users['kela'])} Kela contacts and"
        f" {len(users['coordinator'])} coordinators can log in"
    )


def serve(log: Path):
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{PORT}",
        "CELERY_BROKER_URL": "memory://",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)  # noqa: S603
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "kelayhteistyo.wsgi", "--bind", f"127.0.0.1:{PORT}"]
    command += ["--workers", str(GUNICORN_WORKERS), "--access-logfile", str(log)]
    command += ["--access-logformat", "%({x-load-page}i)s\t%(D)s"]
    server = subprocess.Popen(command, env=env, cwd=BASE_DIR)  # noqa: S603
    # Ready when a page answers; then every worker process has loaded the app once.
    ready = urllib.request.Request(  # noqa: S310 — our own local server
        f"http://127.0.0.1:{PORT}/login/", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(ready, timeout=30)  # noqa: S310
            break
        except OSError:
            time.sleep(0.5)
    for _ in range(12):
        urllib.request.urlopen(ready, timeout=30)  # noqa: S310
    return server


def service_times(log: Path) -> dict[str, float]:
    """The mean time (ms) a gunicorn worker spent on each page."""
    times: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        name, _tab, micros = line.rpartition("\t")
        if name and name != "-":
            times.setdefault(name, []).append(int(micros) / 1000)
    return {name: sum(t) / len(t) for name, t in times.items()}


def report(stats: Path, log: Path) -> None:
    served = service_times(log)
    with stats.open() as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] != "Aggregated"]
    by_name = {r["Name"]: r for r in rows}
    if "trivial page" not in by_name:
        raise SystemExit("the trivial page was never measured: run longer (LOAD_TIME)")
    trivial = served["trivial page"]
    print(
        f"\n{'page':34} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}"
        f" {'server':>7} {'ratio':>6}\n(ms; server = a worker's mean time on the page; ratio ="
        f" throughput ÷ the trivial page's, target ≥ {TARGET_RATIO})"
    )
    from bench.results import record

    # How busy the server was: the workers' seconds of work per second of the run.
    busy = (
        sum(float(r["Requests/s"]) * served.get(r["Name"], 0) / 1000 for r in rows)
        / GUNICORN_WORKERS
    )
    misses = []
    for r in sorted(rows, key=lambda r: -float(r["Request Count"])):
        mean = served.get(r["Name"], 0) or 1e-9
        ratio = trivial / mean
        p99 = float(r["99%"])
        waited = (
            f"a worker's mean time on the page was {mean:.0f} ms; the rest of the p99 is"
            f" waiting for a worker (the {GUNICORN_WORKERS} workers busy {busy:.0%} of the run, the 2"
            " cores shared with PostgreSQL)"
        )
        print(
            f"{r['Name']:34} {float(r['Requests/s']):7.1f} {r['50%']:>6} {r['95%']:>6}"
            f" {r['99%']:>6} {r['Failure Count']:>6} {mean:7.1f} {ratio:6.2f}"
        )
        if r["Name"] in ("login form", "login", "two-factor form", "two-factor"):
            continue  # once per user, at the start
        slower = (
            f"a worker spends {mean:.0f} ms on it against {trivial:.0f} ms on the trivial"
            " page: its single-request ratio (make bench, which prints the parts of each page"
            " that misses ≤ 5×, and the filtered dashboard's)"
        )
        errors = int(r["Failure Count"])
        for figure, value, unit, target, met, why in (
            (
                "throughput / trivial",
                ratio,
                "×",
                f"≥ {TARGET_RATIO}",
                ratio >= TARGET_RATIO,
                slower,
            ),
            ("p99", p99, "ms", f"≤ {TARGET_P99} ms", p99 <= TARGET_P99, waited),
            ("errors", errors, "", "0", errors == 0, "the errors are in Locust's report above"),
        ):
            record(f"load: {r['Name']} {figure}", value, unit, target, met, why=why)
            if not met:
                misses.append(f"- {r['Name']}, {figure} {value:.2f} (target {target}): {why}")
    total = sum(float(r["Requests/s"]) for r in rows)
    print(
        f"\nin all {total:.1f} requests/s with {USERS_N} users for {RUN_TIME}, each"
        f" {THINK_MIN}–{THINK_MAX} s between pages; the {GUNICORN_WORKERS} gunicorn workers busy"
        f" {busy:.0%} of the run"
    )
    print("\nWhy the misses (measured in this run):" if misses else "\nEvery target met.")
    print("\n".join(misses))


def main() -> None:
    prepare_database()
    work = Path(tempfile.mkdtemp(prefix="load-"))
    users = work / "users.json"
    prepare_users(users)
    server = serve(work / "access.log")
    try:
        locust = Path(sys.executable).parent / "locust"
        subprocess.run(  # noqa: S603 — our own locustfile
            [
                str(locust),
                "-f",
                str(BASE_DIR / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(USERS_N),
                "--spawn-rate",
                str(SPAWN_RATE),
                "--reset-stats",
                "--run-time",
                RUN_TIME,
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "LOAD_USERS": str(users)},
            check=False,  # failures are reported in the table
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    report(work / "load_stats.csv", work / "access.log")


if __name__ == "__main__":
    main()
