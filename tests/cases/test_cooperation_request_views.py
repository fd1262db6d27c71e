"""Kela starts cooperation (issue 18), through the pages: Kela finds a unit and sends a
request (bad input next to the field, nothing typed lost; a unit outside its areas allowed
with a warning); the unit's workers see it on their home page, one takes it, finds or creates
the young person, books — or declines with a reason Kela sees. Every read is logged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CooperationRequest, YouthClient
from kelayhteistyo.models import AccessLog
from meetings.models import JointMeeting
from tests import factories as f

Status = CooperationRequest.Status


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=30)


def request_data(**kw):
    return {
        "first_name": "Ahmad",
        "last_name": "Rahimi",
        "date_of_birth": years_ago(19).strftime("%d.%m.%Y"),
        "noticed": "Opinnot keskeytyivät.",
        "asked": "Ottakaa yhteyttä nuoreen.",
        "contact_agreed": "Puhelimitse iltapäivisin",
        **kw,
    }


@pytest.fixture
def coop(kela, alice):
    return f.cooperation_request(kela=kela, organisation=alice.organisation)


def test_kela_finds_aftercare_units_by_county(client_as, kela, org_a, org_b):
    org_b.county = f.county("kanta-hame")
    org_b.save()
    f.KelaOrganisationFactory()  # Kela is not an aftercare unit
    client = client_as(kela)
    rows = client.get(reverse("requests:units")).context["rows"]
    assert {unit for unit, _serves in rows} == {org_a, org_b}
    assert dict(rows) == {org_a: True, org_b: False}
    response = client.get(reverse("requests:units"), {"county": org_b.county_id})
    assert [unit for unit, _serves in response.context["rows"]] == [org_b]
    assert "(ei alueillasi)" in response.content.decode()


def test_kela_sends_a_request_and_sees_its_state(client_as, kela, alice):
    client = client_as(kela)
    url = reverse("requests:create", args=[alice.organisation_id])
    response = client.post(url, request_data(), follow=True)
    coop = CooperationRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("requests:detail", args=[coop.pk])
    assert (coop.first_name, coop.sent_by, coop.organisation) == ("Ahmad", kela, alice.organisation)
    page = response.content.decode()
    assert "Pyyntö lähetettiin" in page
    assert "Lähetetty, odottaa yksikköä" in page
    home = client.get("/")
    assert [r.pk for r in home.context["my_requests"]] == [coop.pk]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("first_name", "", "Tämä kenttä vaaditaan."),
        ("asked", "", "Tämä kenttä vaaditaan."),
        ("date_of_birth", "12/03/2005", "Kirjoita päivämäärä muodossa"),
        ("date_of_birth", "1.1.2099", "Syntymäaika on tulevaisuudessa."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_typed_is_lost(
    client_as, kela, alice, field, value, message
):
    url = reverse("requests:create", args=[alice.organisation_id])
    response = client_as(kela).post(url, request_data(**{field: value, "noticed": "Huomattu X"}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    page = response.content.decode()
    assert f'id="error_1_id_{field}"' in page  # crispy's error next to the field
    assert "Huomattu X" in page and 'value="Rahimi"' in page
    assert not CooperationRequest.objects.exists()


def test_an_age_outside_aftercare_must_be_confirmed(client_as, kela, alice):
    url = reverse("requests:create", args=[alice.organisation_id])
    data = request_data(date_of_birth=years_ago(30).strftime("%d.%m.%Y"))
    response = client_as(kela).post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["confirm_warning"]
    data["confirm_warning"] = "on"
    assert client_as(kela).post(url, data).status_code == 302


def test_a_unit_outside_the_contacts_areas_is_allowed_with_a_warning(client_as, kela, org_b):
    org_b.county = f.county("kanta-hame")
    org_b.save()
    client = client_as(kela)
    url = reverse("requests:create", args=[org_b.pk])
    form = client.get(url).content.decode()
    assert "ei ole palvelemiesi alueiden joukossa" in form
    response = client.post(url, request_data(), follow=True)
    assert CooperationRequest.objects.get().organisation == org_b
    assert "ei ole palvelemiesi alueiden joukossa" in response.content.decode()


def test_a_request_only_goes_to_an_aftercare_unit(client_as, kela):
    url = reverse("requests:create", args=[kela.organisation_id])
    assert client_as(kela).get(url).status_code == 404


def test_the_units_workers_see_it_on_their_home_page_others_do_not(
    client_as, alice, bob, kela, kela_other, coop
):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    for worker in (alice, colleague):
        assert [r.pk for r in client_as(worker).get("/").context["cooperation_requests"]] == [
            coop.pk
        ]
    assert client_as(bob).get("/").context["cooperation_requests"] == []
    assert client_as(kela_other).get("/").context["my_requests"] == []
    url = reverse("requests:detail", args=[coop.pk])
    assert client_as(bob).get(url).status_code == 404
    assert client_as(kela_other).get(url).status_code == 404


def test_taken_it_leaves_colleagues_home_pages(client_as, alice, coop):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    response = client_as(alice).post(reverse("requests:take", args=[coop.pk]), follow=True)
    assert "Otit pyynnön" in response.content.decode()
    assert [r.pk for r in client_as(alice).get("/").context["cooperation_requests"]] == [coop.pk]
    assert client_as(colleague).get("/").context["cooperation_requests"] == []
    whole = client_as(colleague).get("/", {"scope": "organisation"})
    assert [r.pk for r in whole.context["cooperation_requests"]] == [coop.pk]
    again = client_as(colleague).post(reverse("requests:take", args=[coop.pk]), follow=True)
    assert "on jo ottanut tämän pyynnön" in again.content.decode()


def test_declining_needs_a_reason_next_to_the_field_and_kela_sees_it(client_as, alice, kela, coop):
    url = reverse("requests:decline", args=[coop.pk])
    response = client_as(alice).post(url, {"reason": ""})
    assert response.status_code == 400
    assert 'id="error_1_id_reason"' in response.content.decode()
    assert "Kerro Kelalle" in response.content.decode()
    client_as(alice).post(url, {"reason": "Nuori ei ole jälkihuollon asiakas."})
    coop.refresh_from_db()
    assert coop.status == Status.DECLINED
    detail = client_as(kela).get(reverse("requests:detail", args=[coop.pk])).content.decode()
    assert "Nuori ei ole jälkihuollon asiakas." in detail and "Yksikkö hylkäsi" in detail
    home = client_as(kela).get("/").content.decode()
    assert "Nuori ei ole jälkihuollon asiakas." in home


def test_the_taker_finds_the_record_and_links_it(client_as, alice, coop):
    same = f.YouthFactory(
        organisation=alice.organisation,
        responsible_worker=alice,
        first_name="Ahmad",
        last_name="Rahimi",
        date_of_birth=coop.date_of_birth,
    )
    f.YouthFactory(
        organisation=alice.organisation,
        responsible_worker=alice,
        first_name="Eero",
        date_of_birth=coop.date_of_birth - datetime.timedelta(days=400),
    )
    services.cooperation_request_take(request=coop, by=alice)
    client = client_as(alice)
    detail = client.get(reverse("requests:detail", args=[coop.pk]))
    assert detail.context["candidates"] == [same]
    assert AccessLog.objects.filter(
        user=alice, youth=same, object_type="cooperationrequest_match"
    ).exists()
    link = reverse("requests:link", args=[coop.pk])
    refused = client.post(link, {})
    assert refused.status_code == 400 and "Valitse nuori." in refused.content.decode()
    client.post(link, {"youth": same.pk})
    coop.refresh_from_db()
    assert coop.youth == same
    page = client.get(reverse("requests:detail", args=[coop.pk])).content.decode()
    assert reverse("cases:consent_create", args=[same.pk]) in page
    record = client.get(reverse("cases:detail", args=[same.pk])).content.decode()
    assert reverse("requests:detail", args=[coop.pk]) in record


def test_a_new_record_is_created_with_the_name_and_date_of_birth_filled_in(client_as, alice, coop):
    services.cooperation_request_take(request=coop, by=alice)
    client = client_as(alice)
    url = reverse("cases:create") + f"?cooperation_request={coop.pk}"
    form = client.get(url).context["form"]
    assert form["first_name"].value() == "Ahmad"
    assert form["date_of_birth"].value() == coop.date_of_birth
    data = {
        "first_name": "Ahmad",
        "last_name": "Rahimi",
        "date_of_birth": coop.date_of_birth.isoformat(),
        "client_group": "aftercare",
        "language": f.language("fi").pk,
        "responsible_worker": alice.pk,
        "cooperation_request": str(coop.pk),
    }
    assert client.post(reverse("cases:create"), data).status_code == 302
    coop.refresh_from_db()
    assert coop.youth == YouthClient.objects.get()


def test_only_the_taker_creates_a_record_for_the_request(client_as, alice, coop):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    url = reverse("cases:create") + f"?cooperation_request={coop.pk}"
    assert client_as(alice).get(url).status_code == 404  # not taken yet
    services.cooperation_request_take(request=coop, by=alice)
    assert client_as(colleague).get(url).status_code == 404
    assert client_as(alice).get(reverse("cases:create") + "?cooperation_request=x").status_code == (
        404
    )


def test_booking_from_the_request_invites_the_kela_contact_who_sent_it(
    client_as, alice, kela, youth, consent, coop, tomorrow_10
):
    services.cooperation_request_take(request=coop, by=alice)
    services.cooperation_request_link(request=coop, youth=youth, by=alice)
    client = client_as(alice)
    page = client.get(reverse("requests:detail", args=[coop.pk])).content.decode()
    book = reverse("meetings:create", args=[youth.pk]) + f"?cooperation_request={coop.pk}"
    assert book.replace("&", "&amp;") in page or book in page
    form = client.get(book)
    assert form.context["form"].initial["kela_contact"] == kela.pk
    assert f'name="cooperation_request" value="{coop.pk}"' in form.content.decode()
    data = {
        "cooperation_request": str(coop.pk),
        "action": "invite",
        "goal": "Opinnot ja toimeentulo",
        "topics": ["student_aid"],
        "day": tomorrow_10.strftime("%d.%m.%Y"),
        "start_time": "10:00",
        "end_time": "11:00",
        "modality": "face_to_face",
        "place": "Jälkihuolto",
        "language": f.language("fi").pk,
        "kela_contact": kela.pk,
        "others-TOTAL_FORMS": "0",
        "others-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting = JointMeeting.objects.get()
    coop.refresh_from_db()
    assert coop.status == Status.BOOKED and meeting.cooperation_request == coop
    kela_page = client_as(kela).get(reverse("requests:detail", args=[coop.pk])).content.decode()
    assert "Yhteinen tapaaminen varattu" in kela_page


def test_every_read_is_in_the_access_log_and_in_the_young_persons_report(
    client_as, alice, kela, youth, coop
):
    client_as(kela).get(reverse("requests:detail", args=[coop.pk]))
    client_as(kela).get("/")
    client_as(alice).get("/")
    client_as(alice).get(reverse("requests:detail", args=[coop.pk]))
    rows = AccessLog.objects.filter(object_id=str(coop.pk))
    assert set(rows.values_list("user__first_name", "action", "object_type", "basis")) == {
        ("Kaisa", "create", "cooperationrequest", "request"),
        ("Kaisa", "read", "cooperationrequest", "request"),
        ("Kaisa", "read", "cooperationrequest_list", "request"),
        ("Alice", "read", "cooperationrequest_list", "request"),
        ("Alice", "read", "cooperationrequest", "request"),
    }
    assert not rows.exclude(youth=None).exists()  # no record yet
    services.cooperation_request_take(request=coop, by=alice)
    services.cooperation_request_link(request=coop, youth=youth, by=alice)
    client_as(kela).get(reverse("requests:detail", args=[coop.pk]))
    assert AccessLog.objects.filter(
        youth=youth, user=kela, object_type="cooperationrequest", action="read"
    ).exists()
    assert youth.access_log_entries().filter(user=kela).count() == 4
    client = client_as(alice)
    session = client.session
    session["auth_at"] = timezone.now().isoformat()
    session.save()
    report = client.get(reverse("cases:access_report", args=[youth.pk])).content.decode()
    assert "Kelan yhteistyöpyyntö" in report


def test_the_unit_directory_has_a_constant_number_of_queries(
    client_as, kela, org_a, django_assert_num_queries
):
    client = client_as(kela)
    url = reverse("requests:units")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for code in ("kanta-hame", "pirkanmaa", "pohjanmaa", "helsinki"):
        f.OrganisationFactory(county=f.county(code))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 5
