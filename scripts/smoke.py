"""The production smoke (issue 21, `make smoke`): the processes of docker-compose.yml, started
from the repository without Docker, driven over HTTP like a browser behind the TLS proxy.

- PostgreSQL with the two roles of the compose file: an owner that migrates (the `migrate`
  service: `migrate`, then `db_roles`), and the application role that web, worker and beat use.
- Redis (database 9, emptied first; no test uses it), gunicorn with production settings (DEBUG
  off, a random SECRET_KEY, HTTPS told by the proxy header), a Celery worker and beat.
- A real SMTP server (aiosmtpd) in this process: the e-mails arrive as they would at a relay.

The flow: log in with CSRF (a worker and a Kela contact of `seed_demo`: coordinators need a
second factor), add a young person and the consent, book a meeting and invite Kela; Kela logs in
and accepts; the confirmation e-mail with its calendar file arrives; time passes (the one
shortcut: the meeting is moved into the past in the database, as the e2e test does); the worker
marks it held, records the plan, exports the PDF and downloads it. Then the access log has the
rows and the application role cannot TRUNCATE or ALTER it.

Shutdown and backup: worker and beat get SIGTERM, an invitation is booked while they are down
(its row waits), gunicorn gets SIGTERM; each must exit 0. The database is dumped (pg_dump),
restored into a new database, and everything starts again on the restored copy: the row counts
and the access log's trigger and rights survived, the waiting invitation is delivered, and the
app answers. A clean run drops its databases and roles; a failed one leaves them to look at.

Environment: SMOKE_PG (the server, as postgres://superuser@host:port; default from
DATABASE_URL, else postgres://postgres@127.0.0.1:5432), SMOKE_REDIS_URL (default
redis://127.0.0.1:6379/9), SMOKE_MAX_SECONDS (default 180: a slower run fails). Logs of every
process: test-artifacts/smoke/.
"""

import contextlib
import datetime
import email
import html.parser
import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import redis
import requests
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts" / "smoke"
DB, RESTORED = "kely_smoke", "kely_smoke_restored"
OWNER, APP = "kely_smoke_owner", "kely_smoke_app"
WORKER_LOGIN, KELA_LOGIN = "tyontekija.a@demo.fi", "kela.yhteys@demo.fi"
PASSWORD = "demo-salasana-2026"  # overview/management/commands/seed_demo.py
STARTED = time.monotonic()


def today() -> datetime.date:
    """The day as the users see it (the app's time zone)."""
    return datetime.datetime.now(ZoneInfo("Europe/Helsinki")).date()


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", flush=True)


class SmokeFailure(AssertionError):
    pass


def check(condition, what: str) -> None:
    if not condition:
        raise SmokeFailure(what)


def wait_for(condition, what: str, timeout: float = 60.0, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise SmokeFailure(f"timed out waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# PostgreSQL ------------------------------------------------------------------------------------


def server_url() -> str:
    if os.environ.get("SMOKE_PG"):
        return os.environ["SMOKE_PG"].rstrip("/")
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if url.scheme.startswith("postgres"):
        return f"postgres://{url.netloc}"
    return "postgres://postgres@127.0.0.1:5432"


class Database:
    def __init__(self):
        server = urllib.parse.urlsplit(server_url())
        self.host, self.port = server.hostname or "127.0.0.1", server.port or 5432
        self.superuser = server_url()
        self.owner_password = secrets.token_hex(16)
        self.app_password = secrets.token_hex(16)

    def url(self, role: str, database: str) -> str:
        password = self.owner_password if role == OWNER else self.app_password
        return f"postgres://{role}:{password}@{self.host}:{self.port}/{database}"

    def admin(self, *statements: str) -> None:
        with psycopg.connect(f"{self.superuser}/postgres", autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def reset(self) -> None:
        """Fresh databases and roles (a failed run left its own to look at)."""
        self.admin(
            f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)",
            f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {APP}",
            f"DROP ROLE IF EXISTS {OWNER}",
            # As in the compose file's postgres service: the owner logs in with a password and
            # may create the application role (db_roles); it is no superuser.
            f"CREATE ROLE {OWNER} LOGIN CREATEROLE PASSWORD '{self.owner_password}'",
            f"CREATE DATABASE {DB} OWNER {OWNER}",
        )

    def drop(self) -> None:
        self.admin(
            f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)",
            f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {APP}",
            f"DROP ROLE IF EXISTS {OWNER}",
        )

    def query(self, role: str, database: str, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.url(role, database), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def refused(self, role: str, database: str, sql: str) -> str:
        """The error PostgreSQL answers `sql` with; a statement that succeeds fails the smoke."""
        try:
            with psycopg.connect(self.url(role, database), autocommit=True) as conn:
                conn.execute(sql)
        except psycopg.Error as exc:
            return str(exc).splitlines()[0]
        raise SmokeFailure(f"{role} was allowed: {sql}")


COUNTED = [
    "kelayhteistyo_accesslog",
    "kelayhteistyo_user",
    "cases_youthclient",
    "cases_consent",
    "meetings_jointmeeting",
    "meetings_followupplan",
    "meetings_planexport",
    "meetings_notification",
]


def counts(db: Database, database: str) -> dict[str, int]:
    return {
        table: db.query(OWNER, database, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
        for table in COUNTED
    }


# SMTP ------------------------------------------------------------------------------------------


class Mailbox:
    """What the SMTP server received: (recipients, parsed message)."""

    def __init__(self):
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def calendar_for(self, recipient: str, meeting: str, status: str) -> Message | None:
        """The first message to `recipient` with a calendar file for `meeting` in `status`."""
        for recipients, message in list(self.received):
            if recipient not in recipients:
                continue
            for part in message.walk():
                if part.get_content_type() == "text/calendar":
                    ics = part.get_payload(decode=True).decode()
                    if f"UID:{meeting}@yhteistyo" in ics and f"STATUS:{status}" in ics:
                        return message
        return None


# Processes -------------------------------------------------------------------------------------


class Service:
    """One process of the compose file, its output in test-artifacts/smoke/<name>.log."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]):
        self.name, self.command, self.env = name, command, env
        self.process: subprocess.Popen | None = None
        self.log = ARTIFACTS / f"{name}.log"

    def start(self) -> "Service":
        self.output = self.log.open("a")
        self.process = subprocess.Popen(  # noqa: S603 — our own commands
            self.command, cwd=ROOT, env=self.env, stdout=self.output, stderr=subprocess.STDOUT
        )
        return self

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as `docker compose stop` sends; the exit code of a clean shutdown is 0."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        finally:
            self.output.close()
        check(code == 0, f"{self.name} did not shut down cleanly on SIGTERM (exit {code})")
        return code

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SmokeFailure(f"manage.py {' '.join(args)}: {result.stderr[-2000:]}")
    return result.stdout


# A browser behind the TLS proxy ----------------------------------------------------------------


class Forms(html.parser.HTMLParser):
    """The forms of a page with what a browser would send without any input: hidden and
    filled fields, ticked boxes, the selected (or first) option of each list."""

    def __init__(self, text: str):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": [], "options": {}})
        elif not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "checkbox", "radio") or "checked" in a:
                form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            form["options"][self._select] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form["options"][self._select].append(value)
            if "selected" in a:
                form["fields"].append((self._select, value))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            form["fields"].append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self.forms:
            form = self.forms[-1]
            if self._select not in dict(form["fields"]) and form["options"][self._select]:
                form["fields"].append((self._select, form["options"][self._select][0]))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            name, value = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, value + data)

    def having(self, field: str) -> dict:
        for form in self.forms:
            if field in {name for name, _ in form["fields"]} | set(form["options"]):
                return form
        raise SmokeFailure(f"no form with the field {field}")

    def acting(self, action_end: str, **wanted: str) -> dict:
        for form in self.forms:
            sent = dict(form["fields"])
            if form["action"].endswith(action_end) and all(
                sent.get(k) == v for k, v in wanted.items()
            ):
                return form
        raise SmokeFailure(f"no form posting to …{action_end} {wanted}")


def filled(form: dict, **values) -> list[tuple[str, str]]:
    """The form's own values with `values` put in (a list value ticks several boxes)."""
    data = [(k, v) for k, v in form["fields"] if k not in values]
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            data.append((name, str(one)))
    return data


class Browser:
    """Cookies, CSRF and redirects as a browser handles them. The app sees HTTPS through the
    proxy header (its cookies are Secure, so they are kept here by hand, not by requests)."""

    def __init__(self, base: str):
        self.base = base
        self.origin = "https://" + urllib.parse.urlsplit(base).netloc
        self.cookies: dict[str, str] = {}
        self.url = base + "/"

    def request(self, method: str, path: str, data=None, *, follow=True, headers=None):
        url = urllib.parse.urljoin(self.url, path)
        for _ in range(10):
            sent = {
                "X-Forwarded-Proto": "https",
                "Accept-Language": "en",
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **(headers or {}),
            }
            if method == "POST":
                sent |= {"Origin": self.origin, "Referer": self.origin + "/"}
            response = requests.request(
                method, url, data=data, headers=sent, allow_redirects=False, timeout=90
            )
            for header in response.raw.headers.getlist("Set-Cookie"):
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            location = response.headers.get("Location")
            if not (follow and response.status_code in (301, 302, 303) and location):
                self.url = url
                return response
            location = location.replace(self.origin, self.base)  # the proxy's https address
            url, method, data = urllib.parse.urljoin(url, location), "GET", None
        raise SmokeFailure(f"too many redirects from {path}")

    def get(self, path: str, **kwargs):
        response = self.request("GET", path, **kwargs)
        check(response.status_code == 200, f"GET {path}: {response.status_code}")
        return response

    def forms(self, path: str) -> Forms:
        return Forms(self.get(path).text)

    def post(self, form: dict, data: list[tuple[str, str]], expect_path: str = ""):
        response = self.request("POST", form["action"] or self.url, data=data)
        check(response.status_code == 200, f"POST {form['action']}: {response.status_code}")
        if expect_path:
            path = urllib.parse.urlsplit(self.url).path
            check(re.fullmatch(expect_path, path), f"after POST: {path}, not {expect_path}")
        return response

    def log_in(self, login: str) -> None:
        form = self.forms("/login/").having("username")
        self.post(form, filled(form, username=login, password=PASSWORD), expect_path="/")


# The flow --------------------------------------------------------------------------------------


def book(browser: Browser, youth: str, kela_id: int, days_ahead: int) -> str:
    """Book a meeting for the young person and invite the Kela contact; the meeting's id."""
    form = browser.forms(f"/meetings/new/{youth}/").having("goal")
    day = today() + datetime.timedelta(days=days_ahead)
    browser.post(
        form,
        filled(
            form,
            goal="Opintotuki kuntoon",
            topics=["student_aid"],
            day=day.isoformat(),
            start_time="10:00",
            end_time="11:00",
            modality="face_to_face",
            place="Jälkihuollon toimisto",
            kela_contact=str(kela_id),
            action="invite",
        ),
        expect_path=r"/meetings/[0-9a-f-]{36}/",
    )
    return page_url(browser).split("/")[2]


def page_url(browser: Browser) -> str:
    return urllib.parse.urlsplit(browser.url).path


def flow(base: str, db: Database, mailbox: Mailbox) -> dict:
    worker, kela = Browser(base), Browser(base)
    kela_id = db.query(APP, DB, "SELECT id FROM kelayhteistyo_user WHERE email=%s", [KELA_LOGIN])
    worker_id = db.query(
        APP, DB, "SELECT id FROM kelayhteistyo_user WHERE email=%s", [WORKER_LOGIN]
    )
    kela_id, worker_id = kela_id[0][0], worker_id[0][0]

    worker.log_in(WORKER_LOGIN)
    say(f"logged in as {WORKER_LOGIN} (CSRF, Secure cookies through the proxy header)")

    last_name = f"Savutesti{secrets.token_hex(3)}"
    form = worker.forms("/young-people/new/").having("first_name")
    born = today() - datetime.timedelta(days=19 * 365 + 40)
    worker.post(
        form,
        filled(
            form,
            first_name="Sanni",
            last_name=last_name,
            date_of_birth=born.isoformat(),
            client_group=next(v for v in form["options"]["client_group"] if v),
            language=next(v for v in form["options"]["language"] if v),
        ),
        expect_path=r"/young-people/[0-9a-f-]{36}/",
    )
    youth = page_url(worker).split("/")[2]
    form = worker.forms(f"/young-people/{youth}/consent/").having("how_given")
    worker.post(
        form,
        filled(
            form,
            scope_kela_meeting="on",
            scope_share_plan="on",
            scope_client_plan="on",
            how_given="in_writing",
        ),
        expect_path=f"/young-people/{youth}/",
    )
    meeting = book(worker, youth, kela_id, days_ahead=7)
    say(f"young person, consent, meeting {meeting} booked and Kela invited")

    kela.log_in(KELA_LOGIN)
    form = kela.forms(f"/meetings/{meeting}/").having("answer")
    kela.post(form, filled(form, answer="accepted"), expect_path=f"/meetings/{meeting}/")
    say("Kela logged in and accepted")

    wait_for(
        lambda: mailbox.calendar_for(KELA_LOGIN, meeting, "CONFIRMED"),
        "the confirmation e-mail with its calendar file",
        timeout=60,
    )
    say("the confirmation e-mail with a CONFIRMED calendar file arrived at the SMTP server")

    # Time passes (the one shortcut, as in tests/e2e/test_flow.py): the meeting is behind us.
    with psycopg.connect(db.url(OWNER, DB), autocommit=True) as conn:
        conn.execute(
            "UPDATE meetings_jointmeeting SET starts_at = now() - interval '1 day' WHERE id = %s",
            [meeting],
        )
    form = worker.forms(f"/meetings/{meeting}/").acting("/held/")
    worker.post(form, filled(form), expect_path=f"/meetings/{meeting}/plan/")
    form = Forms(worker.get(f"/meetings/{meeting}/plan/").text).having("summary")
    review = today() + datetime.timedelta(days=30)
    worker.post(
        form,
        filled(
            form,
            summary="Käytiin läpi opintotuki.",
            kela_cooperation="yes",
            review_date=review.isoformat(),
        ),
        expect_path=f"/meetings/{meeting}/plan/",
    )
    say("marked held, plan recorded")

    page = Forms(worker.get(f"/meetings/{meeting}/plan/").text)
    form = page.acting("/plan/export/", variant="plain")
    worker.post(form, filled(form, language="fi"), expect_path=f"/meetings/{meeting}/plan/")
    links = re.findall(
        rf'href="(/meetings/{meeting}/plan/export/\d+/)"', worker.get(worker.url).text
    )
    check(links, "no download link for the exported plan")
    pdf = worker.get(links[0]).content
    check(pdf.startswith(b"%PDF"), "the download is not a PDF")
    say(f"plan exported and downloaded ({len(pdf)} bytes, %PDF)")

    rows = db.query(
        APP,
        DB,
        "SELECT user_id, action, object_type FROM kelayhteistyo_accesslog WHERE youth_id = %s",
        [youth],
    )
    actions = {(user, action) for user, action, _ in rows}
    for wanted in [
        (worker_id, "create"),
        (worker_id, "read"),
        (worker_id, "export"),
        (kela_id, "disclose"),  # what Kela reads of the young person is a disclosure
    ]:
        check(wanted in actions, f"no access log row {wanted}: {sorted(actions)}")
    say(f"access log: {len(rows)} rows for the young person ({sorted({a for _, a in actions})})")
    for sql in (
        "TRUNCATE kelayhteistyo_accesslog",
        "ALTER TABLE kelayhteistyo_accesslog DISABLE TRIGGER ALL",
        "UPDATE kelayhteistyo_accesslog SET action = 'read'",
        "DELETE FROM kelayhteistyo_accesslog",
    ):
        say(f"  {APP}: {sql.split()[0]} refused: {db.refused(APP, DB, sql)}")
    return {"youth": youth, "last_name": last_name, "meeting": meeting, "kela_id": kela_id}


def operator_pages(base: str, metrics_token: str) -> None:
    plain = requests.get(base + "/login/", allow_redirects=False, timeout=30)
    check(
        plain.status_code == 301 and plain.headers["Location"].startswith("https://"),
        f"plain HTTP is not redirected to HTTPS: {plain.status_code}",
    )
    health = requests.get(base + "/health/", timeout=30)
    check(health.status_code == 200, f"/health/: {health.status_code} {health.text}")
    check(requests.get(base + "/metrics/", timeout=30).status_code == 404, "metrics without token")
    metrics = requests.get(
        base + "/metrics/", headers={"Authorization": f"Bearer {metrics_token}"}, timeout=30
    )
    check(metrics.status_code == 200 and "django_http_requests" in metrics.text, "metrics")
    say("HTTP → HTTPS redirect; /health/ 200; /metrics/ 404 without the token, 200 with it")


class Stack:
    """web, worker and beat of the compose file, on one database."""

    def __init__(self, env: dict[str, str], port: int, run: int):
        self.port = port
        # As the compose file's web: metrics of all gunicorn workers together, from a folder
        # emptied at each start.
        metrics = ARTIFACTS / f"prometheus-{run}"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir()
        self.services = [
            Service(
                f"web-{run}",
                [str(BIN / "gunicorn"), "kelayhteistyo.wsgi", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", "2", "--graceful-timeout", "20", "--no-control-socket"],
                env | {"PROMETHEUS_MULTIPROC_DIR": str(metrics)},
            ),
            Service(
                f"worker-{run}",
                [str(BIN / "celery"), "-A", "kelayhteistyo", "worker", "--loglevel=info"]
                + ["--concurrency=2"],
                env,
            ),
            Service(
                f"beat-{run}",
                [str(BIN / "celery"), "-A", "kelayhteistyo", "beat", "--loglevel=info"]
                + ["--schedule", str(ARTIFACTS / f"beat-schedule-{run}")],
                env,
            ),
        ]
        self.web, self.worker, self.beat = self.services

    def start(self) -> "Stack":
        for service in self.services:
            service.start()

        def healthy():
            for service in self.services:
                if service.process.poll() is not None:
                    raise SmokeFailure(f"{service.name} exited ({service.process.returncode})")
            try:
                return requests.get(f"http://127.0.0.1:{self.port}/health/", timeout=30).ok
            except requests.RequestException:
                return False

        wait_for(healthy, "/health/ to answer 200 (web, worker, beat, sweep)", timeout=90, every=1)
        return self

    def kill(self) -> None:
        for service in self.services:
            service.kill()


def logs_are_json_without_personal_data(forbidden: list[str]) -> None:
    lines = 0
    for log in ARTIFACTS.glob("web-*.log"):
        for line in log.read_text().splitlines():
            if line.startswith("{"):
                lines += 1
                json.loads(line)
    check(lines, "the web log has no JSON lines")
    for log in ARTIFACTS.glob("*.log"):
        text = log.read_text()
        for word in forbidden:
            check(word not in text, f"{word!r} in {log.name}")
    say(f"logs: {lines} JSON lines from web; no names, e-mail addresses or ids of the person")


def main() -> int:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    db = Database()
    db.reset()
    broker = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/9")
    redis.Redis.from_url(broker).flushdb()
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    metrics_token = secrets.token_urlsafe(24)
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    common = {k: v for k, v in os.environ.items() if k in keep} | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "CELERY_BROKER_URL": broker,
        # A queue of this run's own: a worker left over from an interrupted run takes nothing.
        "CELERY_TASK_DEFAULT_QUEUE": f"smoke-{secrets.token_hex(4)}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "DEFAULT_FROM_EMAIL": "yhteistyo@smoke.example",
        "MEDIA_ROOT": str(ARTIFACTS / "media"),
        "METRICS_TOKEN": metrics_token,
        "TRUSTED_PROXY_COUNT": "1",
        "NOTIFICATION_SWEEP_SECONDS": "5",
        "CELERY_RESTORE_INTERVAL": "2",
        "PYTHONUNBUFFERED": "1",
    }
    owner = common | {"DATABASE_URL": db.url(OWNER, DB), "DATABASE_APP_PASSWORD": db.app_password}
    app = common | {"DATABASE_URL": db.url(APP, DB)}
    stacks: list[Stack] = []
    try:
        say(f"PostgreSQL {DB} with the roles {OWNER} and {APP}; Redis {broker}; SMTP :{smtp.port}")
        static = subprocess.Popen(  # noqa: S603 — the image's build step, beside migrate
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=owner,
        )
        manage(owner, "migrate", "--noinput", "-v0")
        say("migrate ran as the owner: " + manage(owner, "db_roles", "--app-role", APP).strip())
        manage(app, "seed_demo", "--force")
        check(static.wait() == 0, "collectstatic failed")
        say("demo users loaded, static files collected (manifest, compressed)")

        stack = Stack(app, port, 1)
        stacks.append(stack)
        stack.start()
        say("gunicorn, a Celery worker and beat are up; /health/ says ok")
        base = f"http://127.0.0.1:{port}"
        operator_pages(base, metrics_token)
        done = flow(base, db, mailbox)

        # Shutdown: an invitation booked while the worker is gone waits for it.
        stack.worker.terminate()
        stack.beat.terminate()
        worker = Browser(base)
        worker.log_in(WORKER_LOGIN)
        second = book(worker, done["youth"], done["kela_id"], days_ahead=9)
        waiting = db.query(
            APP,
            DB,
            "SELECT status FROM meetings_notification WHERE meeting_id = %s AND kind = %s",
            [second, "invitation"],
        )
        check(waiting == [("pending",)], f"the invitation row: {waiting}")
        stack.web.terminate()
        say("SIGTERM: worker, beat and gunicorn exited 0; an invitation waits in the database")

        # Backup and restore drill (docs/operations.md).
        dump = ARTIFACTS / f"{DB}.dump"
        subprocess.run(  # noqa: S603
            ["pg_dump", "--format=custom", f"--file={dump}", db.url(OWNER, DB)], check=True
        )
        db.admin(f"CREATE DATABASE {RESTORED} OWNER {OWNER}")
        subprocess.run(  # noqa: S603
            ["pg_restore", "--exit-on-error", "--no-owner", "-d", db.url(OWNER, RESTORED), dump],
            check=True,
        )
        before, after = counts(db, DB), counts(db, RESTORED)
        check(before == after, f"row counts differ after the restore: {before} {after}")
        say(f"pg_dump → pg_restore into {RESTORED}: the same rows ({after})")
        for role, sql in (
            (OWNER, "UPDATE kelayhteistyo_accesslog SET action = 'read'"),
            (OWNER, "DELETE FROM kelayhteistyo_accesslog"),
            (APP, "TRUNCATE kelayhteistyo_accesslog"),
            (APP, "ALTER TABLE kelayhteistyo_accesslog DISABLE TRIGGER ALL"),
        ):
            say(f"  restored, {role}: {sql.split()[0]} refused: {db.refused(role, RESTORED, sql)}")
        restored = common | {"DATABASE_URL": db.url(APP, RESTORED)}
        manage(restored, "migrate", "--check")  # the schema is complete: nothing to apply

        stack = Stack(restored, port, 2)
        stacks.append(stack)
        stack.start()
        wait_for(
            lambda: mailbox.calendar_for(KELA_LOGIN, second, "TENTATIVE"),
            "the invitation queued during the shutdown",
            timeout=60,
        )
        say("restarted on the restored database: the waiting invitation was delivered")
        worker = Browser(base)
        worker.log_in(WORKER_LOGIN)
        worker.get(f"/meetings/{done['meeting']}/")
        links = re.findall(
            r'href="(/meetings/[^"]+/plan/export/\d+/)"',
            worker.get(f"/meetings/{done['meeting']}/plan/").text,
        )
        check(worker.get(links[0]).content.startswith(b"%PDF"), "the PDF after the restore")
        operator_pages(base, metrics_token)
        for service in stack.services:
            service.terminate()
        say("the restored service answered; SIGTERM again: all exited 0")
        logs_are_json_without_personal_data([done["last_name"], "Sanni", KELA_LOGIN, done["youth"]])
    except BaseException:
        for stack in stacks:
            stack.kill()
        for log in sorted(ARTIFACTS.glob("*.log")):
            print(
                f"\n--- {log.name} (last lines) ---\n"
                + "\n".join(log.read_text().splitlines()[-25:])
            )
        raise
    finally:
        smtp.stop()
    db.drop()
    elapsed = time.monotonic() - STARTED
    say(f"the production smoke passed in {elapsed:.0f} s")
    limit = float(os.environ.get("SMOKE_MAX_SECONDS", 180))
    check(elapsed < limit, f"the smoke took longer than {limit:.0f} s")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
