"""`make run`'s demo shows everything (issue 21): beside the named demo people, an anonymous
history fills every figure of the dashboard and the feedback results above the suppression
limit, and the named people's own pages stay as they were."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import YouthClient
from feedback.models import Group
from kelayhteistyo.models import KelaContactProfile, User
from meetings.models import JointMeeting
from overview.management.commands import seed_demo
from overview.suppression import SMALL

NAMED_YOUTH_OF_ORG_A = {"Aino", "Ahmad", "Leo", "Elias", "Sofia", "Mira", "Yonas", "Noora"}


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def shown_numbers(figure) -> list[int]:
    return [c for row in figure.rows for c in row if isinstance(c, int | float) and c >= SMALL]


def test_every_dashboard_figure_shows_numbers_above_the_limit(demo, client_as):
    coordinator = User.objects.get(email="koordinaattori@demo.fi")
    response = client_as(coordinator).get(reverse("dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert len(figures) >= 8
    for figure in figures:
        assert not figure.too_few_to_draw, figure.key
        assert shown_numbers(figure), f"{figure.key}: {figure.rows}"
    # The monthly figures cover the last 12 months, each month with real numbers.
    new = next(f for f in figures if f.key == "new")
    assert len([c for _month, c in new.rows if isinstance(c, int)]) >= 10


@pytest.mark.parametrize("group", Group.values)
def test_the_feedback_results_of_every_group_are_shown(demo, client_as, group):
    coordinator = User.objects.get(email="koordinaattori@demo.fi")
    response = client_as(coordinator).get(reverse("feedback:results"), {"group": group})
    assert response.status_code == 200
    assert response.context["shown"] and response.context["n"] >= 3 * SMALL
    rates = next(f for f in response.context["figures"] if f.key == "rates")
    assert all(
        isinstance(links, int) and isinstance(answers, int) for _g, links, answers, _r in rates.rows
    )


def test_the_named_demo_people_stay_as_they_are(demo, client_as):
    anna = User.objects.get(email="tyontekija.a@demo.fi")
    assert set(YouthClient.objects.visible_to(anna).values_list("first_name", flat=True)) == (
        NAMED_YOUTH_OF_ORG_A
    )
    kaisa = User.objects.get(email="kela.yhteys@demo.fi")
    assert not JointMeeting.objects.visible_to(kaisa).filter(youth__first_name="Nuori").exists()
    # The history's people log in nowhere, get no reminders and are not in the directory.
    history = User.objects.filter(email__endswith="@historia.invalid")
    assert history.exists() and not history.filter(is_active=True).exists()
    directory = {p.user.email for p in KelaContactProfile.objects.search()}
    assert directory == {"kela.yhteys@demo.fi", "kela.toinen@demo.fi", "kela.kolmas@demo.fi"}
    # Made-up and anonymous: no identity codes, no addresses of young people.
    anonymous = YouthClient.objects.exclude(organisation=anna.organisation).exclude(
        organisation__name__startswith="Kanta-Hämeen"
    )
    assert anonymous.count() == seed_demo.HISTORY_YOUTH
    assert not anonymous.exclude(identity_code="").exists()
    assert not anonymous.exclude(email="").exists()
    assert anonymous.values("organisation__county").distinct().count() == 3
    first = JointMeeting.objects.filter(youth__in=anonymous).earliest("starts_at").starts_at
    assert 17 <= (timezone.now() - first).days / 30.4 <= 18.1
