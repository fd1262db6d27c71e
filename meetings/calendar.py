"""Calendar files (RFC 5545) for joint meetings: one stable UID per meeting, SEQUENCE increased
on every change, METHOD:REQUEST for a confirmed or moved meeting, METHOD:CANCEL when cancelled,
times in Europe/Helsinki. No personal data beyond the young person's first name."""

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from icalendar import Calendar, Event, vCalAddress, vText

from .models import JointMeeting, Modality

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
REQUEST, CANCEL = "REQUEST", "CANCEL"
# An invitee who has not answered (or proposed another time) is still to act on the request.
# The summary of the light door's calendar file: a young person reads it (kelayhteistyo/youth.py).
LIGHT_SUMMARY = gettext_lazy("Meeting with aftercare and Kela")
PARTSTAT = {"pending": "NEEDS-ACTION", "proposed": "NEEDS-ACTION", "accepted": "ACCEPTED"}


def meeting_uid(meeting: JointMeeting) -> str:
    return f"{meeting.pk}@yhteistyo"


def meeting_ics(
    meeting: JointMeeting, *, method: str = REQUEST, language: str = "fi", minimal: bool = False
) -> bytes:
    """The meeting as a calendar file. `minimal` (the young person's light door, issue 19): the
    time, the place or video link and the status only — no names, no addresses, no link."""
    with override(language):
        cal = Calendar()
        cal.add("prodid", "-//Yhteistyo//Joint meetings//FI")
        cal.add("version", "2.0")
        cal.add("method", method)
        event = Event()
        event.add("uid", meeting_uid(meeting))
        event.add("sequence", meeting.ics_sequence)
        event.add("dtstamp", timezone.now())
        event.add("dtstart", timezone.localtime(meeting.starts_at, HELSINKI))
        event.add("dtend", timezone.localtime(meeting.ends_at, HELSINKI))
        if minimal:
            event.add("summary", str(LIGHT_SUMMARY))
        else:
            event.add("summary", _("Joint meeting: %(name)s") % {"name": meeting.youth.first_name})
        if meeting.modality == Modality.VIDEO and meeting.video_link:
            event.add("location", meeting.video_link)
            event.add("url", meeting.video_link)
        elif meeting.place:
            event.add("location", meeting.place)
            if meeting.modality == Modality.MIXED and meeting.video_link:
                event.add("url", meeting.video_link)  # for those who join by video
        if not minimal:
            _people(event, meeting)
        if method == CANCEL:
            event.add("status", "CANCELLED")
        elif meeting.status == meeting.Status.INVITED:  # Kela has not accepted yet
            event.add("status", "TENTATIVE")
        else:
            event.add("status", "CONFIRMED")
        cal.add_component(event)
        cal.add_missing_timezones()
        return cal.to_ical()


def _people(event: Event, meeting: JointMeeting) -> None:
    """The link to the meeting's page, the organiser and the attendees with an account."""
    page = settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])
    event.add("description", _("Details (login needed): %(url)s") % {"url": page})
    organiser = vCalAddress(f"mailto:{meeting.organiser.email}")
    organiser.params["cn"] = vText(meeting.organiser.get_full_name())
    event.add("organizer", organiser)
    for participant in meeting.participants.all():
        if participant.user_id and participant.is_taking_part:
            attendee = vCalAddress(f"mailto:{participant.user.email}")
            attendee.params["cn"] = vText(participant.user.get_full_name())
            attendee.params["partstat"] = PARTSTAT.get(participant.status, "ACCEPTED")
            if attendee.params["partstat"] == "NEEDS-ACTION":
                attendee.params["rsvp"] = "TRUE"
            event.add("attendee", attendee)
