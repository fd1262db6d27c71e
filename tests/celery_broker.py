"""Point the Celery app of the test process at another broker, and back."""

import os
from contextlib import contextmanager

from kelayhteistyo.celery import app


@contextmanager
def use_broker(url: str):
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    old = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app._after_fork()  # forget pooled connections to the old broker
    try:
        yield app
    finally:
        if old is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = old
        app._after_fork()
