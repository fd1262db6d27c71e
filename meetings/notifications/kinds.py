"""What a kind of notification is, in one entry (`KindSpec`), and the registry of kinds.

The meetings app declares its own kinds in `meeting_kinds`. An app above meetings declares its
kinds with `register()` from its AppConfig.ready() (feedback/notifications.py does), so that
meetings sends them without importing that app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise

from ..models import JointMeeting, Notification

Rule = Callable[[Notification], str]


def always_needed(n: Notification) -> str:
    return ""


def meeting_page(n: Notification) -> str:
    return reverse("meetings:detail", args=[n.meeting_id])


@dataclass(frozen=True)
class KindSpec:
    """One kind of notification: what it says, who may turn it off, when it is moot, where it
    leads. The texts may use %(name)s (first name only), %(when)s, %(who)s, %(proposed)s,
    %(what)s, %(owner)s (who does the action item) and %(day)s (see render.context)."""

    kind: Notification.Kind
    subject: Promise
    text: Promise
    # To the young person, who has no account: plain language, no link to log in.
    youth_text: Promise | None = None
    # Created by the sweep from the state of the data (reminders.py), not by an event (notify).
    reminder: bool = False
    # The recipient may turn it off in their settings (invitations to them they may not).
    mutable: bool = False
    # Why the message is not needed any more, or "": checked just before sending.
    still_needed: Rule = always_needed
    # The page in the service that the message is about (login needed).
    link: Rule = meeting_page
    # Attach the meeting as a calendar file: meetings.calendar.REQUEST or CANCEL.
    calendar_method: str | None = None
    # Sent although the meeting is cancelled, also to a Kela contact who lost access to it.
    sent_when_cancelled: bool = False
    # More for the e-mail template (a value here replaces the default one).
    email_extras: Callable[[Notification], dict] | None = None
    # To an outside owner of an action item (no account, `recipient_email`): not the young
    # person, so their consent to reminders does not apply (still_needed checks the link's).
    outside_owner: bool = False


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    """Declare a kind of notification; declaring another spec for the same kind is an error."""
    if KINDS.get(spec.kind, spec) is not spec:
        raise ImproperlyConfigured(f"The notification kind {spec.kind} is declared twice.")
    KINDS[spec.kind] = spec
    return spec


def mutable_kinds() -> list[str]:
    """The kinds a recipient may turn off, in the order of Notification.Kind."""
    return [kind for kind in Notification.Kind if kind in KINDS and KINDS[kind].mutable]


# Still needed? --------------------------------------------------------------------------------


def not_needed(n: Notification) -> str:
    """Why the message is no longer needed or wanted, or "" if it is."""
    spec = KINDS[n.kind]
    return (
        _unwanted(n, spec)
        or _meeting_gone(n, spec)
        or spec.still_needed(n)
        or ("" if spec.outside_owner else _no_consent_for_reminders(n))
    )


def _unwanted(n: Notification, spec: KindSpec) -> str:
    if not n.recipient_id:
        return ""
    if not n.recipient.is_active:
        return "recipient inactive"
    if spec.mutable and n.kind in n.recipient.muted_reminders:
        return "turned off by the recipient"
    return ""


def _meeting_gone(n: Notification, spec: KindSpec) -> str:
    meeting = n.meeting
    if meeting is None or spec.sent_when_cancelled:
        return ""
    if meeting.status == JointMeeting.Status.CANCELLED:
        return "meeting cancelled"
    if n.recipient_id and n.recipient.is_kela_contact:
        visible = JointMeeting.objects.visible_to(n.recipient).filter(pk=meeting.pk).exists()
        if not visible:
            return "no access any more (consent)"
    return ""


def _no_consent_for_reminders(n: Notification) -> str:
    """The young person gets messages only while their consent covers reminders."""
    if n.recipient_id:
        return ""
    if not n.meeting.youth.may_be_messaged():
        return "no consent for reminders"
    return ""
