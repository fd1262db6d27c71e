"""Logging in, languages, the directory, the demo data and CSRF."""

import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases.models import YouthClient
from kelayhteistyo.models import User
from meetings.models import JointMeeting
from tests import factories as f


def test_it_logs_in_with_the_email_address(client, alice):
    response = client.post(
        reverse("login"), {"username": alice.email.upper(), "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == alice


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "väärä"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_the_app_is_in_finnish_by_default(client, db):  # the login page lists providers
    assert 'lang="fi"' in client.get(reverse("login")).content.decode()


def test_the_language_choice_is_remembered_for_the_user(client_as, alice):
    client = client_as(alice)
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.preferred_language == "sv"
    # On another device, without the cookie, the user's language still applies.
    other_device = Client()
    other_device.force_login(alice)
    assert 'lang="sv"' in other_device.get("/").content.decode()


def test_the_language_chosen_on_the_login_page_stays_after_login(client, alice):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    client.post(reverse("login"), {"username": alice.email, "password": f.PASSWORD})
    assert 'lang="en"' in client.get("/").content.decode()
    alice.refresh_from_db()
    assert alice.preferred_language == "en"


def test_a_language_cookie_left_on_a_shared_computer_does_not_change_the_users_choice(
    client, alice
):
    client.cookies["django_language"] = "en"  # set by someone earlier, not on this login page
    client.post(reverse("login"), {"username": alice.email, "password": f.PASSWORD})
    assert 'lang="fi"' in client.get("/").content.decode()
    alice.refresh_from_db()
    assert alice.preferred_language == "fi"


def test_anonymous_language_choice_uses_a_cookie(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert 'lang="en"' in client.get(reverse("login")).content.decode()


def test_the_directory_filters_by_area_and_language(client_as, alice, kela):
    other = f.KelaContactFactory()
    other.kela_profile.areas.set([f.county("kanta-hame")])
    url = reverse("directory")
    response = client_as(alice).get(url, {"county": f.county("kanta-hame").pk})
    assert list(response.context["contacts"]) == [other]
    inactive = f.KelaContactFactory()
    inactive.kela_profile.active = False
    inactive.kela_profile.save()
    response = client_as(alice).get(url)
    assert set(response.context["contacts"]) == {kela, other}


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="ICU collations are PostgreSQL's; the SQLite quick start sorts by code points",
)
def test_names_sort_in_the_alphabet_of_the_users_language(db):
    from kelayhteistyo.forms import DirectorySearchForm

    with translation.override("en"):
        names = [str(x) for x in DirectorySearchForm().fields["language"].queryset]
    assert names.index("Russian") < names.index("Sámi") < names.index("Somali")


def test_state_changes_need_the_csrf_token(alice, meeting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "x"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.INVITED


def test_posting_role_or_organisation_changes_nothing(client_as, alice, org_b):
    client_as(alice).post(
        reverse("cases:create"),
        {
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "2006-01-01",
            "client_group": "aftercare",
            "language": f.language().pk,
            "responsible_worker": alice.pk,
            "organisation": org_b.pk,
            "role": "admin",
            "is_staff": "on",
        },
    )
    alice.refresh_from_db()
    assert alice.role == User.Role.AFTERCARE_WORKER and not alice.is_staff
    assert not YouthClient.objects.filter(organisation=org_b).exists()


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_gives_every_state_and_the_same_logins_twice(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    for email in (
        "tyontekija.a@demo.fi",
        "tyontekija.b@demo.fi",
        "kela.yhteys@demo.fi",
        "kela.toinen@demo.fi",
        "koordinaattori@demo.fi",
    ):
        assert email in out
        assert User.objects.get(email=email).check_password("demo-salasana-2026")
    statuses = set(JointMeeting.objects.values_list("status", flat=True))
    assert statuses == set(JointMeeting.Status.values)
    assert not JointMeeting.objects.visible_to(User.objects.get(email="kela.toinen@demo.fi"))
    assert YouthClient.objects.filter(consents__withdrawn_at__isnull=False).exists()


def test_the_accessibility_statement_is_public_and_linked_from_every_page(client, alice):
    page = client.get(reverse("accessibility")).content.decode()
    assert "Saavutettavuusseloste" in page and "306/2019" in page
    client.force_login(alice)
    assert reverse("accessibility") in client.get("/").content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="a PostgreSQL planner setting",
)
def test_each_connection_tells_the_planner_an_index_probe_is_cheap(db):
    """Issue 20: SSD storage, not PostgreSQL's spinning-disk default of 4, so that a Kela
    contact's lists probe the open items by owner instead of reading every open item."""
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
