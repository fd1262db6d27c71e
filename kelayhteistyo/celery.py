"""The Celery app. Tasks take ids and call services; the beat schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")

app = Celery("kelayhteistyo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "purge-stale-data": {
        "task": "kelayhteistyo.tasks.purge_stale_data",
        "schedule": crontab(3, 15),
    },
}
