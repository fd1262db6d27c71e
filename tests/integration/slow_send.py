"""Loaded into a Celery worker that a fault test starts (`celery worker --include`): sending
an e-mail waits TEST_SEND_DELAY seconds first, so that the test can stop the worker after the
row is claimed and before anything is sent. Production code knows nothing of it."""

import os
import time

from django.core.mail import EmailMultiAlternatives

DELAY = float(os.environ["TEST_SEND_DELAY"])
_send = EmailMultiAlternatives.send


def slow_send(self, fail_silently=False):
    time.sleep(DELAY)
    return _send(self, fail_silently)


EmailMultiAlternatives.send = slow_send
