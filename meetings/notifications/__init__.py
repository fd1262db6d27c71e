"""Notifications and reminders: rows in the database first, delivered by Celery exactly once.

- kinds.py: what a kind of notification is (`KindSpec`), the registry, "is it still needed?"
- meeting_kinds.py: the meetings app's own kinds; feedback declares its kind itself
- case_kinds.py: cooperation requests and special-service referrals (issue 18)
- reminders.py: the reminder rules, run by the sweep on Finnish working days
- delivery.py: creating event rows (`notify`), the sweep, claiming, sending and retrying
- render.py: the text, the link and the e-mail (with a calendar file) of a notification

Adding a kind: a value in Notification.Kind and one `register(KindSpec(...))`; a reminder also
needs a rule in reminders.py.
"""

from ..workdays import add_working_days, day_off_name, is_working_day
from . import case_kinds, meeting_kinds  # noqa: F401 — declare the meetings app's kinds
from .delivery import (
    LEASE,
    MAX_ATTEMPTS,
    SWEEP_BATCH,
    deliver,
    enqueue,
    network_language,
    network_may_be_messaged,
    notify,
    notify_email,
    notify_network,
    notify_network_member,
    notify_participants,
    sweep,
    waiting,
)
from .kinds import KINDS, KindSpec, mutable_kinds, not_needed, register
from .reminders import reminders_create
from .render import link, render, text

__all__ = [
    "KINDS",
    "LEASE",
    "MAX_ATTEMPTS",
    "SWEEP_BATCH",
    "KindSpec",
    "add_working_days",
    "day_off_name",
    "deliver",
    "enqueue",
    "is_working_day",
    "link",
    "mutable_kinds",
    "network_language",
    "network_may_be_messaged",
    "not_needed",
    "notify",
    "notify_email",
    "notify_network",
    "notify_network_member",
    "notify_participants",
    "register",
    "reminders_create",
    "render",
    "sweep",
    "text",
    "waiting",
]
