"""Delivery: rows in the database first, handed to Celery, sent exactly once.

- Events create their rows in the transaction of the change (`notify`) and are enqueued after
  commit; a rolled-back change leaves nothing to send.
- The sweep creates the due reminders and hands every waiting row to a task. If the broker is
  down, rows wait and the next sweep enqueues them.
- `deliver` claims a row atomically (only one task can), checks that it is still needed and
  wanted, renders the e-mail and sends it; a failed send is retried with a backoff.
"""

import datetime
import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kelayhteistyo.models import User
from kelayhteistyo.sms import SmsError, send_sms

from ..models import JointMeeting, Notification, Participant
from .kinds import KINDS, network_may_be_messaged, not_needed
from .reminders import reminders_create
from .render import language_of, network_language, render, text

logger = logging.getLogger(__name__)
Status = Notification.Status

LEASE = datetime.timedelta(minutes=10)  # a claim older than this was lost with its worker
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500


# Creating rows --------------------------------------------------------------------------------


def _event(kind: str) -> str:
    if KINDS[kind].reminder:
        raise ValueError(f"{kind} is a reminder: the sweep creates it (reminders.py)")
    return kind


def notify(
    kind: str,
    *,
    recipient: User | None,
    meeting: JointMeeting | None = None,
    key_suffix: str = "",
    **objects,
) -> Notification | None:
    """An event message to a user, created in the caller's transaction, sent after commit."""
    if recipient is None:
        return None
    key = f"{kind}:{meeting.pk if meeting else ''}:{recipient.pk}:{key_suffix}"
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": _event(kind),
            "recipient": recipient,
            "language": language_of(recipient),
            "meeting": meeting,
            **objects,
        },
    )
    if created:
        transaction.on_commit(lambda: _publisher.submit(enqueue, notification.pk))
    return notification


def notify_email(
    kind: str, *, email: str, language: str, meeting: JointMeeting, key: str, **objects
) -> Notification:
    """An event message to someone without an account (the young person, an outside owner of
    an action item), by e-mail only."""
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": _event(kind),
            "recipient_email": email,
            "language": language,
            "meeting": meeting,
            **objects,
        },
    )
    if created:
        transaction.on_commit(lambda: _publisher.submit(enqueue, notification.pk))
    return notification


def notify_participants(
    kind: str, meeting: JointMeeting, *, exclude: User | None = None, key_suffix: str = ""
) -> None:
    """An event message to every participant with an account who takes part (but the one who
    caused it): a Kela contact who declined hears no more of the meeting. The network members
    with an address get it by e-mail, if the consent covers messages to them."""
    for participant in meeting.participants.taking_part().select_related("user"):
        if participant.user_id and participant.user_id != getattr(exclude, "pk", None):
            notify(kind, recipient=participant.user, meeting=meeting, key_suffix=key_suffix)
    notify_network(kind, meeting, key_suffix=key_suffix)


def notify_network_member(
    kind: str, participant: Participant, *, key_suffix: str = "", **objects
) -> Notification | None:
    """An event message by e-mail to a network member who takes part with an address, if the
    consent covers it. The address is in the key: a new address gets its own message."""
    meeting = participant.meeting
    if (
        not participant.is_network_member
        or not participant.is_taking_part
        or not participant.email
        or not network_may_be_messaged(
            meeting.youth_id, plan=kind == Notification.Kind.NETWORK_PLAN
        )
    ):
        return None
    key = f"{kind}:{meeting.pk}:p{participant.pk}:{participant.email}:{key_suffix}"[:200]
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": _event(kind),
            "recipient_email": participant.email,
            "participant": participant,
            "language": network_language(meeting),
            "meeting": meeting,
            **objects,
        },
    )
    if created:
        transaction.on_commit(lambda: _publisher.submit(enqueue, notification.pk))
    return notification


def notify_network(
    kind: str, meeting: JointMeeting, *, key_suffix: str = "", **objects
) -> list[Notification]:
    """An event message to every network member of the meeting who takes part with an
    address (see notify_network_member)."""
    sent = []
    for participant in meeting.participants.network().exclude(email=""):
        participant.meeting = meeting
        n = notify_network_member(kind, participant, key_suffix=key_suffix, **objects)
        if n is not None:
            sent.append(n)
    return sent


# The request does not wait for the broker: publishing happens in a background thread, so a
# broker that is down or slow never slows down saving (the sweep sends what it missed).
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notification-publisher")


def enqueue(pk: int) -> None:
    """Hand a row to Celery. A broker that is down costs nothing: the sweep sends it later."""
    from ..tasks import deliver_notification  # the tasks call this module

    try:
        deliver_notification.apply_async(args=[pk], retry=False)
    except Exception as exc:  # noqa: BLE001 — any broker error; the row waits for the sweep
        logger.warning("notification %s waits for the sweep: %s", pk, type(exc).__name__)


# The sweep ------------------------------------------------------------------------------------


def waiting(now: datetime.datetime | None = None) -> QuerySet[Notification]:
    """Rows to hand to a task: due and pending (not backing off), or claimed by a lost worker."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(status=Status.PENDING, due_at__lte=now)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        | Q(status=Status.SENDING, due_at__lte=now, claimed_at__lt=now - LEASE)
    )


def sweep(now: datetime.datetime | None = None) -> list[int]:
    """Create due reminders and hand every waiting row to a task; returns the ids handed."""
    now = now or timezone.now()
    reminders_create(now)
    with transaction.atomic():
        rows = waiting(now).order_by("due_at")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:SWEEP_BATCH])
    for pk in ids:
        enqueue(pk)
    return ids


# Delivery -------------------------------------------------------------------------------------


def deliver(pk: int, task_id: str) -> str:
    """Send one notification once. Returns what happened (for logs and tests)."""
    now = timezone.now()
    if not _claim(pk, task_id, now):
        return "not claimed"
    n = Notification.objects.select_related(
        "recipient",
        "participant",
        "plan_export",
        "meeting__youth",
        "meeting__organiser",
        "action_item__owner",
        "plan",
        "consent__youth",
    ).get(pk=pk)
    reason = not_needed(n)
    if reason:
        _finish(n, Status.SKIPPED, error=reason)
        return "skipped"
    if n.recipient_phone:  # a text message to the young person (issue 19)
        return _send_sms(n, task_id, now)
    try:
        message = render(n)
    except Exception as exc:  # a broken template must not stop the other messages
        logger.exception("notification %s could not be rendered", pk)
        _finish(n, Status.FAILED, error=f"render: {type(exc).__name__}")
        return "failed"
    return _send(n, message, task_id, now)


def _claim(pk: int, task_id: str, now: datetime.datetime) -> bool:
    """Only one task can claim a row; the same task may again (the broker redelivered it)."""
    return bool(
        Notification.objects.filter(pk=pk)
        .filter(
            Q(status=Status.PENDING, due_at__lte=now)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            | Q(status=Status.SENDING, claimed_by=task_id)  # the same task, redelivered
            | Q(status=Status.SENDING, claimed_at__lt=now - LEASE)  # a claim lost with a worker
        )
        .update(
            status=Status.SENDING, claimed_by=task_id, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _send(
    n: Notification, message: EmailMultiAlternatives, task_id: str, now: datetime.datetime
) -> str:
    """Send a claimed row's e-mail: a refused address fails at once, other errors back off."""
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        if n.recipient_id:
            problem = _("E-mail to %(address)s was refused (%(when)s).") % {
                "address": n.recipient.email,
                "when": date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT"),
            }
            type(n.recipient).objects.filter(pk=n.recipient_id).update(email_problem=problem[:300])
        elif n.participant_id:
            # A network member's address: shown to the worker beside them, as for users.
            problem = _("E-mail to %(address)s was refused (%(when)s).") % {
                "address": n.recipient_email,
                "when": date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT"),
            }
            Participant.objects.filter(pk=n.participant_id, email=n.recipient_email).update(
                email_problem=problem[:300]
            )
        _finish(n, Status.FAILED, error=f"recipient refused: {list(exc.recipients)[:1]}")
        return "failed"
    except (smtplib.SMTPException, OSError) as exc:
        return _retry_or_fail(n, task_id, now, f"{type(exc).__name__}: {exc}")
    _finish(n, Status.SENT)
    return "sent"


def _retry_or_fail(n: Notification, task_id: str, now: datetime.datetime, error: str) -> str:
    """A passing fault: try again with a backoff (2, 4, 8, 16 min), then give up."""
    if n.attempts >= MAX_ATTEMPTS:
        _finish(n, Status.FAILED, error=error[:500])
        return "failed"
    backoff = datetime.timedelta(minutes=2**n.attempts)
    Notification.objects.filter(pk=n.pk, claimed_by=task_id).update(
        status=Status.PENDING, next_attempt_at=now + backoff, last_error=error[:500]
    )
    return "retry"


def _send_sms(n: Notification, task_id: str, now: datetime.datetime) -> str:
    """Send a claimed row as a text message (the young person's text, no link)."""
    try:
        with translation.override(n.language):
            _subject, body = text(n)
    except Exception as exc:  # a broken text must not stop the other messages
        logger.exception("notification %s could not be rendered", n.pk)
        _finish(n, Status.FAILED, error=f"render: {type(exc).__name__}")
        return "failed"
    try:
        send_sms(n.recipient_phone, body)
    except ValidationError:
        _finish(n, Status.FAILED, error="not a phone number")
        return "failed"
    except SmsError as exc:  # the gateway's status only (sms.py): no number, no text
        return _retry_or_fail(n, task_id, now, str(exc))
    _finish(n, Status.SENT)
    return "sent"


def _finish(n: Notification, status: str, error: str = "") -> None:
    Notification.objects.filter(pk=n.pk).update(
        status=status,
        sent_at=timezone.now() if status == Status.SENT else None,
        last_error=error,
    )
