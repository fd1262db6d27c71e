"""Outside owners of action items (a network member or a named outside service with an e-mail
address, no account): their signed link, sent when the item is made or changed and with its
reminders, and what they do through it — mark the item done, or say why not and propose a new
date. The worker who follows the item is told."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kelayhteistyo.access import access_log_by_link, access_log_write
from kelayhteistyo.models import AccessLog, User

from .. import notifications
from ..models import ActionItem, ActionItemChange, ItemLink, Notification
from ..models.item_link import (
    follow_up_user,
    item_closed_for_owner,
    item_link_get,
    owner_address,
    owner_language,
)

Kind = Notification.Kind


@transaction.atomic
def item_links_stop(*, item: ActionItem, by: User) -> int:
    """A worker stops the links sent so far (an e-mail went astray, say): every token made
    from them ends. A later change or reminder of the item sends a new link, while the owner
    has an address; removing the address stops that too."""
    stopped = item_links_revoke(item=item)
    access_log_write(
        user=by, youth_id=item.plan.meeting.youth_id, action=AccessLog.Action.CHANGE, obj=item
    )
    return stopped


def item_links_revoke(*, item: ActionItem, keep_email: str = "") -> int:
    """End the links of the item (but the one to `keep_email`, if the owner still has it)."""
    stale = ItemLink.objects.active().filter(item=item)
    if keep_email:
        stale = stale.exclude(email=keep_email)
    return stale.update(revoked_at=timezone.now())


@transaction.atomic
def item_owner_inform(*, item: ActionItem) -> Notification | None:
    """After an item is made, reassigned or its wording or due date changed: links of earlier
    owners end, and the outside owner (if any, with an address, under consent) gets an e-mail
    with the link. One message per version of the item."""
    address = owner_address(item)
    item_links_revoke(item=item, keep_email=address[0] if address else "")
    if address is None or item_closed_for_owner(item):
        return None
    link = item_link_get(item)
    if link is None:
        return None
    return notifications.notify_email(
        Kind.OWNER_ITEM_LINK,
        email=link.email,
        language=owner_language(item),
        meeting=item.plan.meeting,
        key=f"owner_item_link:{link.pk}:{item.version}",
        action_item=item,
    )


def link_use_log(*, link: ItemLink, action: str) -> None:
    """Every use of a link is in the young person's access log, naming the owner."""
    access_log_by_link(
        actor=_link_actor(link),
        youth_id=link.item.plan.meeting.youth_id,
        action=action,
        obj=link.item,
    )
    ItemLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


def _link_actor(link: ItemLink) -> str:
    return f"{link.name} <{link.email}>"


def _usable(link: ItemLink) -> ActionItem:
    """The item, locked, if the link still works for it; else a ValidationError saying why."""
    item = ActionItem.objects.select_for_update().get(pk=link.item_id)
    link.item = item
    refusal = link.refusal()
    if refusal:
        raise ValidationError(refusal, code=refusal)
    return item


def _tell_worker(link: ItemLink, item: ActionItem, change: ActionItemChange) -> None:
    notifications.notify(
        Kind.OWNER_ITEM_UPDATED,
        recipient=follow_up_user(item),
        meeting=item.plan.meeting,
        key_suffix=str(change.pk),
        action_item=item,
    )


@transaction.atomic
def item_owner_mark_done(*, link: ItemLink) -> ActionItem:
    """The outside owner marks their item done, by link."""
    item = _usable(link)
    item.status = ActionItem.Status.DONE
    item.done_at = timezone.now()
    item.save(update_fields=["status", "done_at"])
    change = ActionItemChange.objects.create(
        item=item,
        field=ActionItemChange.Field.STATUS,
        old_value=ActionItem.Status.OPEN,
        new_value=ActionItem.Status.DONE,
        by_link=link,
    )
    link_use_log(link=link, action=AccessLog.Action.CHANGE)
    _tell_worker(link, item, change)
    return item


@transaction.atomic
def item_owner_propose(
    *, link: ItemLink, reason: str, new_date: datetime.date | None
) -> ActionItemChange:
    """The outside owner says why the item is not done, and may propose a new date: a note in
    the item's history with the date (the worker decides whether to move the due date)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is not done yet.")})
    item = _usable(link)
    if new_date is not None and new_date < timezone.localdate():
        raise ValidationError({"new_date": _("The new date cannot be in the past.")})
    change = ActionItemChange(
        item=item,
        field=ActionItemChange.Field.NOTE,
        note=reason,
        new_value=new_date.isoformat() if new_date else "",
        by_link=link,
    )
    change.full_clean()
    change.save()
    link_use_log(link=link, action=AccessLog.Action.CHANGE)
    _tell_worker(link, item, change)
    return change
