"""Free times in the pages (issue 18): the Kela contact publishes them on the profile (bad input
next to the field, nothing typed lost); the worker sees the chosen contact's free times in the
booking form (htmx, or the "Show free times" button) and books one in one step."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kelayhteistyo.models import KelaAbsence
from meetings.models import JointMeeting, KelaSlot, Participant
from tests import factories as f
from tests.meetings.test_free_times import D, T, at, publish
from tests.meetings.test_views import booking


@pytest.fixture(autouse=True)
def _clock():
    """Tuesday 1 December 2026, 8.00 in Helsinki."""
    with time_machine.travel(at("2026-12-01", 8), tick=True):
        yield


def free_time(**kw):
    data = {
        "starts_on": "8.12.2026",
        "repeat_until": "",
        "start_time": "9:00",
        "end_time": "12:00",
        "length": "60",
        "modality": "video",
        "place": "",
    }
    data.update(kw)
    return data


def field_error(html: str, field: str) -> str:
    """The error text shown under a field (crispy: the element with id error_1_id_<field>)."""
    found = re.search(rf'id="error_1_id_free_{field}">(.*?)</p>', html, re.DOTALL)
    assert found, f"no error next to {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# The Kela contact publishes -------------------------------------------------------------------


def test_a_weekly_rule_is_published_from_the_profile(client_as, kela):
    data = free_time(repeat_until="22.12.2026")
    response = client_as(kela).post(reverse("kela_free_times_add"), data, follow=True)
    assert KelaSlot.objects.filter(contact=kela).count() == 9  # three Tuesdays, 9–12
    html = response.content.decode()
    assert "9 vapaata aikaa julkaistiin." in html
    assert "ti 8.12.2026 09:00–10:00 – Etäyhteys" in html


def test_a_time_in_the_past_is_told_next_to_the_date_and_nothing_typed_is_lost(client_as, kela):
    data = free_time(starts_on="1.12.2026", start_time="7:00", end_time="7:45", length="45")
    response = client_as(kela).post(reverse("kela_free_times_add"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "starts_on") == "Vapaa aika ei voi olla menneisyydessä."
    assert 'value="1.12.2026"' in html and 'value="7:00"' in html
    assert '<option value="45" selected>' in html
    assert not KelaSlot.objects.exists()


def test_an_overlapping_time_is_told_next_to_the_start(client_as, kela):
    publish(kela, D(2026, 12, 8), T(10), T(11))
    response = client_as(kela).post(reverse("kela_free_times_add"), free_time())
    assert response.status_code == 400
    error = field_error(response.content.decode(), "start_time")
    assert error == "Sinulla on jo päällekkäinen vapaa aika ti 8.12.2026 10:00–11:00."


def test_a_holiday_and_a_face_to_face_time_without_a_place_are_told(client_as, kela):
    data = free_time(starts_on="24.12.2026", modality="face_to_face")
    html = client_as(kela).post(reverse("kela_free_times_add"), data).content.decode()
    assert "Jouluaatto" in field_error(html, "starts_on")
    assert field_error(html, "place").startswith("Kerro, missä tapaat kasvokkain")


def test_the_contact_removes_a_free_time_and_sees_which_are_booked(
    client_as, kela, alice, youth, consent
):
    free, taken = publish(kela, D(2026, 12, 8), T(9), T(11))
    client = client_as(alice)
    client.post(reverse("meetings:create", args=[youth.pk]), booking(slot=taken.pk, action="book"))
    client = client_as(kela)
    response = client.post(reverse("kela_free_time_remove", args=[free.pk]), follow=True)
    html = response.content.decode()
    assert "Vapaa aika ti 8.12.2026 09:00–10:00 poistettiin." in html
    assert "Varattu" in html
    assert list(KelaSlot.objects.all()) == [taken]
    response = client.post(reverse("kela_free_time_remove", args=[taken.pk]), follow=True)
    assert "Tämä aika on jo varattu tapaamiseen" in response.content.decode()
    assert KelaSlot.objects.filter(pk=taken.pk).exists()


# The worker books -----------------------------------------------------------------------------


def test_the_chosen_contact_s_free_times_come_with_htmx(client_as, alice, youth, kela):
    publish(kela, D(2026, 12, 8), T(9), T(11))
    client = client_as(alice)
    html = client.get(reverse("meetings:create", args=[youth.pk])).content.decode()
    assert f'hx-get="{reverse("meetings:free_times")}"' in html
    assert 'hx-target="#free-times"' in html and '<div id="free-times"' in html
    url = reverse("meetings:free_times") + f"?kela_contact={kela.pk}"
    html = client.get(url).content.decode()
    assert f"Vapaat ajat: {kela.get_full_name()}" in html
    assert html.count('name="slot"') == 2
    assert "Varaa valittu aika (vahvistuu heti)" in html


def test_without_javascript_show_free_times_keeps_what_was_typed(
    client_as, alice, youth, consent, kela
):
    publish(kela, D(2026, 12, 8), T(9), T(11))
    data = booking(kela, action="free_times", goal="Asumistuki kuntoon")
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Vapaat ajat: {kela.get_full_name()}" in html
    assert html.count("ti 8.12.2026") == 3  # the day once, and for screen readers in each
    assert "09:00–10:00 – Etäyhteys" in html and "10:00–11:00 – Etäyhteys" in html
    assert "Asumistuki kuntoon" in html
    assert "invalid-feedback" not in html
    assert not JointMeeting.objects.exists()


def test_a_free_time_is_booked_in_one_step(client_as, alice, youth, consent, kela):
    _first, second = publish(kela, D(2026, 12, 8), T(9), T(11))
    data = booking(kela, action="book", slot=second.pk, day="", start_time="", end_time="")
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data, follow=True)
    meeting = JointMeeting.objects.get()
    assert response.redirect_chain[-1][0] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.status == JointMeeting.Status.CONFIRMED
    assert meeting.starts_at == at("2026-12-08", 10)
    assert meeting.kela_participant.user == kela
    assert meeting.kela_participant.status == Participant.Status.ACCEPTED
    assert meeting.participants.filter(name="Tiina Tukihenkilö").exists()
    html = response.content.decode()
    assert "Tapaaminen on varattu ja vahvistettu: ti 8.12.2026 10:00–11:00" in html
    second.refresh_from_db()
    assert second.meeting == meeting


def test_a_time_just_taken_is_told_next_to_the_free_times_and_nothing_is_lost(
    client_as, alice, youth, consent, kela
):
    first, second = publish(kela, D(2026, 12, 8), T(9), T(11))
    other_youth = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
    f.ConsentFactory(youth=other_youth, recorded_by=alice)
    client = client_as(alice)
    client.post(
        reverse("meetings:create", args=[other_youth.pk]), booking(action="book", slot=first.pk)
    )
    data = booking(kela, action="book", slot=first.pk, goal="Asumistuki kuntoon")
    response = client.post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Joku muu varasi tämän ajan hetki sitten." in html
    assert 'id="slot-error"' in html
    assert "Asumistuki kuntoon" in html and "Tiina Tukihenkilö" in html
    # The time taken is no longer offered; the other one is.
    assert f'id="slot-{first.pk}"' not in html and f'id="slot-{second.pk}"' in html
    assert JointMeeting.objects.filter(youth=youth).count() == 0


def test_booking_without_choosing_a_time_is_told(client_as, alice, youth, consent, kela):
    publish(kela, D(2026, 12, 8), T(9), T(10))
    data = booking(kela, action="book", day="", start_time="", end_time="")
    html = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    html = html.content.decode()
    assert "Valitse yksi vapaista ajoista." in html
    assert "Tämä kenttä vaaditaan" not in html
    assert not JointMeeting.objects.exists()


def test_the_free_times_of_an_absent_contact_are_not_offered(client_as, alice, kela):
    (tue,) = publish(kela, D(2026, 12, 8), T(9), T(10))
    (wed,) = publish(kela, D(2026, 12, 9), T(9), T(10))
    KelaAbsence.objects.create(
        profile=kela.kela_profile, starts_on=D(2026, 12, 9), ends_on=D(2026, 12, 9)
    )
    url = reverse("meetings:free_times") + f"?kela_contact={kela.pk}"
    html = client_as(alice).get(url).content.decode()
    assert f'value="{tue.pk}"' in html and f'value="{wed.pk}"' not in html


def test_a_contact_without_free_times_is_said_so(client_as, alice, kela):
    url = reverse("meetings:free_times") + f"?kela_contact={kela.pk}"
    html = client_as(alice).get(url).content.decode()
    assert "Ei vapaita aikoja seuraavan 6 viikon aikana." in html
    assert (
        client_as(alice).get(reverse("meetings:free_times") + "?kela_contact=x").status_code == 200
    )


def test_the_booking_page_with_200_contacts_and_1000_free_times_costs_the_same_queries(
    client_as, alice, youth, consent, kela, kela_other, django_assert_num_queries
):
    publish(kela, D(2026, 12, 8), T(9), T(10))
    client = client_as(alice)
    url = reverse("meetings:create", args=[youth.pk])
    data = booking(kela, action="free_times")
    partial = reverse("meetings:free_times") + f"?kela_contact={kela.pk}"
    client.post(url, data)
    with CaptureQueriesContext(connection) as small:
        client.post(url, data)
    with CaptureQueriesContext(connection) as small_partial:
        client.get(partial)
    contacts = [kela, kela_other] + [f.KelaContactFactory() for _ in range(198)]
    start = at("2026-12-02", 8)
    slots = []
    for i in range(1000):
        contact = contacts[i % 20]  # 50 each for 20 contacts, kela among them
        starts = start + datetime.timedelta(days=(i // 20) % 30, minutes=30 * (i // 600))
        starts += datetime.timedelta(hours=(i // 20) // 30)
        slots.append(
            KelaSlot(
                contact=contact,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30),
                day=timezone.localdate(starts),
                modality="video",
            )
        )
    KelaSlot.objects.bulk_create(slots)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.post(url, data)
    assert response.content.decode().count('name="slot"') > 40
    with django_assert_num_queries(len(small_partial.captured_queries)):
        client.get(partial)


def test_the_profile_lists_the_coming_free_times_at_a_constant_cost(
    client_as, kela, alice, youth, consent, django_assert_num_queries
):
    first, _second = publish(kela, D(2026, 12, 8), T(9), T(11))
    client = client_as(alice)
    client.post(reverse("meetings:create", args=[youth.pk]), booking(slot=first.pk, action="book"))
    client = client_as(kela)
    client.get(reverse("kela_profile"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("kela_profile"))
    publish(kela, D(2026, 12, 9), T(8), T(16), 30, until=D(2027, 5, 26))  # 16 a week, 26 weeks
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(reverse("kela_profile")).content.decode()
    assert html.count("Poista<span") == 60 - 1  # the booked one cannot be removed
    assert f"Näytetään ensimmäiset 60 / {KelaSlot.objects.count()}." in html
