"""A notification as words: its text, its link, and its e-mail (with a calendar file for the
kinds that carry one), in the recipient's language.

The e-mail carries no personal data of the young person beyond the first name: it says what
happened and links to the page, which requires login.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kelayhteistyo.models import User

from .. import calendar
from ..models import JointMeeting, Notification, Participant
from .case_kinds import case_context
from .kinds import KINDS
from .meeting_kinds import review_round


def language_of(user: User | None) -> str:
    """The language a user's messages are written in."""
    return (user.preferred_language if user else None) or settings.LANGUAGE_CODE


def network_language(meeting: JointMeeting) -> str:
    """A network member's messages are in the meeting's language, if the service speaks it."""
    code = meeting.language.code if meeting.language_id else ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def context(n: Notification) -> dict:
    """The values the texts may use (see KindSpec)."""
    meeting = n.meeting or (n.plan.meeting if n.plan_id else None)
    youth = meeting.youth if meeting else n.consent.youth if n.consent_id else n.youth
    values = {"name": youth.first_name} if youth else {}
    values |= case_context(n)  # a cooperation request or a special-service referral
    if meeting is not None:
        values["when"] = date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")
        values["organiser"] = meeting.organiser.get_full_name()
        values["organiser_email"] = meeting.organiser.email
        values["contact"] = contact_of(meeting.organiser)
        # From meeting.participants.all(): prefetched by the notification list (one query
        # for the whole page), one query for an e-mail.
        kelas = [p for p in meeting.participants.all() if p.kind == Participant.Kind.KELA_CONTACT]
        answers = sorted(
            (p for p in kelas if p.responded_at), key=lambda p: p.responded_at, reverse=True
        )
        answer = answers[0] if answers else None
        kela = answer or (kelas[0] if kelas else None)
        values["who"] = kela.display_name if kela else ""
        if answer and answer.proposed_start:
            values["proposed"] = date_format(
                timezone.localtime(answer.proposed_start), "SHORT_DATETIME_FORMAT"
            )
    if n.action_item_id:
        values["what"] = n.action_item.what
        values["owner"] = n.action_item.owner_label
        due = n.action_item.due_date
        values["day"] = date_format(due, "SHORT_DATE_FORMAT") if due else "–"
    if n.kind in (Notification.Kind.REVIEW_DUE, Notification.Kind.REVIEW_OVERDUE):
        # Its own round's date, also once later rounds have moved the plan's date on.
        values["day"] = date_format(review_round(n), "SHORT_DATE_FORMAT")
    elif n.plan_id and n.plan.review_date:
        values["day"] = date_format(n.plan.review_date, "SHORT_DATE_FORMAT")
    if n.consent_id and n.consent.valid_until:
        values["day"] = date_format(n.consent.valid_until, "SHORT_DATE_FORMAT")
    if n.youth_id and youth.aftercare_ends_on:
        values["day"] = date_format(youth.aftercare_ends_on, "SHORT_DATE_FORMAT")
    return values


def contact_of(user: User) -> str:
    """A worker as a contact person: the name, the e-mail address and the phone."""
    return ", ".join(part for part in (user.get_full_name(), user.email, user.phone) if part)


def text(n: Notification) -> tuple[str, str]:
    """The subject and the message, in the active language."""
    spec = KINDS[n.kind]
    to_youth = not n.recipient_id and not n.participant_id
    body = spec.youth_text if to_youth and spec.youth_text else spec.text
    return str(spec.subject), str(body) % context(n)


def link(n: Notification) -> str:
    """The page the notification is about (a path)."""
    return KINDS[n.kind].link(n)


def render(n: Notification) -> EmailMultiAlternatives:
    """The e-mail of a notification, in the language of the notification."""
    with translation.override(n.language):
        spec = KINDS[n.kind]
        subject, body = text(n)
        values = {
            "subject": subject,
            "body": body,
            "url": settings.SITE_URL + link(n) if n.recipient_id else "",
            # The young person has no account and no settings page: how to stop the messages.
            "to_young_person": not n.recipient_id,
            "settings_url": settings.SITE_URL + reverse("notification_settings")
            if n.recipient_id
            else "",
            "language": n.language,
        }
        if spec.email_extras:
            values.update(spec.email_extras(n))
        message = EmailMultiAlternatives(
            subject=f"{subject} – {_('Yhteistyö')}",
            body=render_to_string("emails/notification.txt", values),
            to=[n.recipient.email if n.recipient_id else n.recipient_email],
            # A network member has no account: an answer goes to the meeting's organiser.
            reply_to=[n.meeting.organiser.email] if n.participant_id else None,
        )
        message.attach_alternative(
            render_to_string("emails/notification.html", values), "text/html"
        )
        if n.plan_export_id:  # the plain-language plan to a network member
            with n.plan_export.file.open("rb") as pdf:
                message.attach(f"plan-{n.plan_export.number}.pdf", pdf.read(), "application/pdf")
        method = spec.calendar_method
        if callable(method):
            method = method(n)
        if method:
            ics = calendar.meeting_ics(n.meeting, method=method, language=n.language)
            # Django adds the charset of a text attachment itself: named here, it came twice.
            message.attach("meeting.ics", ics, f"text/calendar; method={method}")
        return message
