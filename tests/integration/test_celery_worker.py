"""Reminders with a real Redis and a real Celery worker (a subprocess), on PostgreSQL.

The worker reads the test database and writes e-mails to files, so that what it sent can be
counted. CI provides PostgreSQL and Redis (TEST_REDIS_URL); on a machine without them these
tests are skipped, except in CI (CI=1), where that is a failure.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from meetings import notifications, services
from meetings.models import Notification
from meetings.notifications import delivery
from tests import factories as f
from tests.celery_broker import use_broker

BASE_DIR = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def _redis_url() -> str:
    """One Redis database per xdist worker, so that parallel runs never share a queue."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"{REDIS_URL.rsplit('/', 1)[0]}/{10 + int(worker.removeprefix('gw') or 0)}"


def _available() -> str:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (DATABASE_URL)"
    if not REDIS_URL:
        return "needs Redis (TEST_REDIS_URL)"
    try:
        redis.Redis.from_url(_redis_url(), socket_connect_timeout=1).ping()
    except redis.RedisError:
        return "Redis is not reachable"
    return ""


pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_services():
    missing = _available()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must run the worker tests: {missing}")
    if missing:
        pytest.skip(missing)
    redis.Redis.from_url(_redis_url()).flushdb()


class Worker:
    def __init__(self, tmp_path: Path, send_delay: float = 0):
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": _redis_url(),
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "CELERY_RESTORE_INTERVAL": "1",
            "EMAIL_URL": f"filemail:///{self.mail_dir}",  # an absolute path
        }
        self.options = []
        if send_delay:  # the fault tests stop the worker while it sends
            self.env["TEST_SEND_DELAY"] = str(send_delay)
            self.options.append("--include=tests.integration.slow_send")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kelayhteistyo",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                *self.options,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        for line in self.process.stdout:
            if " ready." in line:
                return self
            if time.monotonic() > deadline:
                break
        raise RuntimeError("the worker did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._close_output()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        if self.process:
            self._close_output()

    def _close_output(self):
        if not self.process.stdout.closed:  # an open pipe left behind is a ResourceWarning
            with self.process.stdout as output:
                print(output.read())  # shown by pytest when a test fails

    def mails(self) -> list[str]:
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            messages += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
        return messages


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker(tmp_path):
    w = Worker(tmp_path)
    with use_broker(_redis_url()):
        yield w.start()
    w.stop()


def sent_count():
    return Notification.objects.filter(status="sent").count()


def test_an_invitation_is_mailed_by_the_worker_after_commit(worker, youth, alice, kela, consent):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    assert wait_until(lambda: sent_count() == 1)
    (mail,) = worker.mails()
    assert kela.email in mail and meeting.youth.first_name in mail


def test_two_sweeps_send_one_mail_per_reminder(worker, youth, alice, kela, consent):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    assert wait_until(lambda: sent_count() == 1)
    reminder = Notification.objects.create(
        kind="invitation_nudge", key="nudge:test", recipient=kela, meeting=meeting
    )
    first = notifications.sweep()
    notifications.sweep()  # a second beat tick before the first has been sent
    assert reminder.pk in first
    assert wait_until(lambda: Notification.objects.get(pk=reminder.pk).status == "sent")
    time.sleep(1)  # a duplicate would arrive now
    assert len(worker.mails()) == 2  # the invitation, and the reminder once


def test_the_same_task_delivered_twice_sends_once(worker, youth, alice, kela, consent):
    from meetings.tasks import deliver_notification

    with use_broker("memory://"):  # the row is made, but its own message goes nowhere
        meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    n = Notification.objects.get(meeting=meeting)
    for _ in range(2):
        deliver_notification.apply_async(args=[n.pk], task_id="the-same-task")
    assert wait_until(lambda: sent_count() == 1)
    time.sleep(1)
    assert len(worker.mails()) == 1


def test_a_rolled_back_transaction_sends_nothing(worker, youth, alice, kela, consent):
    with pytest.raises(RuntimeError), transaction.atomic():
        f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        raise RuntimeError("the request failed")
    notifications.sweep()
    time.sleep(1.5)
    assert worker.mails() == [] and not Notification.objects.exists()


def test_a_worker_killed_mid_task_leads_to_exactly_one_send(tmp_path, youth, alice, kela, consent):
    slow = Worker(tmp_path, send_delay=3)
    with use_broker(_redis_url()):
        slow.start()
        meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        assert wait_until(lambda: Notification.objects.filter(status="sending").exists())
        slow.kill()  # in the middle of sending: nothing sent, the message not acknowledged
        assert slow.mails() == []
        again = Worker(tmp_path).start()  # the unacknowledged message is delivered again
        try:
            assert wait_until(lambda: sent_count() == 1, timeout=20)
            time.sleep(1)
            assert len(again.mails()) == 1
            assert Notification.objects.get(meeting=meeting).attempts == 2
        finally:
            again.stop()


def test_with_the_broker_down_a_meeting_saves_at_once_and_is_mailed_later(
    tmp_path, youth, alice, kela, consent
):
    with use_broker("redis://127.0.0.1:1/0"):  # the broker is down
        started = time.monotonic()
        meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        assert time.monotonic() - started < 1
        # The background publish has failed before the broker comes back (not half-way through
        # the switch, which made this test flaky on a busy machine).
        delivery._publisher.submit(lambda: None).result(timeout=30)
    (n,) = Notification.objects.filter(meeting=meeting)
    assert n.status == "pending"
    w = Worker(tmp_path)
    with use_broker(_redis_url()):  # the broker is back: the next beat tick sends it
        w.start()
        try:
            notifications.sweep()
            assert wait_until(lambda: sent_count() == 1)
            assert len(w.mails()) == 1
        finally:
            w.stop()


def test_an_accepted_invitation_confirms_the_meeting_to_both(worker, youth, alice, kela, consent):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    assert wait_until(lambda: sent_count() == 1)  # the invitation
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    assert wait_until(lambda: sent_count() == 3)  # and a confirmation to each of them
    mails = worker.mails()
    assert len(mails) == 3
    # Every one carries the calendar file: the invitation holds the time as tentative (issue
    # 22.3), the confirmations confirm it.
    assert sum("text/calendar" in m for m in mails) == 3
    assert sum("STATUS:TENTATIVE" in m for m in mails) == 1


def test_the_worker_computes_the_dashboards_ahead(worker, youth, alice, kela, consent):
    from kelayhteistyo.models import County
    from overview.models import DashboardSnapshot
    from overview.tasks import refresh_dashboards

    f.held_meeting(youth=youth, organiser=alice, kela=kela)
    refresh_dashboards.delay()
    scopes = 1 + County.objects.count()  # the country, then each county in turn
    assert wait_until(lambda: DashboardSnapshot.objects.count() == scopes, timeout=30)
    country = DashboardSnapshot.objects.get(scope="")
    assert country.data["youth"] == [[youth.client_group, 1]]
    county = DashboardSnapshot.objects.get(scope=youth.organisation.county.code)
    assert county.data["youth"] == [[youth.client_group, 1]]


def test_health_sees_the_worker_and_its_sweep_and_names_a_stopped_worker(worker, client):
    """/health/ with a real Redis and worker (issue 21): the sweep the worker ran is recorded;
    with the worker stopped the answer is 503 naming it."""
    from kelayhteistyo.models import Heartbeat
    from meetings.tasks import sweep_notifications

    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["reminder_sweep"]  # no sweep ran yet
    sweep_notifications.delay()
    assert wait_until(lambda: Heartbeat.objects.filter(name=Heartbeat.NOTIFICATION_SWEEP).exists())
    response = client.get("/health/")
    assert response.status_code == 200, response.json()
    worker.stop()
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["celery_worker"]
    assert body["checks"]["celery_worker"] == "Unavailable: Celery workers unavailable"


def test_a_network_member_gets_the_invitation_and_the_reminder_through_the_worker(
    worker, youth, alice, kela, consent
):
    """Issue 17: a support person with an address, the consent covering messages to the
    network: the invitation, the confirmation and the reminder of the meeting, by the worker."""
    import datetime

    from django.utils import timezone

    from cases.models import Consent
    from meetings.notifications import reminders
    from meetings.workdays import add_working_days

    Consent.objects.filter(pk=consent.pk).update(scope_network=True)
    day = add_working_days(timezone.localdate(), 1)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela, starts_at=starts_at)
    services.network_member_add(
        meeting=meeting,
        by=alice,
        fields={"name": "Tiina", "network_role": "support_person", "email": "tiina@example.org"},
    )
    # Kela's invitation and Tiina's are sent first (an invitation still waiting for delivery
    # when Kela has already answered is not needed any more, and is skipped).
    assert wait_until(lambda: sent_count() == 2)
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    # Then the confirmation to Alice, Kela and Tiina.
    assert wait_until(lambda: sent_count() == 5)
    Notification.objects.bulk_create(reminders.meetings_soon(timezone.localdate(), timezone.now()))
    notifications.sweep()
    assert wait_until(lambda: sent_count() == 8)  # the reminder to each of the three
    to_tiina = [m for m in worker.mails() if "To: tiina@example.org" in m]
    assert len(to_tiina) == 3
    assert sum("text/calendar" in m for m in to_tiina) == 2  # the invitation, the confirmation


def test_an_outside_owner_gets_a_working_link_from_the_worker(
    worker, client, youth, alice, kela, consent
):
    """Issue 17: the e-mail to an outside service with the signed link, sent by the worker."""
    import re

    type(consent).objects.filter(pk=consent.pk).update(scope_network=True)

    with use_broker("memory://"):  # the meeting's own messages go nowhere
        meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        plan = services.plan_save(
            meeting=meeting, fields={"summary": "Sovittiin"}, version=None, by=alice
        )
    Notification.objects.all().delete()
    services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        outside_service_email="te@example.fi",
        what="Kutsuu koulutukseen",
        due_date=None,
        by=alice,
    )
    assert wait_until(lambda: sent_count() == 1)
    (mail,) = worker.mails()
    assert "te@example.fi" in mail and youth.first_name not in mail
    path = re.search(r"/meetings/items/\d+/link/[^/\s]+/", mail).group(0)
    assert client.get(path).status_code == 200
