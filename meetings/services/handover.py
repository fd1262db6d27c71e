"""Hand-over: a young person's responsible worker changes, or a worker leaves (is deactivated).

What the old worker had about the young person moves to the new one, so that nothing is lost
and the old worker hears no more of a young person who is no longer theirs:
- the open meetings they organise (not cancelled, cooperation not ended) get the new organiser,
  who then receives Kela's answers and the reminders;
- in meetings still to come, the new worker takes the old one's place among the participants;
  in meetings already held, the old worker stays (they took part) and the new worker is added
  as the one who took over, owning the old worker's open action items (each move in the item's
  history);
- messages to the old worker about the young person not yet sent go to the new one (a feedback
  request stays: it asks about the old worker's own meeting);
- the others taking part with an account (Kela) and the young person (when their consent
  covers messages) are told who their contact person now is; the new worker is told what they
  took over.

The delivery checks again before sending (notifications.kinds: a worker who handed the young
person over gets nothing more about them unless they still take part in the meeting).
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import WorkerHandover, YouthClient
from cases.services import handover_record
from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User

from .. import notifications
from ..models import ActionItem, ActionItemChange, JointMeeting, Notification, Participant
from ..notifications.render import language_of

Status = JointMeeting.Status
# Meetings whose organiser still has something to do or to hear: all but cancelled and ended.
OPEN = (
    Status.DRAFT,
    Status.INVITED,
    Status.CONFIRMED,
    Status.HELD,
    Status.PLAN_RECORDED,
    Status.IN_FOLLOW_UP,
)
UPCOMING = (Status.DRAFT, Status.INVITED, Status.CONFIRMED)


class HandOver(NamedTuple):
    handover: WorkerHandover
    meetings: list[JointMeeting]  # the meetings whose organiser or worker changed
    told: int  # messages to the others taking part ("your contact person is now …")


def meetings_to_move(youth: YouthClient, worker: User):
    """The young person's open meetings in which `worker` organises or takes part as the
    aftercare worker: what a hand-over from them moves (also shown before it is done)."""
    takes_part = Participant.objects.filter(
        kind=Participant.Kind.AFTERCARE_WORKER, user=worker
    ).values("meeting")
    return (
        JointMeeting.objects.filter(youth=youth, status__in=OPEN)
        .filter(Q(organiser=worker) | Q(pk__in=takes_part))
        .order_by("starts_at")
    )


@transaction.atomic
def youth_hand_over(*, youth: YouthClient, to_worker: User | None, by: User) -> HandOver:
    """Make `to_worker` the young person's responsible worker: open meetings, action items and
    waiting messages move from the old worker to them, and the others are told (see above).
    A worker of another organisation is refused (cases.services.handover_check)."""
    handover = handover_record(youth=youth, to_worker=to_worker, by=by)
    old, new = handover.from_worker, handover.to_worker
    moved = _move(youth=youth, old=old, new=new, by=by, stamp=f"h{handover.pk}")
    told = sum(_tell(meeting, old=old, new=new, stamp=f"h{handover.pk}") for meeting in moved)
    _tell_youth(youth, moved, stamp=f"h{handover.pk}")
    if new.pk != by.pk:
        notifications.notify(
            Notification.Kind.YOUTH_HANDED_OVER,
            recipient=new,
            youth=youth,
            key_suffix=f"{youth.pk}:h{handover.pk}",
        )
    return HandOver(handover, moved, told)


@transaction.atomic
def worker_deactivate(*, worker: User, successor: User | None, by: User) -> list[HandOver]:
    """A worker leaves: each young person they are responsible for is handed over to
    `successor` (of the same organisation), their open meetings of other young people go to
    those young people's responsible workers, and the account is deactivated."""
    if successor is not None and successor.pk == worker.pk:
        raise ValidationError({"successor": _("Choose another worker.")})
    if successor is None and worker_has_work(worker):
        raise ValidationError(
            {"successor": _("Choose who takes over this worker's young people and meetings.")}
        )
    youth = YouthClient.objects.filter(responsible_worker=worker).order_by("pk")
    handed = [youth_hand_over(youth=y, to_worker=successor, by=by) for y in youth]
    stamp = f"d{worker.pk}:{timezone.now():%Y%m%d%H%M%S}"
    # Meetings of other young people: to their own responsible worker, else the successor.
    others = YouthClient.objects.filter(
        pk__in=meetings_to_move_of(worker).values("youth")
    ).select_related("responsible_worker")
    for other in others:
        new: User | None = other.responsible_worker
        if new is None or new.pk == worker.pk or not new.is_active:
            new = successor
        if new is None or new.organisation_id != other.organisation_id:
            continue
        moved = _move(youth=other, old=worker, new=new, by=by, stamp=stamp)
        for meeting in moved:
            _tell(meeting, old=worker, new=new, stamp=stamp)
    User.objects.filter(pk=worker.pk).update(is_active=False)
    worker.is_active = False
    return handed


def worker_has_work(worker: User) -> bool:
    """Whether deactivating the worker needs a successor: young people of their own, or open
    meetings of young people whose responsible worker cannot take them (inactive too)."""
    orphaned = Q(youth__responsible_worker=worker) | Q(youth__responsible_worker__is_active=False)
    return (
        YouthClient.objects.filter(responsible_worker=worker).exists()
        or meetings_to_move_of(worker).filter(orphaned).exists()
    )


def meetings_to_move_of(worker: User):
    """Every open meeting the worker organises or takes part in as the aftercare worker."""
    takes_part = Participant.objects.filter(
        kind=Participant.Kind.AFTERCARE_WORKER, user=worker
    ).values("meeting")
    return JointMeeting.objects.filter(status__in=OPEN).filter(
        Q(organiser=worker) | Q(pk__in=takes_part)
    )


def _move(*, youth: YouthClient, old: User, new: User, by: User, stamp: str) -> list[JointMeeting]:
    """Move the young person's open meetings, items and waiting messages from `old` to
    `new`; returns the meetings changed."""
    moved = []
    for meeting in meetings_to_move(youth, old).select_for_update():
        if meeting.organiser_id == old.pk:
            meeting.organiser = new
        if meeting.status in UPCOMING:
            _take_place(meeting, old=old, new=new)
            if meeting.is_sent:  # the calendar entries name the organiser
                meeting.ics_sequence += 1
        else:
            _take_over_items(meeting, old=old, new=new, by=by)
        meeting.save(update_fields=["organiser", "ics_sequence", "updated_at"])
        access_log_write(user=by, youth_id=youth.pk, action=AccessLog.Action.CHANGE, obj=meeting)
        moved.append(meeting)
    _messages_move(youth=youth, old=old, new=new)
    return moved


def _take_place(meeting: JointMeeting, *, old: User, new: User) -> None:
    """In a meeting still to come, the new worker takes part instead of the old one."""
    row = meeting.participants.filter(kind=Participant.Kind.AFTERCARE_WORKER, user=old).first()
    if row is None:
        return
    if meeting.participants.filter(user=new).exists() or row.action_items.exists():
        if not row.action_items.exists():
            row.delete()
        return
    row.user = new
    row.save(update_fields=["user"])


def _take_over_items(meeting: JointMeeting, *, old: User, new: User, by: User) -> None:
    """In a meeting already held, the old worker stays a participant (they took part); the
    new worker is added as the one who took over and owns the old worker's open items."""
    items = list(
        ActionItem.objects.filter(
            owner__meeting=meeting,
            owner__user=old,
            owner__kind=Participant.Kind.AFTERCARE_WORKER,
            status=ActionItem.Status.OPEN,
        ).select_related("owner__user")
    )
    if not items:
        return
    successor, _created = Participant.objects.get_or_create(
        meeting=meeting,
        user=new,
        defaults={
            "kind": Participant.Kind.AFTERCARE_WORKER,
            "attendance": Participant.Attendance.TOOK_OVER,
        },
    )
    if successor.kind != Participant.Kind.AFTERCARE_WORKER:
        return  # cannot happen: a worker takes part as a worker
    note = _("Hand-over to a new responsible worker")
    for item in items:
        before = item.owner_label
        item.owner = successor
        # A form opened before the hand-over is then outdated (the item's optimistic lock).
        ActionItem.objects.filter(pk=item.pk).update(owner=successor, version=F("version") + 1)
        change = ActionItemChange(
            item=item,
            field=ActionItemChange.Field.OWNER,
            old_value=before[:500],
            new_value=item.owner_label[:500],
            note=note,
            changed_by=by,
        )
        change.full_clean()
        change.save()


def _messages_move(*, youth: YouthClient, old: User, new: User) -> int:
    """Messages to the old worker about the young person, not sent yet, go to the new one (a
    feedback request asks about the old worker's own meeting: it stays theirs)."""
    about = (
        Q(meeting__youth=youth)
        | Q(plan__meeting__youth=youth)
        | Q(action_item__plan__meeting__youth=youth)
        | Q(consent__youth=youth)
        | Q(youth=youth)
    )
    return (
        Notification.objects.filter(about, recipient=old, status=Notification.Status.PENDING)
        .exclude(kind=Notification.Kind.FEEDBACK_REQUEST)
        .update(recipient=new, language=language_of(new))
    )


def _tell(meeting: JointMeeting, *, old: User, new: User, stamp: str) -> int:
    """The others taking part hear who their contact person now is: those with an account
    (Kela) in the app and by e-mail, the network members with an address by e-mail. A draft
    has been sent to nobody: nobody is told."""
    if meeting.status == Status.DRAFT:
        return 0
    told = 0
    for participant in meeting.participants.taking_part().select_related("user"):
        if participant.user_id in (None, old.pk, new.pk):
            continue
        if participant.kind == Participant.Kind.AFTERCARE_WORKER:
            continue  # a colleague in the meeting knows the team's changes
        notifications.notify(
            Notification.Kind.CONTACT_CHANGED,
            recipient=participant.user,
            meeting=meeting,
            key_suffix=stamp,
        )
        told += 1
    # The network members with an address, by e-mail, if the consent covers messages to them.
    told += len(
        notifications.notify_network(Notification.Kind.CONTACT_CHANGED, meeting, key_suffix=stamp)
    )
    return told


def _tell_youth(youth: YouthClient, moved: list[JointMeeting], *, stamp: str) -> None:
    """The young person hears it once (when their consent covers messages to them)."""
    sent = [m for m in moved if m.status != Status.DRAFT]
    if not sent or not youth.may_be_messaged():
        return
    notifications.notify_email(
        Notification.Kind.CONTACT_CHANGED,
        email=youth.email,
        language=youth.service_language,
        meeting=sent[0],
        key=f"{Notification.Kind.CONTACT_CHANGED}:{sent[0].pk}:youth:{stamp}",
    )
