"""Operations on a joint meeting: booking, invitations and answers, changes, cancelling (also
when a consent is withdrawn), marking it held, and purging old drafts."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Consent, CooperationRequest, YouthClient
from cases.services import cooperation_request_booked
from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User
from kelayhteistyo.services import kela_contact_route

from .. import notifications
from ..models import (
    FollowUpPlan,
    JointMeeting,
    KelaSlot,
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
    joins: dict | None = None,
    cooperation_request: CooperationRequest | None = None,
) -> JointMeeting:
    """Book a joint meeting with its participants; invite the Kela contact if asked. A meeting
    booked to review a plan (`reviews_plan`) continues that plan: its review is recorded on it.
    `joins` says how each participant joins (see participants_set_joining; default: as the
    meeting's modality says)."""
    meeting.organiser = by
    meeting.status = Status.DRAFT
    if reviews_plan is not None:
        if reviews_plan.meeting.youth_id != meeting.youth_id:
            raise ValidationError(_("A review meeting is for the young person of the plan."))
        if not reviews_plan.meeting.awaits_review:
            raise ValidationError(_("The cooperation has ended: no more reviews are recorded."))
        meeting.reviews_plan = reviews_plan
    if cooperation_request is not None:
        if not cooperation_request.is_taken_by(by) or cooperation_request.youth_id != (
            meeting.youth_id
        ):
            raise ValidationError(_("This cooperation request is not yours to answer."))
        meeting.cooperation_request = cooperation_request
    meeting.full_clean()
    meeting.save()
    joins = _participants_create(meeting=meeting, by=by, others=others, joins=joins)
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CREATE, obj=meeting
    )
    if kela_contact and not invite:
        Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.KELA_CONTACT,
            user=kela_contact,
            status=Participant.Status.PENDING,
        )
    participants_set_joining(meeting=meeting, joins=joins)
    if invite and kela_contact:
        meeting_invite(
            meeting=meeting, kela_contact=kela_contact, by=by, joins_by=_way(joins, "kela_contact")
        )
    return meeting


def _way(joins: dict | None, kind: str) -> str:
    return (joins or {}).get(kind, "")


def _participants_create(
    *, meeting: JointMeeting, by: User, others: list[dict], joins: dict | None
) -> dict:
    """The young person, the worker and the other network members of a new meeting. A network
    member joins in their own way (`joins_by` in their row) or as `joins` says for others.
    Returns the ways left to set for the rest (participants_set_joining)."""
    joins = dict(joins or {})
    others_way = joins.pop(Participant.Kind.OTHER, "")
    Participant.objects.create(
        meeting=meeting, kind=Participant.Kind.YOUNG_PERSON, name=meeting.youth.first_name
    )
    Participant.objects.create(meeting=meeting, kind=Participant.Kind.AFTERCARE_WORKER, user=by)
    for other in others:
        Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.OTHER,
            **{**other, "joins_by": other.get("joins_by") or others_way},
        )
    return joins


def participants_set_joining(*, meeting: JointMeeting, joins: dict) -> bool:
    """Set how each participant joins — `joins` maps a participant's pk, or else its kind, to
    face to face / video / phone; a participant named in neither keeps their way — and keep
    the meeting's modality in step (one way for all, or mixed). Returns whether anything
    changed. The caller is in a transaction."""
    changed = False
    for participant in meeting.participants.all():
        way = joins.get(participant.pk) or joins.get(participant.kind)
        if way and way != participant.joins_by:
            participant.joins_by = way
            participant.save(update_fields=["joins_by"])
            changed = True
    return _modality_sync(meeting) or changed


def _modality_sync(meeting: JointMeeting) -> bool:
    """The meeting's modality from its participants as they are in the database now."""
    modality = meeting.joining_modality(Participant.objects.filter(meeting=meeting))
    if modality == meeting.modality:
        return False
    meeting.modality = modality
    if meeting.pk:
        JointMeeting.objects.filter(pk=meeting.pk).update(modality=modality)
    return True


def valid_kela_consent(youth: YouthClient) -> Consent | None:
    return youth.consents.covering(Consent.Scope.KELA_MEETING).order_by("-given_at").first()


@transaction.atomic
def meeting_invite(
    *, meeting: JointMeeting, kela_contact: User, by: User, joins_by: str = ""
) -> Participant:
    """Invite a Kela contact. Impossible without a valid consent that covers it. A contact
    invited in place of another joins as the one before (unless `joins_by` says otherwise)."""
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
    before = meeting.participants.filter(kind=Participant.Kind.KELA_CONTACT).last()
    joins_by = joins_by or (before.joins_by if before else "")
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
            **({"joins_by": joins_by} if joins_by else {}),
        },
    )
    _modality_sync(meeting)
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.DISCLOSE, obj=meeting
    )
    request_answer(meeting=meeting, by=by)
    notifications.notify(
        Notification.Kind.INVITATION,
        recipient=kela_contact,
        meeting=meeting,
        key_suffix=f"{now:%Y%m%d%H%M%S%f}",
    )
    # The network members hear of the meeting once it is sent (once per address: a contact
    # invited in place of one who declined changes nothing for them).
    notifications.notify_network(Notification.Kind.NETWORK_INVITATION, meeting)
    return participant


def request_answer(*, meeting: JointMeeting, by: User) -> bool:
    """A meeting sent to Kela (invited, or a free time booked) answers Kela's cooperation
    request: the one it was booked from, or else the oldest open request about the young
    person that this worker took (booked from the record, not from the request's page). The
    request becomes *booked* and Kela is told. The caller is in a transaction."""
    if meeting.cooperation_request_id is None:
        request = (
            CooperationRequest.objects.waiting()
            .filter(
                youth_id=meeting.youth_id,
                status=CooperationRequest.Status.TAKEN,
                taken_by=by,
            )
            .order_by("sent_at")
            .first()
        )
        if request is None:
            return False
        meeting.cooperation_request = request
        meeting.save(update_fields=["cooperation_request"])
    return cooperation_request_booked(request_id=meeting.cooperation_request_id, by=by)


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
def meeting_update(*, meeting: JointMeeting, by: User, joins: dict | None = None) -> JointMeeting:
    """Save changed meeting details (and how each participant joins, see
    participants_set_joining). A confirmed meeting that moves needs a new answer."""
    if not meeting.is_changeable:
        raise ValidationError(_("Only a meeting that has not been held can be changed."))
    previous = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    moved = previous.starts_at != meeting.starts_at
    seen_by_kela = meeting.is_sent
    joining_changed = participants_set_joining(meeting=meeting, joins=joins or {})
    calendar_changed = (
        moved
        or joining_changed
        or any(
            getattr(previous, f) != getattr(meeting, f)
            for f in ("duration_minutes", "place", "video_link", "modality")
        )
    )
    if moved:
        # Booked from a Kela contact's free time: that time is free again (issue 18).
        KelaSlot.objects.filter(meeting=meeting).update(meeting=None, booked_at=None)
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
    # Booked from a Kela contact's free time: that time is free again (issue 18).
    KelaSlot.objects.filter(meeting=meeting).update(meeting=None, booked_at=None)
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
def meeting_mark_held(
    *, meeting: JointMeeting, by: User, kela_took_part: bool = False
) -> JointMeeting:
    """Mark a confirmed meeting held, once its time has come; the participants get their
    feedback links. A meeting Kela did not accept in the app is held only when the worker
    confirms that Kela took part: recorded on Kela's participant row, and Kela is told."""
    kela = meeting.kela_participant
    if kela_took_part and (kela is None or not kela.is_taking_part):
        raise ValidationError(
            {
                "kela_took_part": _(
                    "The meeting has no Kela contact person taking part, so nobody can be "
                    "recorded as having taken part. Untick this, or invite Kela first."
                )
            }
        )
    if meeting.status == Status.INVITED and not kela_took_part:
        raise ValidationError(
            {
                "kela_took_part": _(
                    "Kela has not accepted the invitation in the app. Tick “Kela took part” if "
                    "the Kela contact person took part all the same."
                )
            }
        )
    if not meeting.has_started:
        raise ValidationError(_("The meeting has not started yet."))
    meeting.become(Status.HELD)
    meeting.held_at = timezone.now()
    meeting.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    if kela_took_part and kela is not None and kela.status != Participant.Status.ACCEPTED:
        _taking_part_record(meeting=meeting, participant=kela)
    _feedback_links(meeting)
    return meeting


def _feedback_links(meeting: JointMeeting) -> None:
    # Deliberately upward (meetings is below feedback) and deferred: held creates survey links.
    # The one such import in meetings; pyproject.toml's import-linter contract allows it.
    from feedback.services import links_create

    links_create(meeting)


def _taking_part_record(*, meeting: JointMeeting, participant: Participant) -> None:
    """The worker records that a Kela contact took part; they are told and may correct it."""
    participant.attendance = Participant.Attendance.RECORDED_BY_WORKER
    participant.save(update_fields=["attendance"])
    notifications.notify(
        Notification.Kind.TAKING_PART_RECORDED,
        recipient=participant.user,
        meeting=meeting,
        key_suffix=f"p{participant.pk}",
    )


@transaction.atomic
def meeting_record_afterwards(
    *,
    meeting: JointMeeting,
    by: User,
    kela_contact: User | None,
    others: list[dict],
    joins: dict | None = None,
) -> JointMeeting:
    """Record a meeting that was held before it was booked (arranged by phone, say): a past
    time, held at once, resting on a consent that was valid on that day. A Kela contact named
    is recorded as having taken part, is told, and may say they did not."""
    if not meeting.has_started:
        raise ValidationError({"day": _("A meeting recorded afterwards must be in the past.")})
    consent = (
        meeting.youth.consents.covering(Consent.Scope.KELA_MEETING, on=meeting.day)
        .order_by("-given_at")
        .first()
    )
    if consent is None:
        raise ValidationError(
            {
                "day": _(
                    "On %(day)s the young person had no valid consent to a joint meeting with "
                    "Kela. A meeting can be recorded afterwards only for a day that a consent "
                    "covered."
                )
                % {"day": date_format(meeting.day, "SHORT_DATE_FORMAT")}
            }
        )
    if kela_contact is not None and not (
        kela_contact.is_kela_contact and hasattr(kela_contact, "kela_profile")
    ):
        raise ValidationError({"kela_contact": _("Choose a Kela contact person.")})
    meeting.organiser = by
    meeting.status = Status.HELD  # a new meeting, held from the start: no transition
    meeting.recorded_afterwards = True
    meeting.consent = consent
    meeting.held_at = meeting.starts_at
    meeting.full_clean()
    meeting.save()
    joins = _participants_create(meeting=meeting, by=by, others=others, joins=joins)
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CREATE, obj=meeting
    )
    if kela_contact is not None:
        kela = Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.KELA_CONTACT,
            user=kela_contact,
            status=Participant.Status.PENDING,  # no invitation was answered in the app
        )
        access_log_write(
            user=by, youth_id=meeting.youth_id, action=AccessLog.Action.DISCLOSE, obj=meeting
        )
        _taking_part_record(meeting=meeting, participant=kela)
    participants_set_joining(meeting=meeting, joins=joins)
    _feedback_links(meeting)
    return meeting


@transaction.atomic
def taking_part_deny(*, participant: Participant, by: User, message: str = "") -> Participant:
    """A Kela contact recorded by the worker as having taken part says they did not: it is
    recorded, their part in the meeting ends (as after declining: no access, no messages) and
    the organiser is told."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.user_id != by.pk:
        raise ValidationError(_("This participation is not yours."))
    if not participant.can_deny_taking_part:
        raise ValidationError(
            _("Only a taking part that the aftercare worker recorded for you can be corrected.")
        )
    meeting = participant.meeting
    participant.attendance = Participant.Attendance.NOT_PRESENT
    participant.status = Participant.Status.DECLINED
    participant.response_message = message.strip()
    participant.responded_at = timezone.now()
    participant.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    _modality_sync(meeting)
    notifications.notify(
        Notification.Kind.TAKING_PART_DENIED,
        recipient=meeting.organiser,
        meeting=meeting,
        key_suffix=f"p{participant.pk}",
    )
    return participant


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
