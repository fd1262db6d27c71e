"""A Kela contact's free times (issue 18): publishing them (one slot, or a weekly rule expanded
into slots), removing a free one, and booking one in a single step — the meeting is confirmed
at once, without an invitation round trip."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import CooperationRequest
from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User

from .. import notifications
from ..models import FollowUpPlan, JointMeeting, KelaSlot, Modality, Notification, Participant
from ..workdays import day_off_name, is_working_day
from .meeting import _modality_sync, meeting_create, request_answer, valid_kela_consent

# A weekly rule reaches at most this far: Kela contacts plan a term at a time.
LONGEST_RULE = datetime.timedelta(weeks=26)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


@transaction.atomic
def slots_publish(
    *,
    contact: User,
    starts_on: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    length: int,
    modality: str,
    place: str = "",
    repeat_until: datetime.date | None = None,
) -> list[KelaSlot]:
    """Publish free times: the window start–end on `starts_on` cut into slots of `length`
    minutes, and with `repeat_until` the same every week until that day. Days off (weekends and
    Finnish public holidays) are skipped in a weekly rule and refused for a single day. A slot in
    the past or overlapping another of the contact's free times is refused, next to the field."""
    if not contact.is_kela_contact:
        raise ValidationError(_("Only a Kela contact person publishes free times."))
    _rule_check(
        starts_on=starts_on,
        start_time=start_time,
        end_time=end_time,
        length=length,
        modality=modality,
        place=place,
        repeat_until=repeat_until,
    )
    days = [starts_on]
    while repeat_until is not None and days[-1] + datetime.timedelta(weeks=1) <= repeat_until:
        days.append(days[-1] + datetime.timedelta(weeks=1))
    days = [d for d in days if is_working_day(d)]
    if not days:
        raise ValidationError(
            {"repeat_until": _("Every day of the rule is a day off: no free times to publish.")}
        )
    step = datetime.timedelta(minutes=length)
    slots = []
    for day in days:
        start, window_end = _at(day, start_time), _at(day, end_time)
        while start + step <= window_end:
            slots.append(
                KelaSlot(
                    contact=contact,
                    starts_at=start,
                    ends_at=start + step,
                    modality=modality,
                    place=place.strip(),
                )
            )
            start += step
    _overlap_check(contact, slots)
    for slot in slots:
        slot.day = timezone.localdate(slot.starts_at)
    return KelaSlot.objects.bulk_create(slots)


def _rule_check(
    *,
    starts_on: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    length: int,
    modality: str,
    place: str,
    repeat_until: datetime.date | None,
) -> None:
    """The rule's own errors, each next to its field."""
    errors: dict[str, str] = {}
    if end_time <= start_time:
        errors["end_time"] = _("The end must be after the start.")
    elif _at(starts_on, end_time) - _at(starts_on, start_time) < datetime.timedelta(minutes=length):
        errors["length"] = _("A free time does not fit between the start and the end.")
    if modality == Modality.FACE_TO_FACE and not place.strip():
        errors["place"] = _("Tell where you meet face to face, for example the Kela office.")
    if repeat_until is not None:
        if repeat_until < starts_on:
            errors["repeat_until"] = _("The last day cannot be before the first.")
        elif repeat_until - starts_on > LONGEST_RULE:
            errors["repeat_until"] = _("Publish at most half a year (26 weeks) at a time.")
    if _at(starts_on, start_time) <= timezone.now():
        errors["starts_on"] = _("A free time cannot be in the past.")
    elif repeat_until is None and not is_working_day(starts_on):
        errors["starts_on"] = _(
            "%(day)s is a day off (%(name)s): Kela's offices are closed. Choose a working day."
        ) % {"day": date_format(starts_on, "SHORT_DATE_FORMAT"), "name": day_off_name(starts_on)}
    if errors:
        raise ValidationError(errors)


def _overlap_check(contact: User, slots: list[KelaSlot]) -> None:
    """No new slot may overlap a free time the contact already has (booked or not)."""
    clash = (
        KelaSlot.objects.filter(
            contact=contact, starts_at__lt=slots[-1].ends_at, ends_at__gt=slots[0].starts_at
        )
        .only("starts_at", "ends_at")
        .order_by("starts_at")
    )
    for existing in clash:
        if any(s.starts_at < existing.ends_at and existing.starts_at < s.ends_at for s in slots):
            raise ValidationError(
                {
                    "start_time": _("You already have a free time on %(when)s that overlaps.")
                    % {"when": existing.label}
                }
            )


@transaction.atomic
def slot_remove(*, slot: KelaSlot, by: User) -> None:
    """Take back a free time that nobody has booked."""
    slot = KelaSlot.objects.select_for_update().get(pk=slot.pk, contact=by)
    if slot.is_booked:
        raise ValidationError(
            _("This time is already booked for a meeting; it stays until the meeting moves.")
        )
    slot.delete()


# The longest meeting (JointMeeting's duration constraint): how far back a clash can start.
LONGEST_MEETING = datetime.timedelta(hours=8)


def free_times_offered(contact: User) -> list[KelaSlot]:
    """The contact's free times a worker may book now (KelaSlotQuerySet.offered), less those
    that clash with a meeting the contact already takes part in (invited or confirmed, e.g. a
    time agreed by invitation). Two queries, however many slots and meetings."""
    slots = list(KelaSlot.objects.offered().filter(contact=contact))
    if not slots:
        return slots
    busy = list(
        JointMeeting.objects.filter(
            participants__in=Participant.objects.taking_part().filter(user=contact),
            status__in=[JointMeeting.Status.INVITED, JointMeeting.Status.CONFIRMED],
            starts_at__lt=slots[-1].ends_at,
            starts_at__gt=slots[0].starts_at - LONGEST_MEETING,
        ).only("starts_at", "duration_minutes")
    )
    return [s for s in slots if not any(_clashes(s, m) for m in busy)]


def _clashes(slot: KelaSlot, meeting: JointMeeting) -> bool:
    return meeting.starts_at < slot.ends_at and slot.starts_at < meeting.ends_at


def slot_taken_error() -> ValidationError:
    return ValidationError(
        {
            "slot": _(
                "Someone else booked this time a moment ago. Choose another free time; "
                "nothing else you typed was lost."
            )
        }
    )


@transaction.atomic
def slot_book(
    *,
    slot: KelaSlot,
    meeting: JointMeeting,
    by: User,
    others: list[dict],
    joins: dict | None = None,
    reviews_plan: FollowUpPlan | None = None,
    cooperation_request: CooperationRequest | None = None,
) -> JointMeeting:
    """Book a Kela contact's free time in one step: the meeting is made at the slot's time and
    confirmed at once, with Kela's participant accepted; both get the confirmation with the
    calendar file. It needs the valid consent an invitation needs. The slot row is locked and
    taken in this transaction: of two workers booking it, one wins, the other is told."""
    consent = valid_kela_consent(meeting.youth)
    if consent is None:
        raise ValidationError(
            {
                "slot": _(
                    "The young person has no valid consent to invite Kela. Record the consent "
                    "first."
                )
            }
        )
    # Waits here for a booking of the same slot in another transaction (PostgreSQL); the row
    # read after it says whether that one took it.
    locked = KelaSlot.objects.select_for_update().filter(pk=slot.pk).first()
    if locked is None or locked.is_booked:
        raise slot_taken_error()
    slot = locked
    if slot not in free_times_offered(slot.contact):
        raise ValidationError(
            {"slot": _("This free time is no longer offered. Choose another free time.")}
        )
    kela_contact = slot.contact
    meeting.starts_at = slot.starts_at
    meeting.duration_minutes = slot.minutes
    if slot.modality == Modality.FACE_TO_FACE and not meeting.place:
        meeting.place = slot.place
    meeting = meeting_create(
        meeting=meeting,
        by=by,
        kela_contact=None,
        others=others,
        invite=False,
        reviews_plan=reviews_plan,
        joins=joins,
        cooperation_request=cooperation_request,
    )
    now = timezone.now()
    Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.KELA_CONTACT,
        user=kela_contact,
        status=Participant.Status.ACCEPTED,
        joins_by=slot.modality,  # Kela meets as the free time says
        invited_at=now,
        responded_at=now,
    )
    _modality_sync(meeting)
    meeting.become(JointMeeting.Status.INVITED)
    meeting.become(JointMeeting.Status.CONFIRMED)
    meeting.consent = consent
    meeting.invited_at = now
    meeting.save()
    # The conditional update is the guard the database holds: it touches the row only while
    # the slot is free (the lock above makes a second booking wait for this one).
    taken = KelaSlot.objects.filter(pk=slot.pk, meeting__isnull=True).update(
        meeting=meeting, booked_at=now
    )
    if taken != 1:
        raise slot_taken_error()
    access_log_write(
        user=by, youth_id=meeting.youth_id, action=AccessLog.Action.DISCLOSE, obj=meeting
    )
    # Booked for Kela's cooperation request (or about its young person): the request is booked.
    request_answer(meeting=meeting, by=by)
    notifications.notify_participants(
        Notification.Kind.MEETING_CONFIRMED, meeting, key_suffix=f"slot{slot.pk}"
    )
    return meeting
