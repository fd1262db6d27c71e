"""Operations on the follow-up plan: recording it, its action items (who does what and when)
and its reviews."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User

from ..models import (
    ActionItem,
    ActionItemChange,
    FollowUpPlan,
    JointMeeting,
    Participant,
    Review,
)
from .item_link import item_owner_inform

Status = JointMeeting.Status


class StalePlanError(Exception):
    """Someone else saved the plan after this form was opened."""


class StaleActionItemError(Exception):
    """Someone else changed the action item after this form was opened."""


@transaction.atomic
def plan_save(
    *, meeting: JointMeeting, fields: dict, version: int | None, by: User
) -> FollowUpPlan:
    """Record or update the follow-up plan. A save from an outdated form is refused."""
    if not meeting.was_held:
        raise ValidationError(_("The plan is recorded after the meeting has been held."))
    if meeting.is_review_meeting:
        # The plan continues in it: one plan, no second one to keep in step.
        raise ValidationError(
            _("This meeting reviews an earlier follow-up plan: record the review on that plan.")
        )
    plan = FollowUpPlan.objects.filter(meeting=meeting).first()
    if plan is None:
        plan = FollowUpPlan(meeting=meeting, updated_by=by, **fields)
        plan.full_clean()
        plan.save()
        meeting.become(Status.PLAN_RECORDED)
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
    outside_service: str = "",
    outside_service_email: str = "",
) -> ActionItem:
    """Add one "who does what and when" line to the plan. A Kela contact adds only items of
    its own: the owner is its own participant row, whatever was posted. An item of a named
    outside service is followed up by an aftercare worker of the meeting (`owner`)."""
    meeting = plan.meeting
    outside_service = outside_service.strip()
    if not by.is_aftercare_worker:
        owner = meeting.participants.filter(user=by).first()
        outside_service = ""
        if owner is None or not by.is_kela_contact:
            raise ValidationError(_("Only the meeting's participants add action items."))
    elif outside_service and owner is None:
        owner = follow_up_worker(meeting, by)
    item = ActionItem(
        plan=plan,
        owner=owner,
        outside_service=outside_service,
        outside_service_email=outside_service_email.strip() if by.is_aftercare_worker else "",
        what=what.strip(),
        due_date=due_date,
    )
    item.full_clean()
    item.save()
    access_log_write(user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CHANGE, obj=plan)
    item_owner_inform(item=item)
    return item


def follow_up_worker(meeting: JointMeeting, by: User) -> Participant | None:
    """The aftercare worker who follows up an outside service's item: the worker acting, if
    they take part in the meeting, else the meeting's (first) aftercare worker."""
    workers = [p for p in meeting.participants.all() if p.kind == Participant.Kind.AFTERCARE_WORKER]
    return next((p for p in workers if p.user_id == by.pk), workers[0] if workers else None)


def _change_write(
    item: ActionItem,
    field: str,
    old: str,
    new: str,
    by: User,
    note: str = "",
    review: Review | None = None,
) -> None:
    change = ActionItemChange(
        item=item,
        field=field,
        old_value=old,
        new_value=new,
        note=note.strip(),
        changed_by=by,
        review=review,
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
    outside_service: str | None = None,
    outside_service_email: str | None = None,
) -> ActionItem:
    """Change an item's wording, owner (a participant, or a named outside service that a
    worker follows up) or due date; each change is kept in its history, a moved due date with
    the note saying why. A Kela contact keeps the item its own. `outside_service` None keeps
    it as it is."""
    current = _locked(item, version)
    service = current.outside_service if outside_service is None else outside_service.strip()
    if not by.is_aftercare_worker:
        owner, service = current.owner, current.outside_service
    elif owner is None:
        owner = (follow_up_worker(current.plan.meeting, by) if service else None) or current.owner
    owner_before = current.owner_id
    before = {
        "what": current.what,
        "owner": current.owner_label,
        "due_date": current.due_date.isoformat() if current.due_date else "",
    }
    email_before = current.outside_service_email
    current.what, current.owner, current.due_date = what.strip(), owner, due_date
    current.outside_service = service
    if not service:
        current.outside_service_email = ""
    elif outside_service_email is not None and by.is_aftercare_worker:
        current.outside_service_email = outside_service_email.strip()
    email_changed = current.outside_service_email != email_before
    current.full_clean()
    after = {
        "what": current.what,
        "owner": current.owner_label,
        "due_date": due_date.isoformat() if due_date else "",
    }
    changed = [name for name in before if before[name] != after[name]]
    if current.owner_id != owner_before and "owner" not in changed:
        changed.append("owner")  # two participants of the same name
    if not changed and not email_changed:
        return current
    current.version = F("version") + 1
    current.save(
        update_fields=[
            "what",
            "owner",
            "outside_service",
            "outside_service_email",
            "due_date",
            "version",
        ]
    )
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
    # A new owner, wording or date: the outside owner hears of it (a link of an earlier owner
    # ends here).
    item_owner_inform(item=current)
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
def action_item_set_done(
    *, item: ActionItem, done: bool, by: User, review: Review | None = None
) -> ActionItem:
    """Tick an action item done, or open it again (also a cancelled one); `review` is the
    round in which it was ticked, if it was ticked in the review form."""
    old = item.status
    item.status = ActionItem.Status.DONE if done else ActionItem.Status.OPEN
    item.done_at = timezone.now() if done else None
    item.cancel_reason = ""
    item.save(update_fields=["status", "done_at", "cancel_reason"])
    if old != item.status:
        _change_write(item, ActionItemChange.Field.STATUS, old, item.status, by, review=review)
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
    held_in: JointMeeting | None = None,
) -> Review:
    """Record one review round: how things went, tick items done, and either set the next
    round (in follow-up) or end the cooperation. `agreed_for` is the review date the form was
    opened for: if the plan has moved on since (a review of that round was just recorded, or
    the date was changed), the review is refused rather than filed under another round.
    `held_in` is the joint meeting booked to review this plan, when the round was one."""
    plan = FollowUpPlan.objects.select_for_update().select_related("meeting").get(pk=plan.pk)
    meeting = plan.meeting
    if not meeting.awaits_review:
        raise ValidationError(_("A review follows a recorded plan, until the cooperation ends."))
    if held_in is not None:
        if held_in.reviews_plan_id != plan.pk or not held_in.was_held:
            raise ValidationError(_("The review is recorded once its meeting has been held."))
        if Review.objects.filter(meeting=held_in).exists():
            raise ValidationError(
                {"held_on": _("The review of this meeting has already been recorded.")}
            )
        review.meeting = held_in
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
            action_item_set_done(item=item, done=True, by=by, review=review)
    Cooperation = FollowUpPlan.KelaCooperation
    plan.review_date = review.next_review_date
    plan.kela_cooperation = Cooperation.YES if review.kela_continues else Cooperation.NO
    plan.version = F("version") + 1
    plan.updated_by = by
    plan.save(
        update_fields=["review_date", "kela_cooperation", "version", "updated_by", "updated_at"]
    )
    meeting.become(Status.COOPERATION_ENDED if review.close_cooperation else Status.IN_FOLLOW_UP)
    meeting.save()
    access_log_write(user=by, youth_id=meeting.youth_id, action=AccessLog.Action.CREATE, obj=review)
    return review
