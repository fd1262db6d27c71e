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

from cases.models import Consent, WorkerHandover, YouthClient

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
    # Attach the meeting as a calendar file: meetings.calendar.REQUEST or CANCEL, or a rule
    # that says which (or None) for the notification at hand.
    calendar_method: str | Callable[[Notification], str | None] | None = None
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
        or _network_member_gone(n)
        or _handed_over(n)
        or _meeting_gone(n, spec)
        or spec.still_needed(n)
        or ("" if spec.outside_owner else _no_consent_for_reminders(n))
    )


def network_may_be_messaged(youth_id, *, plan: bool = False) -> bool:
    """Whether a valid consent covers e-mail to the meeting's network members (and sending
    them the plan). Asked when a message is made and again just before it is sent."""
    consents = Consent.objects.covering(Consent.Scope.NETWORK).filter(youth=youth_id)
    if plan:
        consents = consents.filter(**{Consent.Scope.NETWORK_PLAN.value: True})
    return consents.exists()


def _network_member_gone(n: Notification) -> str:
    """A network member's message (issue 17): only while they take part with the address it
    was made for, and a consent covers messages to the network (the plan: sending it too). A
    removal or a withdrawn consent stops what was not yet sent, a cancellation included."""
    if not n.participant_id:
        return ""
    member = n.participant
    if member.is_removed or not member.is_taking_part:
        return "removed from the meeting"
    if member.email != n.recipient_email:
        return "address changed"
    plan = n.kind == Notification.Kind.NETWORK_PLAN
    if not network_may_be_messaged(n.meeting.youth_id, plan=plan):
        return "no consent for messages to the network"
    return ""


def _unwanted(n: Notification, spec: KindSpec) -> str:
    if not n.recipient_id:
        return ""
    if not n.recipient.is_active:
        return "recipient inactive"
    if spec.mutable and n.kind in n.recipient.muted_reminders:
        return "turned off by the recipient"
    return ""


def youth_of(n: Notification) -> YouthClient | None:
    """The young person a notification is about."""
    if n.meeting_id:
        return n.meeting.youth
    if n.plan_id:
        return n.plan.meeting.youth
    if n.consent_id:
        return n.consent.youth
    if n.special_referral_id:
        return n.special_referral.youth
    return n.youth


def _handed_over(n: Notification) -> str:
    """A worker who handed the young person over to another worker hears no more of them,
    unless they still organise or take part in the meeting the message is about (the
    hand-over moved the rest; this catches a row made from the data of a moment before)."""
    if not n.recipient_id or not n.recipient.is_aftercare_worker:
        return ""
    youth = youth_of(n)
    if youth is None or youth.responsible_worker_id == n.recipient_id:
        return ""
    if not WorkerHandover.objects.filter(youth=youth, from_worker=n.recipient_id).exists():
        return ""
    meeting = n.meeting
    if meeting is not None and (
        meeting.organiser_id == n.recipient_id
        or meeting.participants.taking_part().filter(user=n.recipient_id).exists()
    ):
        return ""
    return "handed over to another worker"


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
    if n.recipient_id or n.participant_id:
        return ""
    youth = n.meeting.youth
    if n.recipient_phone:  # a text message (issue 19): to the number on the record only
        if not youth.may_be_texted():
            return "no consent for reminders"
        if youth.light_address("sms") != n.recipient_phone:
            return "phone number changed"
        return ""
    if not youth.may_be_messaged():
        return "no consent for reminders"
    return ""


def youth_texts() -> list:
    """What a young person may read in a message to them: the subject and the young person's
    text of every kind that has one (listed in kelayhteistyo/youth.py)."""
    return [
        t for spec in KINDS.values() if spec.youth_text for t in (spec.subject, spec.youth_text)
    ]
