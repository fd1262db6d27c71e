"""Celery tasks. They take ids, never objects, and call meetings.notifications."""

from celery import shared_task

from kelayhteistyo.models import Heartbeat

from . import notifications


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notification(self, notification_id: int) -> str:
    """Idempotent: the row is claimed with this task's id, so a second delivery of the same
    message (or a second message for the same row) sends nothing."""
    return notifications.deliver(notification_id, self.request.id or "eager")


@shared_task(acks_late=True, ignore_result=True)
def sweep_notifications() -> int:
    """Every few minutes (beat): create due reminders, hand waiting rows to deliver_notification.
    A sweep that succeeded is recorded: /health/ fails when none did for 10 minutes."""
    handed = len(notifications.sweep())
    Heartbeat.beat(Heartbeat.NOTIFICATION_SWEEP)
    return handed
