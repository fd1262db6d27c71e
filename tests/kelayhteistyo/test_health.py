"""/health/ and /metrics/ for operators (issue 21): what a load balancer and a Prometheus
scraper get, and that neither tells anything about anyone."""

import datetime
import json

import pytest
from django.utils import timezone
from health_check.exceptions import ServiceUnavailable
from kombu import Connection

from kelayhteistyo import health
from kelayhteistyo.celery import app
from kelayhteistyo.models import Heartbeat
from tests import factories as f

CHECKS = {"database", "broker", "celery_worker", "storage", "reminder_sweep"}


@pytest.fixture
def worker_answers(monkeypatch):
    """A Celery worker answers the ping (the real worker is in tests/integration)."""
    monkeypatch.setattr(health.Ping, "run", lambda self: None)


@pytest.fixture
def swept(db):
    Heartbeat.beat(Heartbeat.NOTIFICATION_SWEEP)


def test_all_checks_pass(client, worker_answers, swept):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "failing": [], "checks": dict.fromkeys(CHECKS, "ok")}
    assert "no-cache" in response["Cache-Control"]


def test_a_sweep_older_than_ten_minutes_fails_the_check(client, worker_answers, db):
    Heartbeat.objects.create(
        name=Heartbeat.NOTIFICATION_SWEEP, at=timezone.now() - datetime.timedelta(minutes=9)
    )
    assert client.get("/health/").status_code == 200
    Heartbeat.objects.update(at=timezone.now() - datetime.timedelta(minutes=11))
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["reminder_sweep"]
    assert body["checks"]["reminder_sweep"] == (
        "Unavailable: last successful reminder sweep 11 minutes ago"
    )


def test_no_sweep_yet_fails(client, worker_answers, db):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["reminder_sweep"] == (
        "Unavailable: no successful reminder sweep recorded"
    )


def test_a_sweep_that_ran_records_its_time(db):
    from meetings.tasks import sweep_notifications

    sweep_notifications.apply()
    beat = Heartbeat.objects.get(name=Heartbeat.NOTIFICATION_SWEEP)
    assert timezone.now() - beat.at < datetime.timedelta(seconds=5)


def test_a_broker_that_is_down_is_named_with_the_worker_behind_it(client, swept, monkeypatch):
    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker", "celery_worker"]
    assert body["checks"]["broker"] == "Unavailable: broker unreachable (OperationalError)"
    assert body["checks"]["celery_worker"] == "Unavailable: the broker is unreachable"
    assert "Traceback" not in response.content.decode()


def test_no_worker_is_named(client, swept, monkeypatch):
    def no_answer(self):
        raise ServiceUnavailable("Celery workers unavailable")

    monkeypatch.setattr(health.Ping, "run", no_answer)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["celery_worker"]
    assert response.json()["checks"]["celery_worker"] == "Unavailable: Celery workers unavailable"


def test_an_unexpected_error_is_named_not_described(client, worker_answers, swept, monkeypatch):
    def broken(self):
        raise RuntimeError("/srv/media/Matti Meikäläinen.pdf: permission denied")

    monkeypatch.setattr(health.Storage, "run", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "Unavailable: unexpected error"
    assert "Matti" not in response.content.decode()


def test_health_reveals_nothing_personal(client, worker_answers, swept, alice, youth, meeting):
    """Whoever asks, with data in the database: the names of the checks and 'ok', nothing else."""
    for user in (None, alice):
        if user:
            f.log_in(client, user)
        text = client.get("/health/").content.decode()
        assert json.loads(text)["checks"] == dict.fromkeys(CHECKS, "ok")
        for private in (youth.first_name, youth.last_name, alice.email, str(youth.pk)):
            assert private not in text


def test_probes_are_not_redirected_to_https(client, settings, worker_answers, swept):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/login/").status_code == 301


class TestMetrics:
    TOKEN = "scraper-token-0123456789"

    def test_without_a_configured_token_there_are_no_metrics(self, client, settings, db):
        settings.METRICS_TOKEN = ""
        assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer ").status_code == 404

    @pytest.mark.parametrize("sent", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
    def test_without_the_token_the_page_does_not_exist(self, client, settings, db, sent):
        settings.METRICS_TOKEN = self.TOKEN
        headers = {"HTTP_AUTHORIZATION": sent} if sent else {}
        assert client.get("/metrics/", **headers).status_code == 404

    def test_the_scraper_gets_request_counts_by_view_without_paths(
        self, client, settings, alice, youth
    ):
        settings.METRICS_TOKEN = self.TOKEN
        f.log_in(client, alice)
        assert client.get(f"/young-people/{youth.pk}/").status_code == 200
        response = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {self.TOKEN}")
        assert response.status_code == 200
        text = response.content.decode()
        assert 'django_http_requests_total_by_view_transport_method_total{method="GET"' in text
        assert 'view="cases:detail"' in text
        assert str(youth.pk) not in text
        assert youth.last_name not in text
