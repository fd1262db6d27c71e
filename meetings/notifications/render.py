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
from ..models import Notification, Participant
from .kinds import KINDS


def language_of(user: User | None) -> str:
    """The language a user's messages are written in."""
    return (user.preferred_language if user else None) or settings.LANGUAGE_CODE


def context(n: Notification) -> dict:
    """The values the texts may use (see KindSpec)."""
    meeting = n.meeting or (n.plan.meeting if n.plan_id else None)
    youth = meeting.youth if meeting else n.consent.youth
    values = {"name": youth.first_name}
    if meeting is not None:
        values["when"] = date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")
        answer = (
            meeting.participants.filter(kind=Participant.Kind.KELA_CONTACT)
            .exclude(responded_at=None)
            .select_related("user")
            .order_by("-responded_at")
            .first()
        )
        kela = answer or meeting.participants.filter(kind=Participant.Kind.KELA_CONTACT).first()
        values["who"] = kela.display_name if kela else ""
        if answer and answer.proposed_start:
            values["proposed"] = date_format(
                timezone.localtime(answer.proposed_start), "SHORT_DATETIME_FORMAT"
            )
    if n.action_item_id:
        values["what"] = n.action_item.what
        values["owner"] = n.action_item.owner_label
        values["day"] = date_format(n.action_item.due_date, "SHORT_DATE_FORMAT")
    if n.plan_id and n.plan.review_date:
        values["day"] = date_format(n.plan.review_date, "SHORT_DATE_FORMAT")
    if n.consent_id and n.consent.valid_until:
        values["day"] = date_format(n.consent.valid_until, "SHORT_DATE_FORMAT")
    return values


def text(n: Notification) -> tuple[str, str]:
    """The subject and the message, in the active language."""
    spec = KINDS[n.kind]
    body = spec.youth_text if not n.recipient_id and spec.youth_text else spec.text
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
        )
        message.attach_alternative(
            render_to_string("emails/notification.html", values), "text/html"
        )
        if spec.calendar_method:
            method = spec.calendar_method
            ics = calendar.meeting_ics(n.meeting, method=method, language=n.language)
            # Django adds the charset of a text attachment itself: named here, it came twice.
            message.attach("meeting.ics", ics, f"text/calendar; method={method}")
        return message
