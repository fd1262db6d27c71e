"""The feedback request as a kind of meetings notification. Meetings sends it, but only
feedback knows the survey links, so feedback declares the kind (from FeedbackConfig.ready());
meetings never imports feedback."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from meetings.models import Notification, Participant
from meetings.notifications import KindSpec, register

from . import services
from .models import SurveyLink


def link_for_notification(n: Notification) -> SurveyLink | None:
    """The link a feedback request is about; None once it has been used or has expired (the
    link is deleted then)."""
    links = SurveyLink.objects.filter(meeting=n.meeting_id)
    if n.recipient_id:
        return links.filter(participant__user=n.recipient_id).first()
    if n.participant_id:  # a network member, by e-mail
        return links.filter(participant=n.participant_id).first()
    return links.filter(participant__kind=Participant.Kind.YOUNG_PERSON).first()


def link_unused(n: Notification) -> str:
    link = link_for_notification(n)
    if link is None or link.is_expired:
        return "answered or expired"
    return ""


def home_page(n: Notification) -> str:
    return reverse("home")  # the home page lists the user's unanswered surveys


def answer_links(n: Notification) -> dict:
    """The e-mail leads to the survey, a public page (no login), not to the service."""
    link = link_for_notification(n)
    return {
        "url": "",
        "answer_url": services.answer_url(link),
        "answer_until": date_format(timezone.localtime(link.expires_at), "SHORT_DATE_FORMAT"),
    }


FEEDBACK_REQUEST = KindSpec(
    Notification.Kind.FEEDBACK_REQUEST,
    subject=_("How did the joint meeting go?"),
    text=_(
        "Please tell us how the joint meeting with %(name)s on %(when)s went. The survey "
        "takes about 2 minutes and the answers are anonymous. The link works once."
    ),
    youth_text=_(
        "Hi %(name)s! How did the meeting with Kela and aftercare go? Answer a short survey. "
        "It takes about 2 minutes. Nobody will know what you answered."
    ),
    mutable=True,
    still_needed=link_unused,
    link=home_page,
    email_extras=answer_links,
)


def register_kinds() -> None:
    register(FEEDBACK_REQUEST)
