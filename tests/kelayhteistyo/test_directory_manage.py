"""Coordinators keep the Kela contact directory in the app (issue 18): add a contact (a user
with the role and a Kela organisation), change areas, take out of the directory and back."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kelayhteistyo.models import KelaContactProfile, User
from tests import factories as f


def new_contact(kela, **changes) -> dict:
    data = {
        "first_name": "Riikka",
        "last_name": "Rinne",
        "email": "Riikka.Rinne@Kela.fi",
        "phone": "020 634 0000",
        "preferred_language": "sv",
        "organisation": kela.organisation_id,
        "entry-title": "Asiantuntija",
        "entry-areas": [f.county("kanta-hame").pk],
        "entry-languages": [f.language("sv").pk],
        "entry-offers_video": "on",
    }
    data.update(changes)
    return data


def test_a_coordinator_adds_a_kela_contact_whom_workers_then_find(
    client_as, coordinator, alice, kela
):
    response = client_as(coordinator).post(reverse("directory_contact_add"), new_contact(kela))
    assert response.status_code == 302
    user = User.objects.get(email="riikka.rinne@kela.fi")
    assert (user.role, user.organisation, user.preferred_language) == (
        User.Role.KELA_CONTACT,
        kela.organisation,
        "sv",
    )
    assert not user.has_usable_password()
    profile = user.kela_profile
    assert [a.code for a in profile.areas.all()] == ["kanta-hame"]
    assert (profile.offers_face_to_face, profile.offers_video) == (False, True)
    directory = client_as(alice).get(reverse("directory"), {"county": f.county("kanta-hame").pk})
    assert [c.email for c in directory.context["contacts"]] == ["riikka.rinne@kela.fi"]


def test_an_address_in_use_is_refused_next_to_the_field_and_the_input_stays(
    client_as, coordinator, kela
):
    data = new_contact(kela, email=kela.email.upper())
    response = client_as(coordinator).post(reverse("directory_contact_add"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Tämä sähköpostiosoite on jo käytössä."]
    assert 'value="Riikka"' in response.content.decode()
    assert not User.objects.filter(first_name="Riikka").exists()


def test_only_a_kela_organisation_can_be_chosen(client_as, coordinator, alice, kela):
    data = new_contact(kela, organisation=alice.organisation_id)
    response = client_as(coordinator).post(reverse("directory_contact_add"), data)
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors


def test_a_coordinator_changes_the_areas(client_as, coordinator, kela):
    profile = kela.kela_profile
    data = {
        "entry-title": "Asiantuntija",
        "entry-areas": [f.county("kanta-hame").pk, f.county("etela-pohjanmaa").pk],
        "entry-languages": [f.language("fi").pk],
        "entry-offers_face_to_face": "on",
    }
    url = reverse("directory_contact_edit", args=[profile.pk])
    assert client_as(coordinator).post(url, data).status_code == 302
    assert sorted(a.code for a in profile.areas.all()) == ["etela-pohjanmaa", "kanta-hame"]


def test_a_contact_taken_out_is_not_found_nor_chosen_as_substitute(
    client_as, coordinator, alice, kela, kela_other
):
    profile = kela.kela_profile
    url = reverse("directory_contact_active", args=[profile.pk])
    assert client_as(coordinator).post(url, {"active": "0"}).status_code == 302
    assert not KelaContactProfile.objects.get(pk=profile.pk).active
    directory = client_as(alice).get(reverse("directory"))
    assert kela not in directory.context["contacts"]
    page = client_as(kela_other).get(reverse("kela_profile"))
    assert kela not in page.context["absence_form"].fields["substitute"].queryset
    client_as(coordinator).post(url, {"active": "1"})
    assert kela in client_as(alice).get(reverse("directory")).context["contacts"]


def test_the_directory_page_costs_the_same_queries_with_200_contacts(
    client_as, coordinator, kela, django_assert_num_queries
):
    client = client_as(coordinator)
    url = reverse("directory_manage")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(199):
        f.KelaContactFactory()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["profiles"]) == 200
