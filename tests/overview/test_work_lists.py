"""Bounded home pages (issue 20): each list shows what needs attention first, at most 10 rows,
with its total and a link to the full paginated list; a worker sees their own young people by
default and the whole organisation on request (issue 17)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as cases_services
from kelayhteistyo.models import AccessLog
from overview import worklists
from tests import factories as f


def soon(hours: int):
    return timezone.now() + datetime.timedelta(days=2, hours=hours)


def test_the_home_page_shows_ten_meetings_soonest_first_with_the_total_and_a_link(
    client_as, alice, kela, youth, consent
):
    meetings = [
        f.invited_meeting(youth=youth, organiser=alice, kela=kela, starts_at=soon(h))
        for h in range(12, 0, -1)
    ]
    response = client_as(alice).get("/")
    shown = response.context["upcoming"]
    assert [m.pk for m in shown] == [m.pk for m in reversed(meetings)][:10]
    assert response.context["sections"]["upcoming"].total == 12
    page = response.content.decode()
    assert "10 / 12 näytetään" in page
    assert f'href="{reverse("work_list", args=["upcoming"])}"' in page


def test_young_people_are_the_workers_own_by_default_and_the_organisations_on_request(
    client_as, alice, kela, youth, consent
):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    theirs = f.YouthFactory(organisation=alice.organisation, responsible_worker=colleague)
    f.ConsentFactory(youth=theirs, recorded_by=colleague)
    mine = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    other = f.invited_meeting(youth=theirs, organiser=colleague, kela=kela)
    client = client_as(alice)

    response = client.get("/")
    assert [m.pk for m in response.context["upcoming"]] == [mine.pk]
    assert [y.pk for y in response.context["youth_clients"]] == [youth.pk]

    response = client.get("/", {"scope": "organisation"})
    assert {m.pk for m in response.context["upcoming"]} == {mine.pk, other.pk}
    assert {y.pk for y in response.context["youth_clients"]} == {youth.pk, theirs.pk}
    whole = client.get(reverse("work_list", args=["upcoming"]), {"scope": "organisation"})
    assert {m.pk for m in whole.context["rows"]} == {mine.pk, other.pk}
    assert "?scope=organisation" in whole.content.decode()  # the way home keeps the choice


@pytest.fixture
def many_young_people(alice):
    return [
        f.YouthFactory(
            organisation=alice.organisation,
            responsible_worker=alice,
            last_name=f"Sukunimi{i:02}",
        )
        for i in range(55)
    ]


def test_the_full_list_is_paginated_and_keeps_the_scope(client_as, alice, many_young_people):
    url = reverse("work_list", args=["youth_clients"])
    client = client_as(alice)
    first = client.get(url)
    assert len(first.context["rows"]) == worklists.PAGE_SIZE
    assert first.context["page"].paginator.count == 55
    page = client.get(url, {"page": 2, "scope": "organisation"})
    assert len(page.context["rows"]) == 5
    assert "?page=1&amp;scope=organisation" in page.content.decode()


@pytest.mark.parametrize(
    "number, shown",
    [("abc", 1), ("999", 2), ("-1", 2), ("0", 2), ("", 1), ("1.5", 1), ("9" * 20, 2)],
)
def test_a_page_number_out_of_range_or_not_a_number_shows_the_first_or_last_page(
    client_as, alice, many_young_people, number, shown
):
    response = client_as(alice).get(reverse("work_list", args=["youth_clients"]), {"page": number})
    assert response.status_code == 200
    assert response.context["page"].number == shown


def test_the_last_page_and_a_page_past_it_show_the_rows_of_the_last_page(
    client_as, alice, many_young_people
):
    # The page and the total come from one query; past the end, a count finds the last page.
    url = reverse("work_list", args=["youth_clients"])
    client = client_as(alice)
    ordered = sorted(many_young_people, key=lambda y: (y.last_name, y.first_name))
    for number in (2, 3):
        response = client.get(url, {"page": number})
        page = response.context["page"]
        assert (page.number, page.paginator.count) == (2, 55)
        assert [row.pk for row in response.context["rows"]] == [y.pk for y in ordered[50:]]
    first = client.get(url).context["rows"]
    assert [row.pk for row in first] == [y.pk for y in ordered[:50]]


def test_only_the_young_people_shown_are_logged(client_as, alice, many_young_people):
    client_as(alice).get(reverse("work_list", args=["youth_clients"]), {"page": 2})
    logged = set(
        AccessLog.objects.filter(user=alice, object_type="home_list").values_list(
            "youth_id", flat=True
        )
    )
    last_five = sorted(many_young_people, key=lambda y: (y.last_name, y.first_name))[50:]
    assert logged == {y.pk for y in last_five}


def test_the_home_page_logs_only_the_ten_young_people_shown(client_as, alice, many_young_people):
    client_as(alice).get("/")
    logged = AccessLog.objects.filter(user=alice, object_type="home")
    assert logged.count() == worklists.HOME_ROWS


def test_lists_belong_to_a_role(client_as, alice, kela, coordinator):
    assert client_as(kela).get(reverse("work_list", args=["overdue_items"])).status_code == 404
    assert client_as(alice).get(reverse("work_list", args=["my_items"])).status_code == 404
    assert client_as(alice).get(reverse("work_list", args=["nothing"])).status_code == 404
    assert client_as(kela).get(reverse("work_list", args=["my_items"])).status_code == 200
    assert client_as(coordinator).get(reverse("work_list", args=["upcoming"])).status_code == 403


def _add_rows(alice, kela, n):
    """n young people of Alice's, each with a row in every list: a held meeting with a plan,
    a review due and an overdue item owned by Kela, a held meeting without a plan, an
    invitation unanswered and a meeting Kela accepted; a special-service referral and two
    cooperation requests from Kela."""
    from meetings import services
    from meetings.models import ActionItem

    for _ in range(n):
        youth = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
        f.ConsentFactory(youth=youth, recorded_by=alice, scope_kela_special_service=True)
        f.special_referral(youth=youth, worker=alice)  # open for Kela (issue 18)
        held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        plan = services.plan_save(
            meeting=held,
            fields={"summary": "x", "review_date": timezone.localdate()},
            version=None,
            by=alice,
        )
        ActionItem.objects.create(
            plan=plan,
            owner=f.kela_participant(held, kela),
            what="x",
            due_date=timezone.localdate() - datetime.timedelta(days=2),
        )
        f.held_meeting(youth=youth, organiser=alice, kela=kela)
        # A cooperation request from Kela to Alice's unit (issue 18), one taken by her.
        f.cooperation_request(kela=kela, organisation=alice.organisation)
        taken = f.cooperation_request(kela=kela, organisation=alice.organisation)
        cases_services.cooperation_request_take(request=taken, by=alice)
        f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        accepted = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        services.invitation_respond(
            participant=f.kela_participant(accepted, kela), answer="accepted", by=kela
        )


@pytest.mark.parametrize(
    "who, key",
    [
        *(("alice", key) for key in worklists.WORKER_LISTS),
        *(("kela", key) for key in worklists.KELA_LISTS),
    ],
)
def test_full_lists_have_a_constant_number_of_queries(
    request, who, key, alice, kela, django_assert_num_queries
):
    client = request.getfixturevalue("client")
    client.force_login(request.getfixturevalue(who))
    url = reverse("work_list", args=[key])
    _add_rows(alice, kela, 1)
    response = client.get(url)
    assert len(response.context["rows"]) >= 1
    # session, user, the rows with the list's total beside them (one query: list_page), one
    # insert of access-log rows, the bell, the idle clock (2); on Kela's referrals its profile
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    assert len(one.captured_queries) <= 9
    _add_rows(alice, kela, 4)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) >= 5


def test_a_count_past_the_cap_says_over_and_the_full_list_counts_exactly(
    client_as, alice, many_young_people, monkeypatch
):
    monkeypatch.setattr(worklists, "COUNT_CAP", 20)
    client = client_as(alice)
    page = client.get("/").content.decode()
    assert 'Nuoret <span class="text-body-secondary">(yli 20)</span>' in page
    assert "10 / yli 20 näytetään." in page
    full = client.get(reverse("work_list", args=["youth_clients"]))
    assert full.context["page"].paginator.count == 55


@pytest.mark.parametrize("who", ["alice", "kela"])
def test_the_home_page_has_a_constant_number_of_queries(
    request, who, alice, kela, django_assert_num_queries
):
    """Every list of the home page, the cooperation requests from Kela too (issue 18)."""
    client = request.getfixturevalue("client")
    client.force_login(request.getfixturevalue(who))
    _add_rows(alice, kela, 1)
    with CaptureQueriesContext(connection) as one:
        response = client.get("/")
    key = "cooperation_requests" if who == "alice" else "my_requests"
    assert len(response.context[key]) == 2
    _add_rows(alice, kela, 6)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/")
    assert len(response.context[key]) == worklists.HOME_ROWS
    assert response.context["sections"][key].total == 14
