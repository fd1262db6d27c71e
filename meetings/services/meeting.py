"""Operations on a joint meeting: booking, invitations and answers, changes, cancelling (also
when a consent is withdrawn), marking it held, and purging old drafts."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Consent, YouthClient
from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User
from kelayhteistyo.services import kela_contact_route

from .. import notifications
from ..models import (
    FollowUpPlan,
    JointMeeting,
    Notification,
    Participant,
)

Status = JointMeeting.Status


@transaction.atomic
def meeting_create(
    *,
    meeting: JointMeeting,
    by: User,
    kela_contact: User | None,
    others: list[dict],
    invite: bool,
    reviews_plan: FollowUpPlan | None = None,
) -> JointMeeting:
    """Book a joint meeting with its participants; invite the Kela contact if asked. A meeting
    booked to review a plan (`reviews_plan`) continues that plan: its review is recorded on it."""
    meeting.organiser = by
    meeting.status = Status.DRAFT
    if reviews_plan is not None:
        if reviews_plan.meeting.youth_id != meeting.youth_id:
            raise ValidationError(_("A review meeting is for the young person of the plan."))
        if not reviews_plan.meeting.awaits_review:
            raise ValidationError(_("The cooperation has ended: no more reviews are recorded."))
        meeting.reviews_plan = reviews_plan
    meeting.full_clean()
    meeting.save()
    youth = meeting.youth
    Participant.objects.create(
        meeting=meeting, kind=Participant.Kind.YOUNG_PERSON, name=youth.first_name
    )
    Participant.objects.create(meeting=meeting, kind=Participant.Kind.AFTERCARE_WORKER, user=by)
    for other in others:
        Participant.objects.create(meeting=meeting, kind=Participant.Kind.OTHER, **other)
    access_log_write(user=by, youth_id=youth.pk, action=AccessLog.Action.CREATE, obj=meeting)
    if invite and kela_contact:
        meeting_invite(meeting=meeting, kela_contact=kela_contact, by=by)
    elif kela_contact:
        Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.KELA_CONTACT,
            user=kela_contact,
            status=Participant.Status.PENDING,
        )
    return meeting


def valid_kela_consent(youth: YouthClient) -> Consent | None:
    return youth.consents.covering(Consent.Scope.KELA_MEETING).order_by("-given_at").first()


@transaction.atomic
def meeting_invite(*, meeting: JointMeeting, kela_contact: User, by: User) -> Participant:
    """Invite a Kela contact. Impossible without a valid consent that covers it."""
    if not kela_contact.is_kela_contact or not hasattr(kela_contact, "kela_profile"):
        raise ValidationError({"kela_contact": _("Choose a Kela contact person.")})
    # Away today or on the meeting's day: the substitute named for the absence is invited
    # (issue 18); the view tells the worker (Participant.user differs from the one chosen).
    kela_contact = kela_contact_route(kela_contact, timezone.localdate(), meeting.day).recipient
    consent = valid_kela_consent(meeting.youth)
    if consent is None:
        raise ValidationError(
            {
                "kela_contact": _(
                    "The young person has no valid consent to invite Kela. Record the consent "
                    "first."
                )
            }
        )
    if meeting.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The meeting time has passed. Choose a new time.")})
    declined = Participant.Status.DECLINED
    pending_kela = meeting.participants.filter(kind=Participant.Kind.KELA_CONTACT).exclude(
        status=declined
    )
    if pending_kela.exclude(user=kela_contact).exists() and meeting.status != Status.DRAFT:
        raise ValidationError(
            {"kela_contact": _("A Kela contact is already invited to this meeting.")}
        )
    meeting.become(Status.INVITED)
    now = timezone.now()
    meeting.consent = consent
    meeting.invited_at = meeting.invited_at or now
    meeting.save()
    # A draft may name a different contact than the one now invited: only one stays.
    pending_kela.exclude(user=kela_contact).delete()
    participant, _created = Participant.objects.update_or_create(
        meeting=meeting,
        user=kela_contact,
        defaults={
            "kind": Participant.Kind.KELA_CONTACT,
            "status": Participant.Status.PENDING,
            "invited_at": now,
            "responded_at": None,
            "proposed_start": None,
            "response_message": "",
        },
    )
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.DISCLOSE, obj=meeting
    )
    notifications.notify(
        Notification.Kind.INVITATION,
        recipient=kela_contact,
        meeting=meeting,
        key_suffix=f"{now:%Y%m%d%H%M%S%f}",
    )
    return participant


@transaction.atomic
def invitation_respond(
    *,
    participant: Participant,
    answer: str,
    by: User,
    message: str = "",
    proposed_start: datetime.datetime | None = None,
) -> Participant:
    """The invitee accepts, declines (with a reason) or proposes another time."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    meeting = JointMeeting.objects.select_for_update().get(pk=participant.meeting_id)
    if participant.user_id != by.pk:
        raise ValidationError(_("This invitation is not addressed to you."))
    if meeting.status == Status.CANCELLED:
        raise ValidationError(_("The meeting has been cancelled; there is nothing to answer."))
    if participant.status != Participant.Status.PENDING or meeting.status != Status.INVITED:
        raise ValidationError(_("You have already answered this invitation."))
    P = Participant.Status
    if answer == P.ACCEPTED:
        meeting.become(Status.CONFIRMED)
        meeting.save()
    elif answer == P.DECLINED:
        if not message.strip():
            raise ValidationError({"message": _("Tell the organiser why you decline.")})
    elif answer == P.PROPOSED:
        if proposed_start is None:
            raise ValidationError({"proposed_start": _("Give the time you propose.")})
        if proposed_start <= timezone.now():
            raise ValidationError({"proposed_start": _("The proposed time must be in the future.")})
        participant.proposed_start = proposed_start
    else:
        raise ValidationError(_("Unknown answer."))
    participant.status = answer
    participant.response_message = message.strip()
    participant.responded_at = timezone.now()
    participant.save()
    stamp = f"{participant.responded_at:%Y%m%d%H%M%S%f}"
    if answer == P.ACCEPTED:
        notifications.notify_participants(
            Notification.Kind.MEETING_CONFIRMED, meeting, key_suffix=stamp
        )
    else:
        kind = (
            Notification.Kind.TIME_PROPOSED
            if answer == P.PROPOSED
            else (Notification.Kind.INVITATION_ANSWERED)
        )
        notifications.notify(kind, recipient=meeting.organiser, meeting=meeting, key_suffix=stamp)
    return participant


@transaction.atomic
def proposal_accept(*, participant: Participant, by: User) -> JointMeeting:
    """The organiser accepts the time the invitee proposed: the meeting moves and is confirmed."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    meeting = JointMeeting.objects.select_for_update().get(pk=participant.meeting_id)
    proposed = participant.proposed_start
    proposing = participant.status == Participant.Status.PROPOSED
    if proposed is None or not proposing or meeting.status != Status.INVITED:
        raise ValidationError(_("There is no open proposal to accept."))
    if proposed <= timezone.now():
        raise ValidationError(_("The proposed time has already passed."))
    meeting.starts_at = proposed
    meeting.become(Status.CONFIRMED)
    meeting.ics_sequence += 1
    meeting.save()
    participant.status = Participant.Status.ACCEPTED
    participant.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    notifications.notify_participants(
        Notification.Kind.MEETING_CONFIRMED, meeting, key_suffix=f"seq{meeting.ics_sequence}"
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: JointMeeting, by: User) -> JointMeeting:
    """Save changed meeting details. A confirmed meeting that moves needs a new answer."""
    if not meeting.is_changeable:
        raise ValidationError(_("Only a meeting that has not been held can be changed."))
    previous = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    moved = previous.starts_at != meeting.starts_at
    seen_by_kela = meeting.is_sent
    calendar_changed = moved or any(
        getattr(previous, f) != getattr(meeting, f)
        for f in ("duration_minutes", "place", "video_link", "modality")
    )
    if moved and seen_by_kela:
        meeting.become(Status.INVITED)
        meeting.participants.filter(
            kind=Participant.Kind.KELA_CONTACT,
            status__in=[Participant.Status.ACCEPTED, Participant.Status.PROPOSED],
        ).update(status=Participant.Status.PENDING, responded_at=None, proposed_start=None)
    if seen_by_kela and calendar_changed:
        meeting.ics_sequence = previous.ics_sequence + 1
    meeting.full_clean()
    meeting.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    if seen_by_kela and calendar_changed:
        notifications.notify_participants(
            Notification.Kind.MEETING_CHANGED,
            meeting,
            exclude=by,
            key_suffix=f"seq{meeting.ics_sequence}",
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: JointMeeting, by: User, reason: str) -> JointMeeting:
    """Cancel a meeting that has not been held, with a reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for cancelling.")})
    was_sent = meeting.is_sent
    meeting.become(Status.CANCELLED)
    meeting.cancel_reason = reason.strip()
    meeting.ics_sequence += 1
    meeting.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    if was_sent:
        notifications.notify_participants(
            Notification.Kind.MEETING_CANCELLED, meeting, exclude=by, key_suffix="cancel"
        )
    return meeting


def withdrawal_ends_kela_access(consent: Consent) -> bool:
    """Whether withdrawing `consent` ends Kela's access to the young person's meetings: yes,
    unless another valid consent still covers inviting Kela."""
    others = Consent.objects.covering(Consent.Scope.KELA_MEETING).filter(youth=consent.youth_id)
    return not others.exclude(pk=consent.pk).exists()


def withdrawal_cancels(consent: Consent):
    """The meetings that withdrawing `consent` cancels: the young person's invited and
    confirmed ones, when it ends Kela's access. Asked before (the confirmation page) and after
    (the withdrawal itself): one rule."""
    if not withdrawal_ends_kela_access(consent):
        return JointMeeting.objects.none()
    return JointMeeting.objects.filter(
        youth_id=consent.youth_id, status__in=[Status.INVITED, Status.CONFIRMED]
    ).order_by("starts_at")


@transaction.atomic
def meetings_cancel_on_withdrawal(*, consent: Consent, by: User) -> list[JointMeeting]:
    """After a consent is withdrawn: cancel what it cancels (cases.services.consent_withdraw);
    the participants are told."""
    reason = _("The young person withdrew consent.")
    pending = withdrawal_cancels(consent).select_for_update()
    return [meeting_cancel(meeting=meeting, by=by, reason=reason) for meeting in pending]


@transaction.atomic
def meeting_mark_held(*, meeting: JointMeeting, by: User) -> JointMeeting:
    """Mark a confirmed meeting held, once its time has come; the participants get their
    feedback links."""
    # Deliberately upward (meetings is below feedback) and deferred: held creates survey links.
    # The one such import in meetings; pyproject.toml's import-linter contract allows it.
    from feedback.services import links_create

    if not meeting.has_started:
        raise ValidationError(_("The meeting has not started yet."))
    meeting.become(Status.HELD)
    meeting.held_at = timezone.now()
    meeting.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    links_create(meeting)
    return meeting


DRAFT_RETENTION = datetime.timedelta(days=180)


def drafts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete meeting drafts that were never sent and not touched for DRAFT_RETENTION: they
    hold a young person's data without any purpose. Sent invitations are never deleted."""
    cutoff = (now or timezone.now()) - DRAFT_RETENTION
    stale = JointMeeting.objects.filter(status=Status.DRAFT, updated_at__lt=cutoff)
    count = 0
    for meeting in stale.iterator():  # one by one, so that each delete is in the change history
        meeting.delete()
        count += 1
    return count
