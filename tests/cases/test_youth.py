"""The young person's record: adding, changing, warnings and the identity code."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import WorkerHandover, YouthClient, mask_identity_code
from kelayhteistyo.models import AccessLog
from tests import factories as f

VALID_CODE = "131052-308T"


def years_ago(years: int, days: int = 30) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def form_data(**kw):
    data = {
        "first_name": "Aino",
        "last_name": "Järvinen",
        "date_of_birth": years_ago(19).isoformat(),
        "identity_code": "",
        "client_group": "aftercare",
        "language": f.language("fi").pk,
        "email": "",
        "phone": "",
        "aftercare_ends_on": "",
    }
    data.update(kw)
    return data


def test_it_adds_a_young_person(client_as, alice):
    response = client_as(alice).post(
        reverse("cases:create"), form_data(responsible_worker=alice.pk)
    )
    youth = YouthClient.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[youth.pk]
    )
    assert youth.organisation == alice.organisation
    assert youth.aftercare_ends_on == youth.default_aftercare_end()
    assert AccessLog.objects.filter(youth=youth, action="create", user=alice).exists()


def test_an_empty_name_is_refused_next_to_the_field(client_as, alice):
    response = client_as(alice).post(
        reverse("cases:create"), form_data(first_name="", responsible_worker=alice.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"]
    assert 'value="Järvinen"' in response.content.decode()


@pytest.mark.parametrize("age", [15, 25, 30])
def test_an_age_outside_16_to_24_must_be_confirmed(client_as, alice, age):
    data = form_data(date_of_birth=years_ago(age).isoformat(), responsible_worker=alice.pk)
    response = client_as(alice).post(reverse("cases:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.warnings and form.errors["confirm_warning"]
    assert not YouthClient.objects.exists()
    data["confirm_warning"] = "on"
    assert client_as(alice).post(reverse("cases:create"), data).status_code == 302
    assert YouthClient.objects.count() == 1


def test_a_past_aftercare_end_must_be_confirmed(client_as, alice):
    data = form_data(aftercare_ends_on="2020-01-01", responsible_worker=alice.pk)
    response = client_as(alice).post(reverse("cases:create"), data)
    assert response.context["form"].errors["confirm_warning"]


def test_an_invalid_identity_code_is_refused(client_as, alice):
    data = form_data(identity_code="131052-308X", responsible_worker=alice.pk)
    response = client_as(alice).post(reverse("cases:create"), data)
    assert response.context["form"].errors["identity_code"]
    assert not YouthClient.objects.exists()


def test_an_identity_code_that_does_not_match_the_birth_date_is_refused(client_as, alice):
    data = form_data(identity_code=VALID_CODE, responsible_worker=alice.pk)
    response = client_as(alice).post(reverse("cases:create"), data)
    assert "Henkilötunnus ei vastaa syntymäaikaa" in str(
        response.context["form"].errors["identity_code"]
    )


def test_the_identity_code_is_stored_and_only_shown_masked(client_as, alice):
    # Pasted with spaces around it: the field takes them (the browser cuts at maxlength), the
    # server strips them.
    page = client_as(alice).get(reverse("cases:create")).content.decode()
    assert re.search(r'<input[^>]*name="identity_code"[^>]*maxlength="20"', page)
    data = form_data(
        identity_code=f" {VALID_CODE.lower()} ",
        date_of_birth="1952-10-13",
        responsible_worker=alice.pk,
        confirm_warning="on",
    )
    client_as(alice).post(reverse("cases:create"), data)
    youth = YouthClient.objects.get()
    assert youth.identity_code == VALID_CODE
    for url in (reverse("cases:detail", args=[youth.pk]), reverse("cases:edit", args=[youth.pk])):
        page = client_as(alice).get(url).content.decode()
        assert VALID_CODE not in page
        assert "308T" not in page
    assert (
        mask_identity_code(VALID_CODE)
        in client_as(alice).get(reverse("cases:detail", args=[youth.pk])).content.decode()
    )


def test_editing_without_a_new_code_keeps_the_stored_one(client_as, alice, youth):
    YouthClient.objects.filter(pk=youth.pk).update(
        identity_code=VALID_CODE, date_of_birth=datetime.date(1952, 10, 13)
    )
    data = form_data(
        date_of_birth="1952-10-13",
        responsible_worker=alice.pk,
        confirm_warning="on",
        status="active",
        first_name="Uusi",
    )
    client_as(alice).post(reverse("cases:edit", args=[youth.pk]), data)
    youth.refresh_from_db()
    assert youth.first_name == "Uusi"
    assert youth.identity_code == VALID_CODE


def test_a_new_responsible_worker_is_a_recorded_handover(client_as, alice, youth):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    url = reverse("cases:handover", args=[youth.pk])
    assert client_as(alice).post(url, {"to_worker": colleague.pk}).status_code == 302
    handover = WorkerHandover.objects.get(youth=youth)
    assert (handover.from_worker, handover.to_worker, handover.recorded_by) == (
        alice,
        colleague,
        alice,
    )


def test_a_worker_of_another_organisation_cannot_be_made_responsible(client_as, alice, youth, bob):
    url = reverse("cases:handover", args=[youth.pk])
    response = client_as(alice).post(url, {"to_worker": bob.pk})
    assert response.context["form"].errors["to_worker"]


def test_posting_another_organisation_changes_nothing(client_as, alice, org_b):
    data = form_data(responsible_worker=alice.pk, organisation=org_b.pk)
    client_as(alice).post(reverse("cases:create"), data)
    assert YouthClient.objects.get().organisation == alice.organisation


def test_reading_the_record_is_logged(client_as, alice, youth):
    client_as(alice).get(reverse("cases:detail", args=[youth.pk]))
    log = AccessLog.objects.get(action="read")
    assert (log.user, log.youth, log.object_type, log.basis) == (
        alice,
        youth,
        "youthclient",
        "own_client",
    )


def test_the_list_shows_only_the_own_organisation(client_as, alice, bob, youth):
    YouthClient.objects.filter(pk=youth.pk).update(last_name="Omalainen")
    f.YouthFactory(organisation=bob.organisation, responsible_worker=bob, last_name="Vieras")
    page = client_as(alice).get(reverse("cases:list")).content.decode()
    assert "Omalainen" in page
    assert "Vieras" not in page


def test_the_list_searches_by_name(client_as, alice):
    f.YouthFactory(
        organisation=alice.organisation,
        responsible_worker=alice,
        first_name="Aino",
        last_name="Järvinen",
    )
    f.YouthFactory(
        organisation=alice.organisation,
        responsible_worker=alice,
        first_name="Pekka",
        last_name="Virtanen",
    )
    response = client_as(alice).get(reverse("cases:list"), {"q": "järv"})
    assert [y.first_name for y in response.context["page"]] == ["Aino"]


def test_the_list_has_a_constant_number_of_queries(client_as, alice, django_assert_num_queries):
    client = client_as(alice)
    for _ in range(3):
        f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
    # session, user, count, page, the bell's count, one insert of access-log rows (one per
    # young person shown), the session's idle clock (a savepoint, an update)
    with django_assert_num_queries(9) as small:
        client.get(reverse("cases:list"))
    for _ in range(20):
        f.YouthFactory(organisation=alice.organisation)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("cases:list"))


def test_changes_are_in_the_change_history_without_the_identity_code(client_as, alice):
    from auditlog.models import LogEntry

    data = form_data(
        identity_code=VALID_CODE,
        date_of_birth="1952-10-13",
        responsible_worker=alice.pk,
        confirm_warning="on",
    )
    client_as(alice).post(reverse("cases:create"), data)
    youth = YouthClient.objects.get()
    response = client_as(alice).post(
        reverse("cases:edit", args=[youth.pk]),
        {**data, "first_name": "Aina", "identity_code": "", "status": "active"},
    )
    assert response.status_code == 302, response.context["form"].errors
    entries = LogEntry.objects.get_for_object(youth).order_by("timestamp")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].actor == alice
    assert entries[1].changes_dict["first_name"] == ["Aino", "Aina"]
    everything = str([e.changes for e in entries])
    assert "308T" not in everything and "131052" not in everything
    assert entries[0].changes_dict["identity_code"][1] == "********"
