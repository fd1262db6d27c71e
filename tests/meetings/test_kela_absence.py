"""A Kela contact's own profile and absences (issue 18): during an absence new invitations go to
the substitute and the worker is told; waiting invitations are passed on when the absence is
saved; an absence without a substitute is allowed and workers are warned."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kelayhteistyo.models import KelaAbsence, KelaContactProfile
from kelayhteistyo.services import kela_contact_route
from meetings import services
from meetings.models import Notification, Participant
from tests import factories as f

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def record(user, start, end, substitute=None):
    absence = KelaAbsence(
        profile=user.kela_profile, starts_on=start, ends_on=end, substitute=substitute
    )
    return services.kela_absence_record(absence=absence, by=user)


# Where a new invitation goes ------------------------------------------------------------------


def test_a_new_invitation_goes_to_the_substitute_while_the_contact_is_away(
    alice, youth, consent, kela, kela_other, tomorrow_10
):
    record(kela, TODAY(), TODAY() + 7 * DAY, substitute=kela_other)
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela, starts_at=tomorrow_10)
    assert meeting.kela_participant.user == kela_other
    assert not meeting.participants.filter(user=kela).exists()
    assert Notification.objects.filter(recipient=kela_other, kind="invitation").exists()


def test_an_absence_on_the_meeting_day_only_also_sends_it_to_the_substitute(
    alice, youth, consent, kela, kela_other
):
    day = TODAY() + 10 * DAY
    record(kela, day, day, substitute=kela_other)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela, starts_at=starts)
    assert meeting.kela_participant.user == kela_other


def test_an_absence_on_other_days_changes_nothing(alice, youth, consent, kela, kela_other):
    record(kela, TODAY() + 20 * DAY, TODAY() + 25 * DAY, substitute=kela_other)
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    assert meeting.kela_participant.user == kela


def test_a_substitute_who_is_away_too_passes_it_on_but_never_in_a_circle(kela, kela_other):
    third = f.KelaContactFactory(first_name="Outi")
    record(kela, TODAY(), TODAY() + DAY, substitute=kela_other)
    record(kela_other, TODAY(), TODAY() + DAY, substitute=third)
    assert kela_contact_route(kela, TODAY()).recipient == third
    record(third, TODAY(), TODAY() + DAY, substitute=kela)  # back to the first: a circle
    assert kela_contact_route(kela, TODAY()).recipient == third


def test_without_a_substitute_the_invitation_waits_and_the_worker_is_warned(
    client_as, alice, youth, consent, kela
):
    record(kela, TODAY(), TODAY() + 7 * DAY)
    client = client_as(alice)
    form = client.get(reverse("meetings:create", args=[youth.pk])).content.decode()
    assert "ei sijaista" in form  # the booking page says so next to the contact's name
    response = client.post(reverse("meetings:create", args=[youth.pk]), booking(kela), follow=True)
    meeting = response.context["meeting"]
    assert meeting.kela_participant.user == kela
    assert "eikä ole nimennyt sijaista" in response.content.decode()


def test_the_worker_is_told_on_the_booking_page_and_in_a_message(
    client_as, alice, youth, consent, kela, kela_other
):
    record(kela, TODAY(), TODAY() + 7 * DAY, substitute=kela_other)
    client = client_as(alice)
    form = client.get(reverse("meetings:create", args=[youth.pk])).content.decode()
    assert f"sijainen {kela_other.get_full_name()}" in form
    response = client.post(reverse("meetings:create", args=[youth.pk]), booking(kela), follow=True)
    assert response.context["meeting"].kela_participant.user == kela_other
    html = response.content.decode()
    assert f"kutsu lähti sijaiselle {kela_other.get_full_name()}" in html


def booking(kela) -> dict:
    day = TODAY() + DAY
    return {
        "action": "invite",
        "goal": "Opintotuki",
        "modality": "video",
        "day": day.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "language": f.language("fi").pk,
        "kela_contact": kela.pk,
        "others-TOTAL_FORMS": "0",
        "others-INITIAL_FORMS": "0",
    }


# Waiting invitations when the absence is saved -------------------------------------------------


def test_waiting_invitations_are_passed_on_when_the_absence_is_saved(
    client_as, alice, kela, kela_other, meeting
):
    """A planned absence (days 10–15): the meeting on day 11 goes to the substitute, the one
    tomorrow stays with the contact, who is still at work today."""
    day_11 = timezone.make_aware(datetime.datetime.combine(TODAY() + 11 * DAY, datetime.time(10)))
    during = f.invited_meeting(youth=meeting.youth, organiser=alice, kela=kela, starts_at=day_11)
    passed = record(kela, TODAY() + 10 * DAY, TODAY() + 15 * DAY, substitute=kela_other)
    assert [p.meeting_id for p in passed] == [during.pk]
    old = during.participants.get(user=kela)
    assert old.status == Participant.Status.DECLINED
    assert kela_other.get_full_name() in old.response_message
    assert during.participants.get(user=kela_other).status == Participant.Status.PENDING
    assert Notification.objects.filter(recipient=kela_other, meeting=during).exists()
    told = Notification.objects.get(kind="invitation_passed", meeting=during)
    assert told.recipient == alice
    assert meeting.participants.get(user=kela).status == Participant.Status.PENDING
    # Access follows the invitation.
    url = reverse("meetings:detail", args=[during.pk])
    assert client_as(kela).get(url).status_code == 404
    assert client_as(kela_other).get(url).status_code == 200


def test_an_absence_from_today_passes_on_every_waiting_invitation(kela, kela_other, meeting):
    """Away now: nobody answers the invitations meanwhile, whenever the meetings are."""
    passed = record(kela, TODAY(), TODAY(), substitute=kela_other)
    assert [p.meeting_id for p in passed] == [meeting.pk]


def test_the_absence_page_says_how_many_were_passed_on(client_as, kela, kela_other, meeting):
    response = client_as(kela).post(
        reverse("kela_absence_add"),
        {
            "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() + 3 * DAY).isoformat(),
            "substitute": kela_other.pk,
        },
        follow=True,
    )
    assert f"1 odottava kutsu siirrettiin sijaiselle {kela_other.get_full_name()}" in (
        response.content.decode()
    )


def test_an_absence_without_substitute_moves_nothing_and_warns(client_as, kela, meeting):
    response = client_as(kela).post(
        reverse("kela_absence_add"),
        {"starts_on": TODAY().isoformat(), "ends_on": TODAY().isoformat(), "substitute": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert KelaAbsence.objects.get().substitute is None
    assert meeting.participants.get(user=kela).status == Participant.Status.PENDING
    assert "Et nimennyt sijaista" in response.content.decode()


# Bad input ------------------------------------------------------------------------------------


def test_an_absence_cannot_end_before_it_starts_and_the_input_stays(client_as, kela):
    start = (TODAY() + 5 * DAY).isoformat()
    response = client_as(kela).post(
        reverse("kela_absence_add"),
        {"starts_on": start, "ends_on": (TODAY() + 2 * DAY).isoformat(), "substitute": ""},
    )
    assert response.status_code == 400
    form = response.context["absence_form"]
    assert form.errors["ends_on"] == ["Poissaolo ei voi päättyä ennen kuin se alkaa."]
    assert f'value="{start}"' in response.content.decode()
    assert not KelaAbsence.objects.exists()


@pytest.mark.parametrize("who", ["self", "inactive"])
def test_the_substitute_is_another_active_contact(kela, kela_other, who):
    if who == "inactive":
        KelaContactProfile.objects.filter(user=kela_other).update(active=False)
    substitute = kela if who == "self" else kela_other
    with pytest.raises(ValidationError) as refused:
        record(kela, TODAY(), TODAY(), substitute=substitute)
    assert list(refused.value.message_dict) == ["substitute"]
    assert not KelaAbsence.objects.exists()


def test_the_form_offers_neither_oneself_nor_an_inactive_contact(client_as, kela, kela_other):
    KelaContactProfile.objects.filter(user=kela_other).update(active=False)
    response = client_as(kela).post(
        reverse("kela_absence_add"),
        {"starts_on": TODAY().isoformat(), "ends_on": TODAY().isoformat(), "substitute": kela.pk},
    )
    assert response.status_code == 400
    choices = [c.pk for c in response.context["absence_form"].fields["substitute"].queryset]
    assert kela.pk not in choices and kela_other.pk not in choices
    assert response.context["absence_form"].errors["substitute"]


def test_overlapping_absences_are_refused(kela):
    record(kela, TODAY(), TODAY() + 5 * DAY)
    with pytest.raises(ValidationError) as refused:
        record(kela, TODAY() + 3 * DAY, TODAY() + 9 * DAY)
    assert list(refused.value.message_dict) == ["starts_on"]


# The profile page -----------------------------------------------------------------------------


def test_the_contact_edits_their_own_profile(client_as, kela):
    response = client_as(kela).post(
        reverse("kela_profile"),
        {
            "title": "Erityisasiantuntija",
            "areas": [f.county("kanta-hame").pk],
            "languages": [f.language("fi").pk, f.language("en").pk],
            "offers_video": "on",
            "about": "Autan opintotuessa ja kuntoutuksessa.",
        },
    )
    assert response.status_code == 302
    profile = KelaContactProfile.objects.get(user=kela)
    assert profile.about == "Autan opintotuessa ja kuntoutuksessa."
    assert [a.code for a in profile.areas.all()] == ["kanta-hame"]
    assert (profile.offers_face_to_face, profile.offers_video, profile.offers_phone) == (
        False,
        True,
        False,
    )


def test_a_removed_absence_ends_the_rerouting_and_only_the_owner_removes_it(
    client_as, kela, kela_other
):
    record(kela, TODAY(), TODAY() + DAY, substitute=kela_other)
    absence = KelaAbsence.objects.get()
    url = reverse("kela_absence_delete", args=[absence.pk])
    assert client_as(kela_other).post(url).status_code == 404
    assert client_as(kela).post(url).status_code == 302
    assert kela_contact_route(kela, TODAY()).recipient == kela


def test_the_directory_shows_absence_and_about_me(client_as, alice, kela, kela_other):
    KelaContactProfile.objects.filter(user=kela).update(about="Puhun myös ruotsia.")
    record(kela, TODAY(), TODAY() + DAY, substitute=kela_other)
    html = client_as(alice).get(reverse("directory")).content.decode()
    assert "Puhun myös ruotsia." in html
    assert f"sijainen {kela_other.get_full_name()}" in html


def test_the_directory_with_200_contacts_costs_the_same_queries(
    client_as, alice, kela, kela_other, django_assert_num_queries
):
    record(kela, TODAY(), TODAY() + DAY, substitute=kela_other)
    client = client_as(alice)
    client.get(reverse("directory"))  # the session's first touches
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("directory"))
    for i in range(198):
        contact = f.KelaContactFactory()
        if i % 3 == 0:
            record(contact, TODAY(), TODAY() + DAY, substitute=kela)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("directory"))
    assert len(response.context["contacts"]) == 200


def test_the_booking_page_with_200_contacts_costs_the_same_queries(
    client_as, alice, youth, consent, kela, kela_other, django_assert_num_queries
):
    """The contact choices say who is away (a prefetch, not a query per contact)."""
    record(kela, TODAY(), TODAY() + DAY, substitute=kela_other)
    client = client_as(alice)
    url = reverse("meetings:create", args=[youth.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(198):
        contact = f.KelaContactFactory()
        if i % 3 == 0:
            record(contact, TODAY(), TODAY() + DAY, substitute=kela)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("sijainen") >= 67
