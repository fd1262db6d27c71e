"""Operations on joint meetings: every status change goes through here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Consent, YouthClient
from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User

from . import notifications
from .models import (
    ActionItem,
    ActionItemChange,
    FollowUpPlan,
    JointMeeting,
    Notification,
    Participant,
    Review,
)

Status = JointMeeting.Status


class StalePlanError(Exception):
    """Someone else saved the plan after this form was opened."""


class StaleActionItemError(Exception):
    """Someone else changed the action item after this form was opened."""


def _transition(meeting: JointMeeting, status: str) -> None:
    if not meeting.can_become(status):
        raise ValidationError(
            _("A meeting that is “%(current)s” cannot become “%(new)s”.")
            % {"current": meeting.get_status_display(), "new": Status(status).label}
        )
    meeting.status = status


@transaction.atomic
def meeting_create(
    *,
    meeting: JointMeeting,
    by: User,
    kela_contact: User | None,
    others: list[dict],
    invite: bool,
) -> JointMeeting:
    """Book a joint meeting with its participants; invite the Kela contact if asked."""
    meeting.organiser = by
    meeting.status = Status.DRAFT
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
    _transition(meeting, Status.INVITED)
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
        _transition(meeting, Status.CONFIRMED)
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
    _transition(meeting, Status.CONFIRMED)
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
        _transition(meeting, Status.INVITED)
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
    _transition(meeting, Status.CANCELLED)
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


@transaction.atomic
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
    _transition(meeting, Status.HELD)
    meeting.held_at = timezone.now()
    meeting.save()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=meeting
    )
    links_create(meeting)
    return meeting


@transaction.atomic
def plan_save(
    *, meeting: JointMeeting, fields: dict, version: int | None, by: User
) -> FollowUpPlan:
    """Record or update the follow-up plan. A save from an outdated form is refused."""
    if not meeting.was_held:
        raise ValidationError(_("The plan is recorded after the meeting has been held."))
    plan = FollowUpPlan.objects.filter(meeting=meeting).first()
    if plan is None:
        plan = FollowUpPlan(meeting=meeting, updated_by=by, **fields)
        plan.full_clean()
        plan.save()
        _transition(meeting, Status.PLAN_RECORDED)
        meeting.save()
        action = AccessLog.Action.CREATE
    else:
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.full_clean()
        # A form without a version is as outdated as one with an old version.
        updated = version is not None and FollowUpPlan.objects.filter(
            pk=plan.pk, version=version
        ).update(**fields, version=F("version") + 1, updated_by=by, updated_at=timezone.now())
        if not updated:
            raise StalePlanError
        plan.refresh_from_db()
        action = AccessLog.Action.CHANGE
    access_log_write(user=by, youth_id=meeting.youth_id, action=action, obj=plan)
    return plan


@transaction.atomic
def action_item_add(
    *,
    plan: FollowUpPlan,
    owner: Participant | None,
    what: str,
    due_date: datetime.date | None,
    by: User,
) -> ActionItem:
    """Add one "who does what and when" line to the plan. A Kela contact adds only items of
    its own: the owner is its own participant row, whatever was posted."""
    meeting = plan.meeting
    if not by.is_aftercare_worker:
        owner = meeting.participants.filter(user=by).first()
        if owner is None or not by.is_kela_contact:
            raise ValidationError(_("Only the meeting's participants add action items."))
    item = ActionItem(plan=plan, owner=owner, what=what.strip(), due_date=due_date)
    item.full_clean()
    item.save()
    access_log_write(user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=plan)
    return item


def _change_write(
    item: ActionItem, field: str, old: str, new: str, by: User, note: str = ""
) -> None:
    change = ActionItemChange(
        item=item, field=field, old_value=old, new_value=new, note=note.strip(), changed_by=by
    )
    change.full_clean()
    change.save()


def _locked(item: ActionItem, version: int | None) -> ActionItem:
    """The item, locked for this transaction, if it is still the version the form was made
    from; a form without a version is as outdated as one with an old version."""
    current = ActionItem.objects.select_for_update().select_related("owner").get(pk=item.pk)
    if version is None or current.version != version:
        raise StaleActionItemError
    return current


@transaction.atomic
def action_item_edit(
    *,
    item: ActionItem,
    what: str,
    owner: Participant | None,
    due_date: datetime.date | None,
    note: str,
    version: int | None,
    by: User,
) -> ActionItem:
    """Change an item's wording, owner or due date; each change is kept in its history, a
    moved due date with the note saying why. A Kela contact keeps the item its own."""
    current = _locked(item, version)
    if not by.is_aftercare_worker or owner is None:
        owner = current.owner
    owner_before = current.owner_id
    before = {
        "what": current.what,
        "owner": current.owner.display_name,
        "due_date": current.due_date.isoformat() if current.due_date else "",
    }
    current.what, current.owner, current.due_date = what.strip(), owner, due_date
    current.full_clean()
    after = {
        "what": current.what,
        "owner": owner.display_name,
        "due_date": due_date.isoformat() if due_date else "",
    }
    changed = [name for name in before if before[name] != after[name]]
    if current.owner_id != owner_before and "owner" not in changed:
        changed.append("owner")  # two participants of the same name
    if not changed:
        return current
    current.version = F("version") + 1
    current.save(update_fields=["what", "owner", "due_date", "version"])
    current.refresh_from_db()
    for name in changed:
        _change_write(
            current,
            name,
            before[name],
            after[name],
            by,
            note if name == ActionItemChange.Field.DUE_DATE else "",
        )
    access_log_write(
        user=by, youth_id=item.plan.meeting.youth_id, action=AccessLog.Action.CHANGE, obj=current
    )
    return current


@transaction.atomic
def action_item_cancel(*, item: ActionItem, reason: str, by: User) -> ActionItem:
    """Cancel an item that is no longer needed, with the reason; it is no longer reminded."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the action item is not needed.")})
    if not item.is_open:
        raise ValidationError(_("Only an open action item can be cancelled."))
    old = item.status
    item.status = ActionItem.Status.CANCELLED
    item.cancel_reason = reason
    item.done_at = None
    item.full_clean()
    item.save(update_fields=["status", "cancel_reason", "done_at"])
    _change_write(item, ActionItemChange.Field.STATUS, old, item.status, by, reason)
    access_log_write(
        user=by, youth_id=item.plan.meeting.youth_id, action=AccessLog.Action.CHANGE, obj=item
    )
    return item


@transaction.atomic
def action_item_note(*, item: ActionItem, note: str, by: User) -> ActionItemChange:
    """Record how an item is progressing."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    change = ActionItemChange(
        item=item, field=ActionItemChange.Field.NOTE, note=note, changed_by=by
    )
    change.full_clean()
    change.save()
    access_log_write(
        user=by, youth_id=item.plan.meeting.youth_id, action=AccessLog.Action.CHANGE, obj=item
    )
    return change


@transaction.atomic
def action_item_set_done(*, item: ActionItem, done: bool, by: User) -> ActionItem:
    """Tick an action item done, or open it again (also a cancelled one)."""
    old = item.status
    item.status = ActionItem.Status.DONE if done else ActionItem.Status.OPEN
    item.done_at = timezone.now() if done else None
    item.cancel_reason = ""
    item.save(update_fields=["status", "done_at", "cancel_reason"])
    if old != item.status:
        _change_write(item, ActionItemChange.Field.STATUS, old, item.status, by)
    access_log_write(
        user=by, youth_id=item.plan.meeting.youth_id, action=AccessLog.Action.CHANGE, obj=item
    )
    return item


@transaction.atomic
def review_record(
    *,
    plan: FollowUpPlan,
    review: Review,
    done_items: list[ActionItem],
    by: User,
    agreed_for: datetime.date | None,
) -> Review:
    """Record one review round: how things went, tick items done, and either set the next
    round (in follow-up) or end the cooperation. `agreed_for` is the review date the form was
    opened for: if the plan has moved on since (a review of that round was just recorded, or
    the date was changed), the review is refused rather than filed under another round."""
    plan = FollowUpPlan.objects.select_for_update().select_related("meeting").get(pk=plan.pk)
    meeting = plan.meeting
    if not meeting.awaits_review:
        raise ValidationError(_("A review follows a recorded plan, until the cooperation ends."))
    if agreed_for != plan.review_date:
        raise ValidationError({"held_on": _("A review of this round has already been recorded.")})
    review.plan = plan
    review.recorded_by = by
    # The round is the date agreed for it; a review without an agreed date is its own round.
    review.agreed_for = plan.review_date or review.held_on
    if review.close_cooperation:
        review.next_review_date = None
        review.kela_continues = False
    if review.next_review_date and review.next_review_date <= review.held_on:
        raise ValidationError({"next_review_date": _("The next review must be after this review.")})
    if plan.reviews.filter(agreed_for=review.agreed_for).exists():
        raise ValidationError({"held_on": _("A review of this round has already been recorded.")})
    review.full_clean()
    review.save()
    for item in done_items:
        if item.status != ActionItem.Status.DONE:
            action_item_set_done(item=item, done=True, by=by)
    Cooperation = FollowUpPlan.KelaCooperation
    plan.review_date = review.next_review_date
    plan.kela_cooperation = Cooperation.YES if review.kela_continues else Cooperation.NO
    plan.version = F("version") + 1
    plan.updated_by = by
    plan.save(
        update_fields=["review_date", "kela_cooperation", "version", "updated_by", "updated_at"]
    )
    _transition(
        meeting, Status.COOPERATION_ENDED if review.close_cooperation else Status.IN_FOLLOW_UP
    )
    meeting.save()
    access_log_write(user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CREATE, obj=review)
    return review


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
