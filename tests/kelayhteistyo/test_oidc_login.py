"""Logging in through an organisation's own login service, end to end: a real OpenID Connect
provider (pyop, tests/oidc_provider.py) runs on 127.0.0.1 with its own RSA key; the app
discovers it, sends the browser there, exchanges the code over HTTP, fetches the JWKS and
verifies the RS256 ID token with mozilla-django-oidc. Only the browser is the test client
(the provider's own login form is filled in with `requests`; tests/e2e does it in Chromium)."""

from urllib.parse import urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from axes.models import AccessLog as LoginRecord
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kelayhteistyo.access import AUTH_AT
from kelayhteistyo.models import OrganisationIdentityProvider, User
from tests import factories as f
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running, tls_files

IDP_PASSWORD = "idp-salasana"


@pytest.fixture
def idp(monkeypatch):
    cache.clear()  # the discovery documents of earlier tests' providers
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_files()[0])  # its certificate is trusted
    with running(["http://testserver/login/org/callback/"]) as idp:
        yield idp
    cache.clear()


@pytest.fixture
def provider(idp, org_a):
    return OrganisationIdentityProvider.objects.create(
        organisation=org_a,
        issuer=idp.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def start(client, provider, query=""):
    response = client.get(reverse("oidc_login", args=[provider.pk]) + query)
    assert response.status_code == 302
    return response["Location"]


def at_the_provider(idp, location, login, password=IDP_PASSWORD):
    """What the person does at their organisation's login page: returns where it sends them."""
    assert location.startswith(f"{idp.issuer}/authorize?")
    form = requests.get(location, timeout=5)
    assert form.status_code == 200 and "Organisation login" in form.text
    answer = requests.post(
        f"{idp.issuer}/authorize",
        data={"request": urlsplit(location).query, "username": login, "password": password},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "testserver"
    return f"{back.path}?{back.query}"


def log_in(client, idp, provider, login, query=""):
    return client.get(at_the_provider(idp, start(client, provider, query), login))


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def text(response) -> str:
    return response.content.decode()


def test_a_worker_logs_in_with_the_organisations_account(client, idp, provider, alice):
    idp.add_user("alice", IDP_PASSWORD, alice.email.upper())  # addresses match in any case
    page = text(client.get(reverse("login")))
    assert "Kirjaudu: Hyvinvointialue A" in page  # the button
    response = log_in(client, idp, provider, "alice", f"?next={reverse('cases:list')}")
    assert response.status_code == 302 and response["Location"] == reverse("cases:list")
    assert logged_in_as(client) == str(alice.pk)
    home = client.get(reverse("home"))
    assert home.status_code == 200 and alice.get_full_name() in text(home)
    # The discovery document, the code exchange, the keys and the userinfo were all used.
    assert {"/.well-known/openid-configuration", "/token", "/jwks", "/userinfo"} <= set(
        idp.requests
    )
    # In the login records like a password login, with the path it came through.
    record = LoginRecord.objects.get()
    assert record.username == alice.email and record.path_info == "/login/org/callback/"
    # The login page then offers this organisation first.
    assert response.cookies["login_organisation"].value == str(provider.pk)


def test_the_address_may_come_in_the_id_token_itself(client, idp, provider, alice):
    idp.email_in_id_token = True
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    assert log_in(client, idp, provider, "alice").status_code == 302
    assert logged_in_as(client) == str(alice.pk)
    assert "/userinfo" not in idp.requests


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        pytest.param({"iss": "https://127.0.0.1:1/another"}, "wrong issuer", id="wrong issuer"),
        pytest.param({"aud": "another-client"}, "wrong audience", id="wrong audience"),
        pytest.param({"nonce": "of-another-login"}, "Nonce", id="nonce of another login"),
        pytest.param({"exp": 1_000_000_000}, "expired", id="expired"),
    ],
)
def test_an_id_token_not_meant_for_this_login_is_refused(
    client, idp, provider, alice, caplog, tamper, reason
):
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    idp.tamper = tamper  # re-signed with the provider's real key: only the claim is wrong
    response = log_in(client, idp, provider, "alice")
    assert response.status_code == 400
    assert "Kirjautumista ei voitu vahvistaa" in text(response)
    assert logged_in_as(client) is None
    assert not LoginRecord.objects.exists()
    assert reason in caplog.text  # refused for that reason, not another
    assert alice.email not in caplog.text  # the log names nobody


def test_an_id_token_signed_with_another_key_is_refused(client, idp, provider, alice, caplog):
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    idp.forge = True
    response = log_in(client, idp, provider, "alice")
    assert response.status_code == 400 and logged_in_as(client) is None
    assert "login refused (InvalidSignatureError)" in caplog.text


def test_an_id_token_the_provider_issued_already_expired_is_refused(
    client, idp, provider, alice, caplog
):
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    idp.expire_tokens()
    response = log_in(client, idp, provider, "alice")
    assert response.status_code == 400
    assert "Kirjautumista ei voitu vahvistaa" in text(response)
    assert logged_in_as(client) is None
    assert "login refused (expired)" in caplog.text


def test_a_user_of_another_organisation_is_refused(client, idp, provider, bob):
    """Organisation A's login service vouches for an address of organisation B's user."""
    idp.add_user("bob", IDP_PASSWORD, bob.email)
    response = log_in(client, idp, provider, "bob")
    assert response.status_code == 403
    page = text(response)
    assert "Sinulla ei ole pääsyä tähän palveluun" in page
    assert bob.email in page and "Hyvinvointialue A" in page
    assert logged_in_as(client) is None
    assert AccessAttempt.objects.get().username == bob.email  # a refused login, recorded


def test_nobody_is_created_by_logging_in(client, idp, provider):
    idp.add_user("stranger", IDP_PASSWORD, "uusi.ihminen@example.fi")
    users = User.objects.count()
    response = log_in(client, idp, provider, "stranger")
    assert response.status_code == 403 and logged_in_as(client) is None
    assert User.objects.count() == users


def test_a_deactivated_user_is_refused(client, idp, provider, alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    response = log_in(client, idp, provider, "alice")
    assert response.status_code == 403
    assert "Käyttäjätilisi ei ole käytössä" in text(response)
    assert logged_in_as(client) is None


def test_a_provider_that_is_down_gives_a_clear_page_and_the_password_login(client, idp, provider):
    idp.stop()
    response = client.get(reverse("oidc_login", args=[provider.pk]))
    assert response.status_code == 503
    page = text(response)
    assert "Organisaation Hyvinvointialue A kirjautumispalvelu ei vastaa" in page
    assert f'href="{reverse("login")}#password-login"' in page  # passwords are allowed
    assert reverse("oidc_login", args=[provider.pk]) in page  # try again


def test_without_passwords_the_down_page_offers_no_password_login(client, idp, provider):
    provider.allow_local_passwords = False
    provider.save()
    idp.stop()
    page = text(client.get(reverse("oidc_login", args=[provider.pk])))
    assert "#password-login" not in page
    assert "Tämän palvelun salasanalla" not in page


def test_a_provider_that_goes_down_during_the_login(client, idp, provider, alice):
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    back = at_the_provider(idp, start(client, provider), "alice")
    idp.stop()  # before the app exchanges the code
    response = client.get(back)
    assert response.status_code == 503
    assert "kirjautumispalvelu ei vastaa" in text(response)
    assert logged_in_as(client) is None


def test_the_way_back_works_once(client, idp, provider, alice):
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    back = at_the_provider(idp, start(client, provider), "alice")
    assert client.get(back).status_code == 302
    client.post(reverse("logout"))
    again = client.get(back)
    assert again.status_code == 400 and "Kirjautuminen on vanhentunut" in text(again)
    assert logged_in_as(client) is None


def test_a_login_cancelled_at_the_provider(client, idp, provider):
    location = start(client, provider)
    state = dict(p.split("=", 1) for p in urlsplit(location).query.split("&"))["state"]
    response = client.get(f"{reverse('oidc_callback')}?error=access_denied&state={state}")
    assert response.status_code == 400 and "Sinua ei kirjattu sisään" in text(response)


@pytest.fixture
def coordinator_a(provider):
    return f.CoordinatorFactory(organisation=provider.organisation)


def test_a_coordinator_still_gives_the_code_when_the_providers_mfa_does_not_count(
    client, idp, provider, coordinator_a
):
    idp.add_user("coord", IDP_PASSWORD, coordinator_a.email, amr=["pwd", "mfa"])
    assert log_in(client, idp, provider, "coord").status_code == 302
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))


@pytest.mark.parametrize(
    ("amr", "acr", "needs_code"),
    [
        (["pwd", "mfa"], None, False),
        (["pwd"], "urn:example:loa:substantial", False),
        (["pwd"], None, True),
    ],
)
def test_the_providers_mfa_may_count_as_the_second_factor(
    client, idp, provider, coordinator_a, amr, acr, needs_code
):
    provider.mfa_satisfies_second_factor = True
    provider.mfa_acr_values = "urn:example:loa:substantial"
    provider.save()
    idp.add_user("coord", IDP_PASSWORD, coordinator_a.email, amr=amr, acr=acr)
    assert log_in(client, idp, provider, "coord").status_code == 302
    response = client.get(reverse("dashboard"))
    if needs_code:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("otp_verify"))
    else:
        assert response.status_code == 200


def test_a_worker_who_set_up_a_code_gives_it_after_the_providers_login(
    client, idp, provider, alice
):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    log_in(client, idp, provider, "alice")
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("otp_verify"))


def test_confirming_it_is_you_through_the_provider(client, idp, provider, alice):
    """Before a sensitive download, a user whose organisation allows no password confirms at
    their login service (asked to log in again there: prompt=login, max_age=0)."""
    provider.allow_local_passwords = False
    provider.save()
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    log_in(client, idp, provider, "alice")
    session = client.session
    del session[AUTH_AT]
    session.save()
    target = reverse("cases:list")
    page = client.get(f"{reverse('reauthenticate')}?next={target}")
    assert "Vahvista: Hyvinvointialue A" in text(page)
    assert 'name="password"' not in text(page)  # no password of this service for them
    location = start(client, provider, f"?confirm=1&next={target}")
    assert "prompt=login" in location and "max_age=0" in location
    response = client.get(at_the_provider(idp, location, "alice"))
    assert response.status_code == 302 and response["Location"] == target
    assert AUTH_AT in client.session


def test_confirming_as_another_person_is_refused(client, idp, provider, alice):
    other = f.WorkerFactory(organisation=provider.organisation)
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    idp.add_user("other", IDP_PASSWORD, other.email)
    log_in(client, idp, provider, "alice")
    session = client.session
    del session[AUTH_AT]
    session.save()
    location = start(client, provider, "?confirm=1")
    response = client.get(at_the_provider(idp, location, "other"))
    assert response.status_code == 403
    assert AUTH_AT not in client.session
    assert logged_in_as(client) == str(alice.pk)


def test_after_confirming_at_the_provider_the_code_follows(client, idp, provider, alice):
    """A worker with an authenticator app whose organisation allows no password: the provider
    confirms it is them, then this service asks only for the code (here a backup code)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_static.models import StaticDevice

    provider.allow_local_passwords = False
    provider.save()
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    backup = StaticDevice.objects.create(user=alice, name="backup")
    backup.token_set.create(token="varakoodi1")
    idp.add_user("alice", IDP_PASSWORD, alice.email)
    log_in(client, idp, provider, "alice")
    code = f"{totp(device.bin_key):06d}"
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 302
    session = client.session
    del session[AUTH_AT]
    session.save()
    target = reverse("cases:list")
    location = start(client, provider, f"?confirm=1&next={target}")
    response = client.get(at_the_provider(idp, location, "alice"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("reauthenticate")
    )
    page = client.get(response["Location"])
    assert 'name="token"' in text(page) and 'name="password"' not in text(page)
    assert AUTH_AT not in client.session
    done = client.post(reverse("reauthenticate"), {"token": "varakoodi1", "next": target})
    assert done.status_code == 302 and done["Location"] == target
    assert AUTH_AT in client.session


def test_a_user_whose_organisation_allows_no_password_confirms_at_the_provider_only(
    client, provider, alice
):
    """Even in a session that began with a password (before they were turned off)."""
    provider.allow_local_passwords = False
    provider.save()
    f.log_in(client, alice)
    session = client.session
    del session[AUTH_AT]
    session.save()
    page = client.get(reverse("reauthenticate"))
    assert reverse("oidc_login", args=[provider.pk]) + "?confirm=1" in text(page)
    assert 'name="password"' not in text(page)
    refused = client.post(reverse("reauthenticate"), {"password": f.PASSWORD})
    assert refused.status_code == 200 and AUTH_AT not in client.session
