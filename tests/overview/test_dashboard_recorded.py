"""The dashboard with known answers for issue 17: mixed meetings are their own modality, and
meetings recorded afterwards are left out of the invitation and speed figures and counted apart."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import JointMeeting
from overview.rollups import rollups_rebuild
from tests import factories as f

PILOT = {
    "young_person": "face_to_face",
    "aftercare_worker": "face_to_face",
    "kela_contact": "video",
    "other": "face_to_face",
}


def rows(response, key):
    (figure,) = [x for x in response.context["figures"] if x.key == key]
    return figure.rows


@pytest.fixture
def national(db):
    return f.CoordinatorFactory(organisation__county=None)


def young_people(n, organisation):
    worker = f.WorkerFactory(organisation=organisation)
    for _ in range(n):
        youth = f.YouthFactory(organisation=organisation, responsible_worker=worker)
        f.ConsentFactory(youth=youth, recorded_by=worker, given_at=timezone.now() - DAYS_30)
        yield youth, worker


DAYS_30 = datetime.timedelta(days=30)


def invited_and_held(n, organisation, kela, *, mixed=False, days_to_meeting=4):
    for youth, worker in young_people(n, organisation):
        meeting = f.held_meeting(youth=youth, organiser=worker, kela=kela)
        if mixed:
            services.participants_set_joining(meeting=meeting, joins=PILOT)
        JointMeeting.objects.filter(pk=meeting.pk).update(
            invited_at=meeting.starts_at - datetime.timedelta(days=days_to_meeting)
        )


def recorded_afterwards(n, organisation, kela):
    for youth, worker in young_people(n, organisation):
        services.meeting_record_afterwards(
            meeting=f.MeetingFactory.build(
                youth=youth, starts_at=timezone.now() - datetime.timedelta(days=2)
            ),
            by=worker,
            kela_contact=kela,
            others=[],
        )


# Mid-month, so that every meeting falls in the same month whatever day the suite runs.
@time_machine.travel(datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_mixed_and_recorded_afterwards_are_counted_apart(client_as, national, kela):
    org = f.OrganisationFactory()
    invited_and_held(5, org, kela, days_to_meeting=4)  # face to face, invited 4 days ahead
    invited_and_held(5, org, kela, mixed=True, days_to_meeting=10)  # the pilot's tip
    recorded_afterwards(6, org, kela)  # face to face, no invitation in the app
    rollups_rebuild()  # the invitation dates were set past the services
    response = client_as(national).get(reverse("dashboard"))

    # Meetings per month: face to face, video, phone, mixed, cancelled.
    assert rows(response, "meetings") == [("marraskuu 2026", 11, 0, 0, 5, 0)]
    # Speed: only the 10 invited in the app; the 6 recorded afterwards apart.
    (speed,) = rows(response, "speed")
    assert speed == (10, 7.0, 10.0, 6)
    # Invitations: the 10 Kela contacts invited in the app, not those named afterwards.
    (invitations,) = rows(response, "invitations")
    assert invitations[:3] == (10, 10, 10)
    # All 16 were held.
    (plans,) = rows(response, "plans")
    assert plans[0] == 16


@time_machine.travel(datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_the_mixed_filter_selects_the_mixed_meetings(client_as, national, kela):
    org = f.OrganisationFactory()
    invited_and_held(5, org, kela)
    invited_and_held(6, org, kela, mixed=True)
    rollups_rebuild()
    response = client_as(national).get(reverse("dashboard"), {"modality": "mixed"})
    assert rows(response, "meetings") == [("marraskuu 2026", 0, 0, 0, 6, 0)]
    assert "Yhdistelmä" in response.content.decode()
