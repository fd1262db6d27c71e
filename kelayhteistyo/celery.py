"""The Celery app. Tasks take ids and call services; the beat schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")

app = Celery("kelayhteistyo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Reminders are rows first; the sweep creates the due ones and hands every waiting row to a
    # delivery task. Nothing relies on long ETAs: a lost message is picked up by the next sweep.
    "sweep-notifications": {
        "task": "meetings.tasks.sweep_notifications",
        "schedule": float(os.environ.get("NOTIFICATION_SWEEP_SECONDS", 180)),
    },
    # The dashboard's default views at national scale take about a second to compute: they are
    # computed ahead, and the page shows when (figures a few minutes old).
    "refresh-dashboards": {
        "task": "overview.tasks.refresh_dashboards",
        "schedule": float(os.environ.get("DASHBOARD_REFRESH_SECONDS", 300)),
    },
    "purge-stale-data": {
        "task": "overview.tasks.purge_stale_data",
        "schedule": crontab(3, 15),
    },
}
