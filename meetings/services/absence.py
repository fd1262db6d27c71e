"""A Kela contact's absence and the invitations waiting for them (issue 18).

Decision: pending invitations are passed to the substitute **automatically when the absence is
recorded** (no separate button): an absence is often recorded in a hurry (sick leave), and an
invitation that waits for someone who is away is exactly what the absence is for. Passed on:
invitations still waiting for the absent contact's answer, to meetings not yet started, when
the absence covers today or the meeting's day — the same rule as for new invitations
(meeting_invite). The absent contact's invitation becomes "declined" with a message saying why
(so their access ends, as for any decline), the substitute is invited, and the organiser is told.
Without a substitute nothing moves: workers see the absence in the directory and when booking.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kelayhteistyo.models import KelaAbsence, User
from kelayhteistyo.services import kela_absence_create

from .. import notifications
from ..models import JointMeeting, Notification, Participant
from .meeting import meeting_invite, valid_kela_consent


def _covers(absence: KelaAbsence, day) -> bool:
    return absence.starts_on <= day <= absence.ends_on


@transaction.atomic
def kela_absence_record(*, absence: KelaAbsence, by: User) -> list[Participant]:
    """Record an absence; pending invitations it covers go to the substitute. Returns the
    substitute's new invitations."""
    absence = kela_absence_create(absence=absence)
    return invitations_pass_on(absence=absence, by=by)


def invitations_pass_on(*, absence: KelaAbsence, by: User) -> list[Participant]:
    """Pass the absent contact's pending invitations to the substitute (see the module)."""
    substitute = absence.substitute
    if substitute is None:
        return []
    today = timezone.localdate()
    waiting = (
        Participant.objects.select_for_update()
        .filter(
            user_id=absence.profile.user_id,
            kind=Participant.Kind.KELA_CONTACT,
            status=Participant.Status.PENDING,
            meeting__status=JointMeeting.Status.INVITED,
            meeting__starts_at__gt=timezone.now(),
        )
        .select_related("meeting", "meeting__youth")
    )
    note = _("Away %(start)s–%(end)s. The invitation was passed to the substitute %(name)s.") % {
        "start": date_format(absence.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(absence.ends_on, "SHORT_DATE_FORMAT"),
        "name": substitute.get_full_name(),
    }
    passed = []
    for participant in waiting:
        meeting = participant.meeting
        if not (_covers(absence, today) or _covers(absence, meeting.day)):
            continue
        if valid_kela_consent(meeting.youth) is None:
            continue  # nothing may go to Kela: withdrawing the consent cancels the meeting
        now = timezone.now()
        participant.status = Participant.Status.DECLINED
        participant.response_message = note
        participant.responded_at = now
        participant.save()
        passed.append(meeting_invite(meeting=meeting, kela_contact=substitute, by=by))
        notifications.notify(
            Notification.Kind.INVITATION_PASSED,
            recipient=meeting.organiser,
            meeting=meeting,
            key_suffix=f"{now:%Y%m%d%H%M%S%f}",
        )
    return passed
