"""A Kela contact's free times and one-step booking (issue 18): publishing one day or a weekly
rule, holidays and absences, booking a free time confirmed at once (with the consent an
invitation needs), The race of two workers booking the same time is in test_free_times_race.py."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Consent
from kelayhteistyo.models import AccessLog, KelaAbsence, KelaContactProfile
from meetings import notifications, services
from meetings.models import JointMeeting, KelaSlot, Notification, Participant
from tests import factories as f

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
D = datetime.date
T = datetime.time


def at(day: str, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(
        tzinfo=HELSINKI
    )


@pytest.fixture(autouse=True)
def _clock():
    """Tuesday 1 December 2026, 8.00 in Helsinki."""
    with time_machine.travel(at("2026-12-01", 8), tick=True):
        yield


NINE, NOON = T(9), T(12)


def publish(contact, day, start=NINE, end=NOON, length=60, until=None, **kwargs):
    kwargs.setdefault("modality", "video")
    return services.slots_publish(
        contact=contact,
        starts_on=day,
        repeat_until=until,
        start_time=start,
        end_time=end,
        length=length,
        **kwargs,
    )


def book(slot, youth, alice, **kwargs):
    meeting = JointMeeting(
        youth=youth, goal="Opintotuki kuntoon", language=youth.language, modality="video"
    )
    return services.slot_book(
        slot=slot, meeting=meeting, by=alice, others=[], joins={"young_person": "video"}, **kwargs
    )


def errors(exc_info) -> dict:
    return exc_info.value.message_dict


# Publishing ----------------------------------------------------------------------------------


def test_a_window_is_cut_into_slots_of_the_chosen_length(kela):
    slots = publish(kela, D(2026, 12, 8), T(9), T(12), 60)
    assert [timezone.localtime(s.starts_at).time() for s in slots] == [T(9), T(10), T(11)]
    assert [s.minutes for s in slots] == [60, 60, 60]
    assert {s.day for s in slots} == {D(2026, 12, 8)}
    assert KelaSlot.objects.filter(contact=kela).count() == 3


def test_a_window_that_does_not_divide_evenly_leaves_the_rest_out(kela):
    slots = publish(kela, D(2026, 12, 8), T(9), T(10, 30), 45)
    assert [timezone.localtime(s.ends_at).time() for s in slots] == [T(9, 45), T(10, 30)]


def test_a_weekly_rule_is_expanded_and_skips_public_holidays(kela):
    """Wednesdays 30.12.2026–13.1.2027: 6.1. is Epiphany, Kela's offices are closed."""
    slots = publish(kela, D(2026, 12, 30), T(9), T(11), 60, until=D(2027, 1, 13))
    assert sorted({s.day for s in slots}) == [D(2026, 12, 30), D(2027, 1, 13)]
    assert len(slots) == 4


def test_a_single_free_time_on_a_public_holiday_is_refused_with_its_name(kela):
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 24))
    assert "jouluaatto" in errors(e)["starts_on"][0].lower()
    assert not KelaSlot.objects.exists()


def test_a_rule_of_days_off_only_is_refused(kela):
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 25), until=D(2027, 1, 1))  # two Fridays, both holidays
    assert "repeat_until" in errors(e)


def test_a_free_time_in_the_past_is_refused_next_to_the_date(kela):
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 1), T(7), T(9))  # today, but 7.00 has passed
    assert list(errors(e)) == ["starts_on"]


def test_an_overlapping_free_time_is_refused_and_nothing_of_the_rule_is_saved(kela, kela_other):
    publish(kela, D(2026, 12, 15), T(9), T(10))
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 8), T(9, 30), T(11, 30), until=D(2026, 12, 22))
    assert "15.12.2026" in errors(e)["start_time"][0]
    assert KelaSlot.objects.filter(contact=kela).count() == 1
    # Another contact's free times are theirs: no overlap with them.
    assert len(publish(kela_other, D(2026, 12, 15), T(9), T(10))) == 1


def test_the_rule_s_own_mistakes_are_named_field_by_field(kela):
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 8), T(12), T(9), modality="face_to_face", place=" ")
    assert set(errors(e)) == {"end_time", "place"}
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 8), T(9), T(9, 30), 60, until=D(2026, 12, 1))
    assert set(errors(e)) == {"length", "repeat_until"}
    with pytest.raises(ValidationError) as e:
        publish(kela, D(2026, 12, 8), until=D(2027, 12, 8))
    assert set(errors(e)) == {"repeat_until"}


def test_a_free_time_nobody_booked_can_be_removed_but_not_a_booked_one(kela, alice, youth, consent):
    free, taken = publish(kela, D(2026, 12, 8), T(9), T(11))
    book(taken, youth, alice)
    services.slot_remove(slot=free, by=kela)
    with pytest.raises(ValidationError):
        services.slot_remove(slot=taken, by=kela)
    assert list(KelaSlot.objects.values_list("pk", flat=True)) == [taken.pk]


# What a worker is offered --------------------------------------------------------------------


def test_an_absent_contact_s_free_times_are_not_offered(kela, kela_other):
    tue, wed = (
        publish(kela, D(2026, 12, 8), T(9), T(10)),
        publish(kela, D(2026, 12, 9), T(9), T(10)),
    )
    KelaAbsence.objects.create(
        profile=kela.kela_profile, starts_on=D(2026, 12, 9), ends_on=D(2026, 12, 11)
    )
    assert list(KelaSlot.objects.offered()) == tue
    assert wed[0] not in KelaSlot.objects.offered()


def test_only_free_coming_times_of_contacts_in_the_directory_are_offered(
    kela, kela_other, alice, youth, consent
):
    first, second = publish(kela, D(2026, 12, 8), T(9), T(11))
    far = publish(kela, D(2027, 2, 2), T(9), T(10))  # beyond the weeks shown
    other = publish(kela_other, D(2026, 12, 8), T(9), T(10))
    book(first, youth, alice)
    assert list(KelaSlot.objects.offered()) == [*other, second]
    KelaContactProfile.objects.filter(user=kela_other).update(active=False)
    assert list(KelaSlot.objects.offered()) == [second]
    with time_machine.travel(at("2026-12-08", 10, 30)):
        assert list(KelaSlot.objects.offered()) == []
    assert far[0] not in KelaSlot.objects.offered()


def test_a_free_time_that_clashes_with_a_meeting_of_the_contact_is_not_offered(
    kela, alice, youth, consent
):
    """Kela agreed 10.30–11.30 by invitation: the 10–11 and 11–12 free times are taken by it."""
    nine, ten, eleven = publish(kela, D(2026, 12, 8), T(9), T(12))
    f.invited_meeting(youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-08", 10, 30))
    assert services.free_times_offered(kela) == [nine]
    with pytest.raises(ValidationError) as e:
        book(ten, youth, alice)
    assert "slot" in errors(e)


# Booking in one step -------------------------------------------------------------------------


def test_booking_a_free_time_confirms_the_meeting_at_once(kela, alice, youth, consent):
    (slot,) = publish(kela, D(2026, 12, 8), T(9), T(10), modality="face_to_face", place="Kela")
    meeting = book(slot, youth, alice)
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.CONFIRMED
    assert meeting.starts_at == at("2026-12-08", 9) and meeting.duration_minutes == 60
    assert meeting.consent == consent and meeting.invited_at is not None
    kela_p = meeting.participants.get(kind=Participant.Kind.KELA_CONTACT)
    assert kela_p.user == kela and kela_p.status == Participant.Status.ACCEPTED
    assert kela_p.joins_by == "face_to_face"
    assert meeting.modality == "mixed"  # the young person by video, Kela at its office
    assert meeting.place == "Kela"
    slot.refresh_from_db()
    assert slot.meeting == meeting and slot.booked_at is not None
    assert not Notification.objects.filter(kind=Notification.Kind.INVITATION).exists()
    assert AccessLog.objects.filter(
        youth=youth, user=alice, action=AccessLog.Action.DISCLOSE
    ).exists()


def test_both_get_the_confirmation_with_the_calendar_file(kela, alice, youth, consent):
    (slot,) = publish(kela, D(2026, 12, 8), T(9), T(10))
    book(slot, youth, alice)
    confirmations = Notification.objects.filter(kind=Notification.Kind.MEETING_CONFIRMED)
    assert {n.recipient for n in confirmations} == {alice, kela}
    for n in confirmations:
        assert notifications.deliver(n.pk, "t") == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, kela.email])
    for message in mail.outbox:
        (name, content, mimetype), *_ = message.attachments
        assert name.endswith(".ics") and "METHOD:REQUEST" in content


def test_booking_needs_the_valid_consent_an_invitation_needs(kela, alice, youth, consent):
    (slot,) = publish(kela, D(2026, 12, 8), T(9), T(10))
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now(), withdrawn_by=alice)
    with pytest.raises(ValidationError) as e:
        book(slot, youth, alice)
    assert "suostumus" in errors(e)["slot"][0]
    assert not JointMeeting.objects.exists()
    slot.refresh_from_db()
    assert slot.meeting is None


def test_a_time_just_taken_is_refused_and_nothing_is_double_booked(kela, alice, youth, consent):
    (slot,) = publish(kela, D(2026, 12, 8), T(9), T(10))
    stale = KelaSlot.objects.get(pk=slot.pk)  # the second worker's page shows it free
    first = book(slot, youth, alice)
    with pytest.raises(ValidationError) as e:
        book(stale, youth, alice)
    assert "slot" in errors(e)
    assert list(JointMeeting.objects.all()) == [first]


def test_a_time_on_a_day_the_contact_went_away_is_no_longer_booked(kela, alice, youth, consent):
    (slot,) = publish(kela, D(2026, 12, 8), T(9), T(10))
    KelaAbsence.objects.create(
        profile=kela.kela_profile, starts_on=D(2026, 12, 7), ends_on=D(2026, 12, 8)
    )
    with pytest.raises(ValidationError) as e:
        book(slot, youth, alice)
    assert "slot" in errors(e)
    assert not JointMeeting.objects.exists()


def test_cancelling_or_moving_the_meeting_frees_the_time(kela, alice, youth, consent):
    first, second = publish(kela, D(2026, 12, 8), T(9), T(11))
    meeting = book(first, youth, alice)
    services.meeting_cancel(meeting=meeting, by=alice, reason="Nuori sairastui")
    assert first in KelaSlot.objects.offered()
    meeting = book(second, youth, alice)
    meeting.starts_at = at("2026-12-09", 13)
    services.meeting_update(meeting=meeting, by=alice)
    assert second in KelaSlot.objects.offered()
