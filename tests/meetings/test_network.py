"""The whole network (issue 17): other participants with a role, added, changed and removed until
the meeting is held; an interpreter needs a language."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import JointMeeting, Participant
from tests import factories as f
from tests.meetings.test_views import booking

SUPPORT = {"name": "Tiina Tukihenkilö", "network_role": "support_person"}


def member_form(**fields) -> dict:
    data = {
        "name": "Tiina Tukihenkilö",
        "network_role": "support_person",
        "role_title": "",
        "organisation_name": "Tukikeskus",
        "email": "",
        "interpreter_language": "",
        "joins_by": "",
    }
    data.update(fields)
    return data


def network(meeting) -> list[Participant]:
    return list(meeting.participants.network())


# Services ------------------------------------------------------------------------------------


class TestServices:
    def test_a_member_is_added_with_a_role_and_joins_as_the_young_person(self, meeting, alice):
        member = services.network_member_add(meeting=meeting, by=alice, fields=SUPPORT)
        assert network(meeting) == [member]
        assert member.get_network_role_display() == "Tukihenkilö"
        assert member.joins_by == "face_to_face"  # as the young person

    def test_a_member_is_changed_and_a_new_address_clears_its_problem(self, meeting, alice):
        member = services.network_member_add(
            meeting=meeting, by=alice, fields={**SUPPORT, "email": "tiina@example.org"}
        )
        Participant.objects.filter(pk=member.pk).update(email_problem="refused")
        member.refresh_from_db()
        services.network_member_edit(
            participant=member,
            by=alice,
            fields={**SUPPORT, "email": "tiina@example.com", "joins_by": "video"},
        )
        member.refresh_from_db()
        assert (member.email, member.email_problem, member.joins_by) == (
            "tiina@example.com",
            "",
            "video",
        )
        meeting.refresh_from_db()
        assert meeting.modality == "mixed"  # the others meet face to face

    def test_a_removed_member_is_kept_for_the_record_and_takes_no_part(self, meeting, alice):
        member = services.network_member_add(meeting=meeting, by=alice, fields=SUPPORT)
        services.network_member_remove(participant=member, by=alice)
        member.refresh_from_db()
        assert member.is_removed and not member.is_taking_part
        assert network(meeting) == []
        with pytest.raises(ValidationError):
            services.network_member_remove(participant=member, by=alice)

    def test_an_interpreter_needs_a_language(self, meeting, alice):
        with pytest.raises(ValidationError) as error:
            services.network_member_add(
                meeting=meeting, by=alice, fields={"name": "Ali", "network_role": "interpreter"}
            )
        assert "interpreter_language" in error.value.error_dict
        arabic = f.language("ar")
        member = services.network_member_add(
            meeting=meeting,
            by=alice,
            fields={"name": "Ali", "network_role": "interpreter", "interpreter_language": arabic},
        )
        assert member.interpreter_language == arabic

    def test_the_network_is_closed_once_the_meeting_is_held(self, youth, alice, kela, consent):
        held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        with pytest.raises(ValidationError):
            services.network_member_add(meeting=held, by=alice, fields=SUPPORT)
        member = Participant.objects.create(meeting=held, kind="other", **SUPPORT)
        for call in (
            lambda: services.network_member_edit(participant=member, by=alice, fields=SUPPORT),
            lambda: services.network_member_remove(participant=member, by=alice),
        ):
            with pytest.raises(ValidationError):
                call()
        member.refresh_from_db()
        assert not member.is_removed

    def test_a_cancelled_meeting_is_closed_too(self, meeting, alice):
        services.meeting_cancel(meeting=meeting, by=alice, reason="Sairastui")
        with pytest.raises(ValidationError):
            services.network_member_add(meeting=meeting, by=alice, fields=SUPPORT)


# Views ---------------------------------------------------------------------------------------


class TestViews:
    def test_the_worker_adds_a_member_from_the_meeting_page(self, client_as, alice, meeting):
        client = client_as(alice)
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        add = reverse("meetings:network_add", args=[meeting.pk])
        assert add in page
        response = client.post(add, member_form())
        assert response.status_code == 302
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "Tiina Tukihenkilö" in page and "Tukihenkilö" in page

    def test_an_interpreter_without_a_language_gets_a_message_next_to_the_field(
        self, client_as, alice, meeting
    ):
        url = reverse("meetings:network_add", args=[meeting.pk])
        response = client_as(alice).post(
            url, member_form(name="Ali Tulkki", network_role="interpreter")
        )
        assert response.status_code == 400
        assert response.context["form"].errors["interpreter_language"] == [
            "Valitse kieli, jota tulkki tulkkaa."
        ]
        assert 'value="Ali Tulkki"' in response.content.decode()  # nothing typed lost
        assert not network(meeting)

    def test_a_member_without_a_role_is_refused(self, client_as, alice, meeting):
        url = reverse("meetings:network_add", args=[meeting.pk])
        response = client_as(alice).post(url, member_form(network_role=""))
        assert response.status_code == 400
        assert "network_role" in response.context["form"].errors

    def test_the_worker_changes_and_removes_a_member(self, client_as, alice, meeting):
        member = services.network_member_add(meeting=meeting, by=alice, fields=SUPPORT)
        client = client_as(alice)
        edit = reverse("meetings:network_edit", args=[meeting.pk, member.pk])
        assert 'value="Tiina Tukihenkilö"' in client.get(edit).content.decode()
        response = client.post(edit, member_form(name="Tiina T.", network_role="family_member"))
        assert response.status_code == 302
        member.refresh_from_db()
        assert (member.name, member.network_role) == ("Tiina T.", "family_member")
        response = client.post(
            reverse("meetings:network_remove", args=[meeting.pk, member.pk]), follow=True
        )
        page = response.content.decode()
        assert "Tiina T. poistettiin tapaamisesta." in page
        assert "<strong>Tiina T.</strong>" not in page
        # A removed member is gone from the pages.
        assert client.get(edit).status_code == 404

    def test_after_the_meeting_is_held_the_pages_refuse(
        self, client_as, alice, youth, kela, consent
    ):
        held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        member = Participant.objects.create(meeting=held, kind="other", **SUPPORT)
        client = client_as(alice)
        response = client.post(reverse("meetings:network_add", args=[held.pk]), member_form())
        assert response.status_code == 302
        assert network(held) == [member]
        response = client.post(
            reverse("meetings:network_remove", args=[held.pk, member.pk]), follow=True
        )
        assert "ei voi enää muuttaa" in response.content.decode()
        member.refresh_from_db()
        assert not member.is_removed
        page = client.get(reverse("meetings:detail", args=[held.pk])).content.decode()
        assert reverse("meetings:network_add", args=[held.pk]) not in page

    def test_another_meetings_member_is_a_404(self, client_as, alice, meeting, youth, kela):
        other = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        member = services.network_member_add(meeting=other, by=alice, fields=SUPPORT)
        url = reverse("meetings:network_edit", args=[meeting.pk, member.pk])
        assert client_as(alice).get(url).status_code == 404

    def test_the_booking_form_takes_the_role_address_and_language(
        self, client_as, alice, youth, kela, consent
    ):
        data = booking(
            kela,
            **{
                "others-1-name": "Ali Tulkki",
                "others-1-network_role": "interpreter",
                "others-1-interpreter_language": f.language("ar").pk,
                "others-1-email": "ali@example.org",
            },
        )
        response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
        assert response.status_code == 302
        meeting = JointMeeting.objects.get()
        roles = {p.name: (p.network_role, p.email) for p in network(meeting)}
        assert roles == {
            "Tiina Tukihenkilö": ("support_person", ""),
            "Ali Tulkki": ("interpreter", "ali@example.org"),
        }

    def test_the_booking_form_wants_a_language_for_an_interpreter(
        self, client_as, alice, youth, kela, consent
    ):
        data = booking(kela, **{"others-1-name": "Ali", "others-1-network_role": "interpreter"})
        response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
        assert response.status_code == 200
        assert response.context["others"][1].errors["interpreter_language"]
        assert not JointMeeting.objects.exists()

    def test_kela_does_not_see_the_members_addresses(self, client_as, alice, kela, meeting):
        services.network_member_add(
            meeting=meeting, by=alice, fields={**SUPPORT, "email": "tiina@example.org"}
        )
        page = client_as(kela).get(reverse("meetings:detail", args=[meeting.pk])).content
        assert b"Tiina" in page and b"tiina@example.org" not in page
        assert b"network/add" not in page


def test_the_meeting_page_with_ten_members_costs_what_it_does_with_one(
    client_as, alice, meeting, django_assert_num_queries
):
    arabic = f.language("ar")
    services.network_member_add(meeting=meeting, by=alice, fields=SUPPORT)
    client = client_as(alice)
    url = reverse("meetings:detail", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(9):
        fields = {"name": f"Tulkki {i}", "network_role": "interpreter"}
        services.network_member_add(
            meeting=meeting, by=alice, fields={**fields, "interpreter_language": arabic}
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(network(meeting)) == 10
    assert response.content.decode().count("(arabia)") == 9
