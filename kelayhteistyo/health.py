"""/health/ and /metrics/ for operators (issue 21).

/health/ runs django-health-check's checks and two of our own, and answers 200 when all pass,
503 naming the failing ones. It says nothing about anyone: check names and the checks' own
short messages only, never an exception's text or a traceback. /metrics/ is django-prometheus's
page, only for a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`; to anyone else
(and when no token is configured) it does not exist (404).
"""

import dataclasses
import inspect
import logging

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.contrib.celery import Ping
from health_check.exceptions import HealthCheckException, ServiceUnavailable

from .models import Heartbeat

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker (Redis in production) accepts a connection."""

    def run(self) -> None:
        from .celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except Exception as exc:  # noqa: BLE001 — any transport's error means unreachable
            raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc


@dataclasses.dataclass
class ReminderSweep(HealthCheck):
    """The beat's reminder sweep succeeded within HEALTH_SWEEP_MAX_AGE (meetings.tasks)."""

    def run(self) -> None:
        at = (
            Heartbeat.objects.filter(name=Heartbeat.NOTIFICATION_SWEEP)
            .values_list("at", flat=True)
            .first()
        )
        if at is None:
            raise ServiceUnavailable("no successful reminder sweep recorded")
        age = timezone.now() - at
        if age > settings.HEALTH_SWEEP_MAX_AGE:
            raise ServiceUnavailable(
                f"last successful reminder sweep {int(age.total_seconds() // 60)} minutes ago"
            )


def celery_worker() -> HealthCheck:
    """A worker answers a ping and consumes the default queue."""
    from .celery import app

    return Ping(app=app)


def checks() -> dict[str, HealthCheck]:
    return {
        "database": Database(),
        "broker": Broker(),
        "celery_worker": celery_worker(),
        "storage": Storage(),
        "reminder_sweep": ReminderSweep(),
    }


def _result(name: str, check: HealthCheck) -> str:
    try:
        if inspect.iscoroutinefunction(check.run):
            async_to_sync(check.run)()
        else:
            check.run()
    except HealthCheckException as exc:
        return str(exc)  # the checks' own short messages ("Unavailable: …")
    except Exception as exc:  # noqa: BLE001 — reported by name only
        logger.warning("health check %s failed: %s", name, type(exc).__name__)
        return "Unavailable: unexpected error"
    return "ok"


@require_GET
def health(request):
    results: dict[str, str] = {}
    for name, check in checks().items():
        if name == "celery_worker" and results["broker"] != "ok":
            # No worker can be reached without the broker (a ping would wait seconds for it).
            results[name] = "Unavailable: the broker is unreachable"
        else:
            results[name] = _result(name, check)
    failing = sorted(name for name, result in results.items() if result != "ok")
    response = JsonResponse(
        {"status": "failing" if failing else "ok", "failing": failing, "checks": results},
        status=503 if failing else 200,
    )
    add_never_cache_headers(response)
    return response


@require_GET
def metrics(request):
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if not token or not constant_time_compare(sent, f"Bearer {token}"):
        raise Http404
    response = ExportToDjangoView(request)
    add_never_cache_headers(response)
    return response
