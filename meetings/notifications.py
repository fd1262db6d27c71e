"""Notifications and reminders: rows in the database first, delivered by Celery exactly once.

- Events (an invitation, an answer, a confirmed, moved or cancelled meeting) create their rows in
  the transaction of the change (`notify`) and are enqueued after commit; a rolled-back change
  leaves nothing to send.
- Reminders are created by the sweep from the state of the data (`reminders_create`), on Finnish
  working days only, unique per (kind, object, recipient, date), so two sweeps create one row.
- `deliver` claims a row atomically (only one task can), checks that it is still needed and
  wanted, renders the e-mail in the recipient's language and sends it. If the broker is down,
  rows wait and the next sweep enqueues them.

The e-mail carries no personal data of the young person beyond the first name: it says what
happened and links to the page, which requires login.
"""

import datetime
import logging
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import holidays
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Consent

from . import calendar
from .models import ActionItem, FollowUpPlan, JointMeeting, Notification, Participant

logger = logging.getLogger(__name__)
Kind = Notification.Kind
Status = Notification.Status

LEASE = datetime.timedelta(minutes=10)  # a claim older than this was lost with its worker
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500
INVITATION_ANSWER_DAYS = 2
REVIEW_NOTICE_DAYS = 3
CONSENT_NOTICE = datetime.timedelta(days=14)

# What each message says: subject and text, with the young person's first name only.
TEXTS = {
    Kind.INVITATION: (
        gettext_lazy("Invitation to a joint meeting"),
        gettext_lazy(
            "You are invited to a joint meeting with %(name)s on %(when)s. Please answer."
        ),
    ),
    Kind.INVITATION_ANSWERED: (
        gettext_lazy("Answer to your invitation"),
        gettext_lazy("%(who)s answered your invitation to the meeting with %(name)s on %(when)s."),
    ),
    Kind.TIME_PROPOSED: (
        gettext_lazy("Another time proposed"),
        gettext_lazy("%(who)s proposed another time for the meeting with %(name)s: %(proposed)s."),
    ),
    Kind.MEETING_CONFIRMED: (
        gettext_lazy("Joint meeting confirmed"),
        gettext_lazy(
            "The joint meeting with %(name)s on %(when)s is confirmed. A calendar file is attached."
        ),
    ),
    Kind.MEETING_CHANGED: (
        gettext_lazy("Joint meeting changed"),
        gettext_lazy(
            "The joint meeting with %(name)s has changed. It is now on %(when)s. "
            "A calendar file is attached."
        ),
    ),
    Kind.MEETING_CANCELLED: (
        gettext_lazy("Joint meeting cancelled"),
        gettext_lazy("The joint meeting with %(name)s on %(when)s has been cancelled."),
    ),
    Kind.INVITATION_UNANSWERED: (
        gettext_lazy("An invitation has not been answered"),
        gettext_lazy(
            "%(who)s has not answered the invitation to the meeting with %(name)s on %(when)s. "
            "You may want to call them."
        ),
    ),
    Kind.INVITATION_NUDGE: (
        gettext_lazy("Please answer the invitation"),
        gettext_lazy(
            "The invitation to the meeting with %(name)s on %(when)s is waiting for your answer."
        ),
    ),
    Kind.MEETING_TOMORROW: (
        gettext_lazy("Joint meeting soon"),
        gettext_lazy("Reminder: the joint meeting with %(name)s is on %(when)s."),
    ),
    Kind.ITEM_DUE: (
        gettext_lazy("A task is due soon"),
        gettext_lazy("Reminder: “%(what)s” is due on %(day)s."),
    ),
    Kind.ITEM_OVERDUE: (
        gettext_lazy("A task is overdue"),
        gettext_lazy("“%(what)s” was due on %(day)s and is not marked done."),
    ),
    Kind.REVIEW_DUE: (
        gettext_lazy("A review is coming up"),
        gettext_lazy("The review of the plan made with %(name)s is on %(day)s."),
    ),
    Kind.REVIEW_OVERDUE: (
        gettext_lazy("A review is overdue"),
        gettext_lazy("The review of the plan made with %(name)s was due on %(day)s."),
    ),
    Kind.FEEDBACK_REQUEST: (
        gettext_lazy("How did the joint meeting go?"),
        gettext_lazy(
            "Please tell us how the joint meeting with %(name)s on %(when)s went. The survey "
            "takes about 2 minutes and the answers are anonymous. The link works once."
        ),
    ),
    Kind.CONSENT_EXPIRING: (
        gettext_lazy("A consent is about to expire"),
        gettext_lazy(
            "The consent of %(name)s expires on %(day)s. Ask whether they want to renew it."
        ),
    ),
}
# Texts for the young person, who has no account: plain language, no link to log in.
YOUTH_TEXTS = {
    Kind.MEETING_TOMORROW: gettext_lazy(
        "Hi %(name)s! You have a meeting with Kela and aftercare on %(when)s."
    ),
    Kind.ITEM_DUE: gettext_lazy("Hi %(name)s! Remember: “%(what)s”. Do it by %(day)s."),
    Kind.ITEM_OVERDUE: gettext_lazy("Hi %(name)s! “%(what)s” was due on %(day)s. Is it done?"),
    Kind.FEEDBACK_REQUEST: gettext_lazy(
        "Hi %(name)s! How did the meeting with Kela and aftercare go? Answer a short survey. "
        "It takes about 2 minutes. Nobody will know what you answered."
    ),
}


# Working days ---------------------------------------------------------------------------------


# The languages of the service in the holidays package's names.
HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@cache
def _finnish_holidays(year: int, language: str = "fi"):
    return holidays.Finland(years=year, language=HOLIDAY_LANGUAGES.get(language, "fi"))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def day_off_name(day: datetime.date) -> str | None:
    """The public holiday or weekday name of a day that is not a working day, in the active
    language; None for a working day."""
    if is_working_day(day):
        return None
    language = (translation.get_language() or "fi")[:2]
    return _finnish_holidays(day.year, language).get(day) or date_format(day, "l")


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n < 0: before)."""
    step = 1 if n >= 0 else -1
    for _step in range(abs(n)):
        day += datetime.timedelta(days=step)
        while not is_working_day(day):
            day += datetime.timedelta(days=step)
    return day


# Creating rows --------------------------------------------------------------------------------


def _language(user) -> str:
    return (user.preferred_language if user else None) or settings.LANGUAGE_CODE


def notify(kind, *, recipient, meeting=None, key_suffix="", **objects) -> Notification | None:
    """An event message to a user, created in the caller's transaction, sent after commit."""
    if recipient is None:
        return None
    key = f"{kind}:{meeting.pk if meeting else ''}:{recipient.pk}:{key_suffix}"
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "language": _language(recipient),
            "meeting": meeting,
            **objects,
        },
    )
    if created:
        transaction.on_commit(lambda: _publisher.submit(enqueue, notification.pk))
    return notification


def notify_email(kind, *, email, language, meeting, key) -> Notification:
    """An event message to someone without an account (the young person), by e-mail only."""
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient_email": email,
            "language": language,
            "meeting": meeting,
        },
    )
    if created:
        transaction.on_commit(lambda: _publisher.submit(enqueue, notification.pk))
    return notification


def notify_participants(kind, meeting: JointMeeting, *, exclude=None, key_suffix="") -> None:
    for participant in meeting.participants.select_related("user"):
        if participant.user_id and participant.user_id != getattr(exclude, "pk", None):
            notify(kind, recipient=participant.user, meeting=meeting, key_suffix=key_suffix)


# The request does not wait for the broker: publishing happens in a background thread, so a
# broker that is down or slow never slows down saving (the sweep sends what it missed).
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notification-publisher")


def enqueue(pk: int) -> None:
    """Hand a row to Celery. A broker that is down costs nothing: the sweep sends it later."""
    from .tasks import deliver_notification

    try:
        deliver_notification.apply_async(args=[pk], retry=False)
    except Exception as exc:  # noqa: BLE001 — any broker error; the row waits for the sweep
        logger.warning("notification %s waits for the sweep: %s", pk, type(exc).__name__)


def _row(kind, key, *, recipient=None, email="", language=None, due_at, **objects):
    return Notification(
        kind=kind,
        key=key,
        recipient=recipient,
        recipient_email=email if recipient is None else "",
        language=language or _language(recipient),
        due_at=due_at,
        **objects,
    )


def reminders_create(now: datetime.datetime | None = None) -> int:
    """Create today's reminders from the data (working days only); existing ones are kept."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    next_day = add_working_days(today, 1)
    rows = []

    # Invitations not answered within 2 working days: the organiser, and a nudge to the invitee.
    answer_by = add_working_days(today, -INVITATION_ANSWER_DAYS)
    waiting = Participant.objects.filter(
        kind=Participant.Kind.KELA_CONTACT,
        status=Participant.Status.PENDING,
        meeting__status=JointMeeting.Status.INVITED,
        invited_at__date__lte=answer_by,
    ).select_related("meeting__organiser", "user")
    for p in waiting:
        sent = f"{p.pk}:{p.invited_at:%Y%m%d%H%M%S}"
        rows.append(
            _row(
                Kind.INVITATION_UNANSWERED,
                f"unanswered:{sent}",
                recipient=p.meeting.organiser,
                due_at=now,
                meeting=p.meeting,
            )
        )
        rows.append(
            _row(
                Kind.INVITATION_NUDGE,
                f"nudge:{sent}",
                recipient=p.user,
                due_at=now,
                meeting=p.meeting,
            )
        )

    # Meetings before the next working day ends ("tomorrow", or Monday on a Friday).
    soon = JointMeeting.objects.filter(
        status=JointMeeting.Status.CONFIRMED,
        starts_at__date__gt=today,
        starts_at__date__lte=next_day,
    ).select_related("youth__language")
    reminders_to_youth = set(
        Consent.objects.covering("scope_reminders")
        .filter(youth__in=soon.values("youth"))
        .values_list("youth_id", flat=True)
    )
    for meeting in soon.prefetch_related("participants__user"):
        day = f"{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}"
        for p in meeting.participants.all():
            if p.user_id:
                rows.append(
                    _row(
                        Kind.MEETING_TOMORROW,
                        f"tomorrow:{day}:{p.user_id}",
                        recipient=p.user,
                        due_at=now,
                        meeting=meeting,
                    )
                )
        if meeting.youth.email and meeting.youth_id in reminders_to_youth:
            rows.append(
                _row(
                    Kind.MEETING_TOMORROW,
                    f"tomorrow:{day}:youth",
                    email=meeting.youth.email,
                    language=meeting.youth.service_language,
                    due_at=now,
                    meeting=meeting,
                )
            )

    # Action items due on the next working day, and overdue ones (once).
    open_items = ActionItem.objects.filter(status=ActionItem.Status.OPEN).select_related(
        "owner__user", "plan__meeting__youth__language"
    )
    due_items = open_items.filter(due_date__gt=today, due_date__lte=next_day)
    late_items = open_items.filter(
        due_date__lt=today, due_date__gte=today - datetime.timedelta(days=30)
    )
    youth_ids = {i.plan.meeting.youth_id for i in (*due_items, *late_items)}
    consenting = set(
        Consent.objects.covering("scope_reminders")
        .filter(youth_id__in=youth_ids)
        .values_list("youth_id", flat=True)
    )
    for kind, items in ((Kind.ITEM_DUE, due_items), (Kind.ITEM_OVERDUE, late_items)):
        for item in items:
            key = f"{kind}:{item.pk}:{item.due_date:%Y%m%d}"
            youth = item.plan.meeting.youth
            if item.owner.user_id:
                rows.append(
                    _row(
                        kind,
                        key,
                        recipient=item.owner.user,
                        due_at=now,
                        action_item=item,
                        meeting=item.plan.meeting,
                    )
                )
            elif (
                item.owner.kind == Participant.Kind.YOUNG_PERSON
                and youth.email
                and youth.pk in consenting
            ):
                rows.append(
                    _row(
                        kind,
                        key,
                        email=youth.email,
                        language=youth.service_language,
                        due_at=now,
                        action_item=item,
                        meeting=item.plan.meeting,
                    )
                )

    # Reviews within 3 working days, and overdue reviews (once per review date).
    review_by = add_working_days(today, REVIEW_NOTICE_DAYS)
    plans = FollowUpPlan.objects.filter(
        meeting__status=JointMeeting.Status.PLAN_RECORDED
    ).select_related("meeting__youth__responsible_worker")
    for kind, due_plans in (
        (Kind.REVIEW_DUE, plans.filter(review_date__gt=today, review_date__lte=review_by)),
        (
            Kind.REVIEW_OVERDUE,
            plans.filter(
                review_date__lt=today, review_date__gte=today - datetime.timedelta(days=30)
            ),
        ),
    ):
        for plan in due_plans.prefetch_related("meeting__participants__user"):
            key = f"{kind}:{plan.pk}:{plan.review_date:%Y%m%d}"
            worker = plan.meeting.youth.responsible_worker
            rows.append(
                _row(
                    kind,
                    f"{key}:{worker.pk}",
                    recipient=worker,
                    due_at=now,
                    plan=plan,
                    meeting=plan.meeting,
                )
            )
            if plan.kela_cooperation == FollowUpPlan.KelaCooperation.YES:
                for p in plan.meeting.participants.all():
                    if p.kind == Participant.Kind.KELA_CONTACT and p.user_id:
                        rows.append(
                            _row(
                                kind,
                                f"{key}:{p.user_id}",
                                recipient=p.user,
                                due_at=now,
                                plan=plan,
                                meeting=plan.meeting,
                            )
                        )

    # Consents that expire in 14 days (or sooner, if recorded so): the responsible worker.
    expiring = (
        Consent.objects.valid(today)
        .filter(valid_until__gt=today, valid_until__lte=today + CONSENT_NOTICE)
        .select_related("youth__responsible_worker")
    )
    for consent in expiring:
        worker = consent.youth.responsible_worker
        rows.append(
            _row(
                Kind.CONSENT_EXPIRING,
                f"consent:{consent.pk}:{consent.valid_until:%Y%m%d}",
                recipient=worker,
                due_at=now,
                consent=consent,
            )
        )

    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


# The sweep ------------------------------------------------------------------------------------


def waiting(now=None):
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
    claimed = (
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
    if not claimed:
        return "not claimed"
    n = Notification.objects.select_related(
        "recipient",
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
    try:
        message = render(n)
    except Exception as exc:  # a broken template must not stop the other messages
        logger.exception("notification %s could not be rendered", pk)
        _finish(n, Status.FAILED, error=f"render: {type(exc).__name__}")
        return "failed"
    if settings.NOTIFICATION_SEND_DELAY:  # the fault tests stop a worker in this moment
        time.sleep(settings.NOTIFICATION_SEND_DELAY)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        if n.recipient_id:
            problem = _("E-mail to %(address)s was refused (%(when)s).") % {
                "address": n.recipient.email,
                "when": date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT"),
            }
            type(n.recipient).objects.filter(pk=n.recipient_id).update(email_problem=problem[:300])
        _finish(n, Status.FAILED, error=f"recipient refused: {list(exc.recipients)[:1]}")
        return "failed"
    except (smtplib.SMTPException, OSError) as exc:
        if n.attempts >= MAX_ATTEMPTS:
            _finish(n, Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
            return "failed"
        backoff = datetime.timedelta(minutes=2**n.attempts)
        Notification.objects.filter(pk=pk, claimed_by=task_id).update(
            status=Status.PENDING,
            next_attempt_at=now + backoff,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return "retry"
    _finish(n, Status.SENT)
    return "sent"


def _finish(n: Notification, status: str, error: str = "") -> None:
    Notification.objects.filter(pk=n.pk).update(
        status=status,
        sent_at=timezone.now() if status == Status.SENT else None,
        last_error=error,
    )


def not_needed(n: Notification) -> str:
    """Why the message is no longer needed or wanted, or "" if it is."""
    if n.recipient_id:
        if not n.recipient.is_active:
            return "recipient inactive"
        if n.kind in Notification.MUTABLE and n.kind in n.recipient.muted_reminders:
            return "turned off by the recipient"
    meeting = n.meeting
    if meeting is not None:
        if meeting.status == JointMeeting.Status.CANCELLED and n.kind != Kind.MEETING_CANCELLED:
            return "meeting cancelled"
        if n.recipient_id and n.recipient.is_kela_contact and n.kind != Kind.MEETING_CANCELLED:
            if not JointMeeting.objects.visible_to(n.recipient).filter(pk=meeting.pk).exists():
                return "no access any more (consent)"
    if n.kind in (Kind.INVITATION, Kind.INVITATION_NUDGE, Kind.INVITATION_UNANSWERED):
        still_waiting = meeting.participants.filter(
            kind=Participant.Kind.KELA_CONTACT, status=Participant.Status.PENDING
        ).exists()
        if meeting.status != JointMeeting.Status.INVITED or not still_waiting:
            return "answered"
    if n.kind == Kind.MEETING_TOMORROW and meeting.status != JointMeeting.Status.CONFIRMED:
        return "meeting not confirmed"
    if n.kind in (Kind.ITEM_DUE, Kind.ITEM_OVERDUE):
        item = ActionItem.objects.filter(pk=n.action_item_id).first()
        if item is None or item.status != ActionItem.Status.OPEN:
            return "done"
    if n.kind in (Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE):
        if n.plan.meeting.status != JointMeeting.Status.PLAN_RECORDED:
            return "reviewed"
    if n.kind == Kind.FEEDBACK_REQUEST:
        from feedback.services import link_for_notification

        link = link_for_notification(n)
        if link is None or link.answered or link.is_expired:
            return "answered or expired"
    if n.kind == Kind.CONSENT_EXPIRING and not n.consent.is_valid:
        return "consent withdrawn or expired"
    if not n.recipient_id:  # the young person: only while their consent covers reminders
        youth = meeting.youth
        if not Consent.objects.covering("scope_reminders").filter(youth=youth).exists():
            return "no consent for reminders"
    return ""


def _context(n: Notification) -> dict:
    meeting = n.meeting or (n.plan.meeting if n.plan_id else None)
    youth = meeting.youth if meeting else n.consent.youth
    context = {"name": youth.first_name}
    if meeting is not None:
        context["when"] = date_format(
            timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT"
        )
        answer = (
            meeting.participants.filter(kind=Participant.Kind.KELA_CONTACT)
            .exclude(responded_at=None)
            .select_related("user")
            .order_by("-responded_at")
            .first()
        )
        kela = answer or meeting.participants.filter(kind=Participant.Kind.KELA_CONTACT).first()
        context["who"] = kela.display_name if kela else ""
        if answer and answer.proposed_start:
            context["proposed"] = date_format(
                timezone.localtime(answer.proposed_start), "SHORT_DATETIME_FORMAT"
            )
    if n.action_item_id:
        context["what"] = n.action_item.what
        context["day"] = date_format(n.action_item.due_date, "SHORT_DATE_FORMAT")
    if n.plan_id and n.plan.review_date:
        context["day"] = date_format(n.plan.review_date, "SHORT_DATE_FORMAT")
    if n.consent_id:
        context["day"] = date_format(n.consent.valid_until, "SHORT_DATE_FORMAT")
    return context


def link(n: Notification) -> str:
    if n.kind == Kind.FEEDBACK_REQUEST:  # the home page lists the user's unanswered surveys
        return reverse("home")
    if n.consent_id:
        return reverse("cases:detail", args=[n.consent.youth_id])
    if n.plan_id:
        return reverse("meetings:plan", args=[n.plan.meeting_id])
    if n.action_item_id and n.recipient_id and n.recipient.is_aftercare_worker:
        return reverse("meetings:plan", args=[n.meeting_id])
    return reverse("meetings:detail", args=[n.meeting_id])


def text(n: Notification) -> tuple[str, str]:
    """The subject and the message, in the active language."""
    subject, body = TEXTS[n.kind]
    if not n.recipient_id and n.kind in YOUTH_TEXTS:
        body = YOUTH_TEXTS[n.kind]
    return str(subject), str(body) % _context(n)


def render(n: Notification) -> EmailMultiAlternatives:
    with translation.override(n.language):
        subject, body = text(n)
        url = settings.SITE_URL + link(n) if n.recipient_id else ""
        answer_url = answer_until = ""
        if n.kind == Kind.FEEDBACK_REQUEST:  # a public page: no login
            from feedback import services as feedback

            survey_link = feedback.link_for_notification(n)
            url, answer_url = "", feedback.answer_url(survey_link)
            answer_until = date_format(
                timezone.localtime(survey_link.expires_at), "SHORT_DATE_FORMAT"
            )
        context = {
            "subject": subject,
            "body": body,
            "url": url,
            "answer_url": answer_url,
            "answer_until": answer_until,
            # The young person has no account and no settings page: how to stop the messages.
            "to_young_person": not n.recipient_id,
            "settings_url": settings.SITE_URL + reverse("notification_settings")
            if n.recipient_id
            else "",
            "language": n.language,
        }
        message = EmailMultiAlternatives(
            subject=f"{subject} – {_('Yhteistyö')}",
            body=render_to_string("emails/notification.txt", context),
            to=[n.recipient.email if n.recipient_id else n.recipient_email],
        )
        message.attach_alternative(
            render_to_string("emails/notification.html", context), "text/html"
        )
        method = {
            Kind.MEETING_CONFIRMED: calendar.REQUEST,
            Kind.MEETING_CHANGED: calendar.REQUEST,
            Kind.MEETING_CANCELLED: calendar.CANCEL,
        }.get(n.kind)
        if method:
            ics = calendar.meeting_ics(n.meeting, method=method, language=n.language)
            message.attach("meeting.ics", ics, f"text/calendar; method={method}; charset=utf-8")
        return message
