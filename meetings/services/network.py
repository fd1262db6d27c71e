"""The young person's network in a meeting: other participants (support person, interpreter,
family member, professionals) added, changed and removed until the meeting is held."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User

from .. import notifications
from ..models import JointMeeting, NetworkRole, Notification, Participant
from .meeting import _modality_sync

# What the worker may set on a network member (services and forms share the list).
NETWORK_FIELDS = (
    "name",
    "network_role",
    "role_title",
    "organisation_name",
    "email",
    "interpreter_language",
    "joins_by",
)


def _changeable(meeting: JointMeeting) -> JointMeeting:
    """The meeting, locked, if its network can still change: until it is held (or cancelled)."""
    meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_changeable:
        raise ValidationError(
            _("The meeting has been held or cancelled: its participants can no longer be changed.")
        )
    return meeting


def _youth_way(meeting: JointMeeting) -> str:
    """How the young person joins: a network member joins so unless told otherwise."""
    youth = meeting.participants.filter(kind=Participant.Kind.YOUNG_PERSON).first()
    return (youth.joins_by if youth else "") or meeting.modality


def _clean(participant: Participant) -> None:
    """The model's rules, each message next to its field."""
    errors = {}
    if not participant.name.strip():
        errors["name"] = _("Give the name of this participant.")
    if not participant.network_role:
        errors["network_role"] = _("Choose the role of this participant.")
    if participant.network_role != NetworkRole.INTERPRETER:
        participant.interpreter_language = None
    elif participant.interpreter_language_id is None:
        errors["interpreter_language"] = _("Choose the language the interpreter interprets.")
    if errors:
        raise ValidationError(errors)
    participant.full_clean(exclude=["meeting", "user"])


@transaction.atomic
def network_member_add(*, meeting: JointMeeting, by: User, fields: dict) -> Participant:
    """Add another network member to a meeting that has not been held. Joining "as the young
    person" takes the young person's way. If Kela has already been invited, the new member
    is sent the invitation (with an address and the consent's scope, see network_messages)."""
    meeting = _changeable(meeting)
    values = {k: v for k, v in fields.items() if k in NETWORK_FIELDS}
    values["joins_by"] = values.get("joins_by") or _youth_way(meeting)
    participant = Participant(
        meeting=meeting,
        kind=Participant.Kind.OTHER,
        status=Participant.Status.ACCEPTED,
        invited_at=timezone.now(),
        **values,
    )
    _clean(participant)
    participant.save()
    _modality_sync(meeting)
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=participant
    )
    _invite_if_sent(meeting, participant)
    return participant


def _invite_if_sent(meeting: JointMeeting, participant: Participant) -> None:
    """A member added (or given a new address) after the meeting was sent gets the invitation
    now; before that, meeting_invite sends it to everyone."""
    if meeting.is_sent:
        notifications.notify_network_member(Notification.Kind.NETWORK_INVITATION, participant)


@transaction.atomic
def network_member_edit(*, participant: Participant, by: User, fields: dict) -> Participant:
    """Change a network member of a meeting that has not been held. A new address clears the
    problem recorded for the old one."""
    meeting = _changeable(participant.meeting)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not participant.is_network_member or participant.is_removed:
        raise ValidationError(_("Only a network member who takes part can be changed."))
    before = participant.email
    for name in NETWORK_FIELDS:
        if name in fields:
            setattr(participant, name, fields[name])
    participant.joins_by = participant.joins_by or _youth_way(meeting)
    if participant.email != before:
        participant.email_problem = ""
    _clean(participant)
    participant.save()
    _modality_sync(meeting)
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=participant
    )
    if participant.email != before:
        _invite_if_sent(meeting, participant)
    return participant


@transaction.atomic
def network_member_remove(*, participant: Participant, by: User) -> Participant:
    """Remove a network member from a meeting that has not been held. The row stays for the
    record (taking no part), and nothing not yet sent to them is sent (notifications.not_needed
    asks just before sending)."""
    meeting = _changeable(participant.meeting)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not participant.is_network_member or participant.is_removed:
        raise ValidationError(_("Only a network member who takes part can be removed."))
    participant.status = Participant.Status.DECLINED
    participant.removed_at = timezone.now()
    participant.save(update_fields=["status", "removed_at"])
    _modality_sync(meeting)
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=participant
    )
    return participant
