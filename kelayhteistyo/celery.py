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
    # The dashboard's per-month summary rows: the months touched since the last run, every
    # minute (overview.rollups says why a beat task and not the write services); all of them
    # again nightly.
    "refresh-rollups": {
        "task": "overview.tasks.refresh_rollups",
        "schedule": float(os.environ.get("ROLLUP_REFRESH_SECONDS", 60)),
    },
    "rebuild-rollups": {
        "task": "overview.tasks.rebuild_rollups",
        "schedule": crontab(40, 2),
    },
    "purge-stale-data": {
        "task": "overview.tasks.purge_stale_data",
        "schedule": crontab(3, 15),
    },
}
