"""The dashboard's transitions figure (issue 17): young people whose aftercare ends within
TRANSITION_NOTICE_MONTHS months without a plan recording where they move to; small counts
suppressed like every figure."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import YouthClient
from meetings import services
from tests import factories as f


def transitions(client) -> tuple:
    response = client.get(reverse("dashboard"))
    (figure,) = [x for x in response.context["figures"] if x.key == "transitions"]
    return figure.rows[0]


@pytest.fixture
def national(db):
    return f.CoordinatorFactory(organisation__county=None)


def ending_youth(n, *, organisation, in_days=30):
    ends = timezone.localdate() + datetime.timedelta(days=in_days)
    made = [f.YouthFactory(organisation=organisation) for _ in range(n)]
    YouthClient.objects.filter(pk__in=[y.pk for y in made]).update(aftercare_ends_on=ends)
    return made


def test_young_people_ending_soon_without_a_plan_are_counted(client_as, national, org_a, kela):
    ending = ending_youth(6, organisation=org_a)
    ending_youth(3, organisation=org_a, in_days=200)  # not yet
    closed = ending_youth(1, organisation=org_a)[0]
    YouthClient.objects.filter(pk=closed.pk).update(status="closed")
    client = client_as(national)
    assert transitions(client) == (6,)
    # A plan recording the next service takes one off: 5 left.
    youth = ending[0]
    f.ConsentFactory(youth=youth)
    meeting = f.held_meeting(youth=youth, organiser=youth.responsible_worker, kela=kela)
    services.plan_save(
        meeting=meeting,
        fields={"summary": "S", "review_date": None, "next_service": "Aikuissosiaalityö"},
        version=None,
        by=youth.responsible_worker,
    )
    assert transitions(client) == (5,)


def test_fewer_than_five_are_not_shown(client_as, national, org_a):
    ending_youth(4, organisation=org_a)
    assert transitions(client_as(national)) == ("< 5",)


def test_filters_of_the_organisation_apply(client_as, national, org_a, org_b):
    ending_youth(5, organisation=org_a)
    ending_youth(7, organisation=org_b)
    client = client_as(national)
    response = client.get(reverse("dashboard"), {"organisation": org_b.pk})
    (figure,) = [x for x in response.context["figures"] if x.key == "transitions"]
    assert figure.rows == [(7,)]
