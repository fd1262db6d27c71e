"""A Kela contact's access ends with its ground (issue 15.2): one who declined, or was replaced
by another contact, no longer opens the meeting, its calendar file or the plan, and gets no
confirmation or reminder about it. The contact who took their place does."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from meetings import notifications, services
from meetings.models import Notification
from tests import factories as f

Kind = Notification.Kind
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def at(day: str, hour=9):
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


@pytest.fixture
def replaced(youth, alice, kela, kela_other, consent):
    """On Tuesday 1.12.2026 Kaisa (kela) declines the meeting of Thursday; Jukka accepts it."""
    with time_machine.travel(at("2026-12-01"), tick=False):
        meeting = f.invited_meeting(
            youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-03", 10)
        )
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela),
            answer="declined",
            by=kela,
            message="Olen lomalla.",
        )
        meeting.refresh_from_db()
        services.meeting_invite(meeting=meeting, kela_contact=kela_other, by=alice)
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela_other), answer="accepted", by=kela_other
        )
    meeting.refresh_from_db()
    return meeting


def test_the_contact_who_declined_no_longer_opens_the_meeting_or_its_calendar_file(
    client_as, kela, kela_other, replaced
):
    urls = [reverse(name, args=[replaced.pk]) for name in ("meetings:detail", "meetings:ics")]
    assert [client_as(kela).get(url).status_code for url in urls] == [404, 404]
    assert [client_as(kela_other).get(url).status_code for url in urls] == [200, 200]


def test_the_calendar_file_lists_only_those_who_take_part(client_as, alice, kela, replaced):
    ics = client_as(alice).get(reverse("meetings:ics", args=[replaced.pk])).content
    # Read as a calendar would: a long ATTENDEE line is folded, so a plain text search for the
    # address depends on the length of the (random) name before it.
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    addresses = {str(a).removeprefix("mailto:") for a in attendees}
    assert kela.email not in addresses and replaced.kela_participant.user.email in addresses


def test_the_contact_who_declined_gets_no_confirmation_and_no_meeting_reminder(
    kela, kela_other, replaced
):
    assert not Notification.objects.filter(recipient=kela, kind=Kind.MEETING_CONFIRMED).exists()
    with time_machine.travel(at("2026-12-02"), tick=False):  # the day before the meeting
        notifications.reminders_create()
    soon = set(Notification.objects.filter(kind=Kind.MEETING_TOMORROW).values_list("recipient"))
    assert (kela_other.pk,) in soon and (kela.pk,) not in soon


def test_the_contact_who_declined_reads_no_plan_and_gets_no_review_reminder(
    client_as, alice, kela, kela_other, replaced
):
    with time_machine.travel(at("2026-12-03", 12), tick=False):
        services.meeting_mark_held(meeting=replaced, by=alice)
        services.plan_save(
            meeting=replaced,
            fields={
                "summary": "Kela jatkaa",
                "review_date": datetime.date(2026, 12, 9),
                "kela_cooperation": "yes",
            },
            version=None,
            by=alice,
        )
    with time_machine.travel(at("2026-12-04"), tick=False):  # Friday: 3 working days ahead
        notifications.reminders_create()
        page = client_as(kela).get(reverse("meetings:detail", args=[replaced.pk]))
    review = set(Notification.objects.filter(kind=Kind.REVIEW_DUE).values_list("recipient"))
    assert (kela_other.pk,) in review and (kela.pk,) not in review
    assert page.status_code == 404
