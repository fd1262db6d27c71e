"""What the young person does on their own page (issue 19): mark their own task done, say "I need
help with this", ask to withdraw a consent. Each tells the responsible worker (a notification),
is kept where the worker sees it, and is in the access log with the basis "own data".

The young person has no user account: `youth_ids` are the records of the signed-in young person
(cases.own), and every object is looked up within them — another young person's is not found.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Consent
from kelayhteistyo.access import access_log_own
from kelayhteistyo.models import AccessLog

from ..models import ActionItem, ActionItemChange, JointMeeting, Participant
from ..notifications import notify


def own_items(youth_ids: list) -> QuerySet[ActionItem]:
    """The young person's own tasks (they are the owner) in their plans that are followed up."""
    return ActionItem.objects.filter(
        plan__meeting__youth_id__in=youth_ids,
        plan__meeting__status__in=JointMeeting.AWAITING_REVIEW,
        owner__kind=Participant.Kind.YOUNG_PERSON,
    )


@transaction.atomic
def own_item_done(*, item: ActionItem) -> ActionItem:
    """The young person marks their own open task done; the responsible worker is told."""
    item = (
        ActionItem.objects.select_for_update()
        .select_related("plan__meeting__youth")
        .get(pk=item.pk)
    )
    if item.status != ActionItem.Status.OPEN:
        raise ValidationError(_("This task is no longer open."))
    old = item.status
    item.status = ActionItem.Status.DONE
    item.done_at = timezone.now()
    item.save(update_fields=["status", "done_at"])
    ActionItemChange.objects.create(
        item=item, field=ActionItemChange.Field.STATUS, old_value=old, new_value=item.status
    )
    meeting = item.plan.meeting
    notify(
        "own_item_done",
        recipient=meeting.youth.responsible_worker,
        meeting=meeting,
        key_suffix=f"item{item.pk}",
        action_item=item,
    )
    access_log_own(
        youth_ids=[meeting.youth_id],
        what="actionitem",
        object_id=item.pk,
        action=AccessLog.Action.CHANGE,
    )
    return item


@transaction.atomic
def own_item_help(*, item: ActionItem) -> bool:
    """ "I need help with this": a note in the task's history and a message to the responsible
    worker — once a day per task (pressing again the same day changes nothing). False if it
    had already been asked today."""
    meeting = item.plan.meeting
    today = timezone.localdate()
    asked_today = item.changes.filter(
        field=ActionItemChange.Field.NOTE, changed_by__isnull=True, changed_at__date=today
    )
    if asked_today.exists():
        return False
    notify(
        "own_help",
        recipient=meeting.youth.responsible_worker,
        meeting=meeting,
        key_suffix=f"item{item.pk}:{today:%Y%m%d}",
        action_item=item,
    )
    ActionItemChange.objects.create(
        item=item, field=ActionItemChange.Field.NOTE, note=str(_("I need help with this."))
    )
    access_log_own(
        youth_ids=[meeting.youth_id],
        what="actionitem",
        object_id=item.pk,
        action=AccessLog.Action.CHANGE,
    )
    return True


@transaction.atomic
def own_withdrawal_request(*, consent: Consent) -> bool:
    """The young person asks to withdraw a consent: the request is kept on the consent and the
    responsible worker is told; the worker goes through it with them and records the
    withdrawal. False if it had been asked already or the consent is no longer valid."""
    updated = Consent.objects.filter(
        pk=consent.pk, withdrawn_at__isnull=True, withdrawal_requested_at__isnull=True
    ).update(withdrawal_requested_at=timezone.now())
    if not updated:
        return False
    consent.refresh_from_db()
    notify(
        "own_withdrawal",
        recipient=consent.youth.responsible_worker,
        key_suffix=f"consent{consent.pk}",
        consent=consent,
    )
    access_log_own(
        youth_ids=[consent.youth_id],
        what="consent",
        object_id=consent.pk,
        action=AccessLog.Action.CHANGE,
    )
    return True
