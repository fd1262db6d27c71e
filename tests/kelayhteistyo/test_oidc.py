"""Organisations' own login: the provider's settings, the checks of the ID token that
mozilla-django-oidc leaves to us, and the rule on local passwords (no network here; the logins
through a real provider are in test_oidc_login.py)."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.urls import reverse

from kelayhteistyo.models import OrganisationIdentityProvider, User
from kelayhteistyo.oidc import (
    Endpoints,
    OrganisationOIDCBackend,
    TokenRefused,
    local_password_allowed,
)
from tests import factories as f
from tests.oidc_provider import key_pem

ISSUER = "https://login.example.fi/tenant/v2.0"
ENDPOINTS = Endpoints(
    authorization=f"{ISSUER}/authorize",
    token=f"{ISSUER}/token",
    jwks=f"{ISSUER}/jwks",
    userinfo=f"{ISSUER}/userinfo",
)


@pytest.fixture
def provider(org_a):
    return OrganisationIdentityProvider.objects.create(
        organisation=org_a, issuer=ISSUER, client_id="yhteistyo", client_secret="s3cret"
    )


def signed(**claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": "yhteistyo", "sub": "abc", "iat": now, "exp": now + 300}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key_pem(), algorithm="RS256", headers={"kid": "k"})


def public_key():
    return serialization.load_pem_private_key(key_pem(), password=None).public_key()


def verify(provider, token):
    return OrganisationOIDCBackend(provider, ENDPOINTS)._verify_jws(token, public_key())


def test_a_token_of_the_configured_issuer_for_us_in_time_is_accepted(provider):
    assert verify(provider, signed(email="a@example.fi"))["email"] == "a@example.fi"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "https://login.example.fi/other/v2.0"}, "wrong issuer"),
        ({"aud": "another-client"}, "wrong audience"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"iat": int(time.time()) + 600}, "issued in the future"),
        ({"aud": ["yhteistyo", "another-client"]}, "wrong authorized party"),
        ({"exp": None}, "MissingRequiredClaimError"),
    ],
)
def test_a_token_that_is_not_for_us_now_is_refused(provider, claims, reason):
    with pytest.raises(TokenRefused) as refused:
        verify(provider, signed(**claims))
    assert refused.value.reason == reason


def test_several_audiences_are_accepted_when_we_are_the_authorized_party(provider):
    token = signed(aud=["yhteistyo", "another-client"], azp="yhteistyo")
    assert verify(provider, token)["sub"] == "abc"


def test_a_token_signed_with_the_client_secret_is_refused(provider):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "yhteistyo", "sub": "a", "iat": now, "exp": now + 60}
    token = jwt.encode(claims, "s3cret" * 6, algorithm="HS256")
    with pytest.raises(TokenRefused) as refused:
        verify(provider, token)
    assert refused.value.reason == "algorithm 'HS256'"


def test_the_backend_gets_the_organisations_settings(provider):
    backend = OrganisationOIDCBackend(provider, ENDPOINTS)
    assert f"{ISSUER}/token" == backend.OIDC_OP_TOKEN_ENDPOINT
    assert backend.OIDC_RP_CLIENT_ID == "yhteistyo"
    assert backend.OIDC_RP_CLIENT_SECRET == "s3cret"
    assert backend.OIDC_RP_SIGN_ALGO == "RS256"
    assert backend.get_settings("OIDC_USE_PKCE") is True
    assert backend.get_settings("OIDC_CREATE_USER") is False


def test_the_secret_may_come_from_an_environment_variable(provider, monkeypatch):
    monkeypatch.setenv("ORG_A_OIDC_SECRET", "from-the-environment")
    provider.client_secret_env = "ORG_A_OIDC_SECRET"
    assert provider.secret() == "from-the-environment"


@pytest.mark.parametrize(
    ("amr", "acr", "counts"),
    [
        (["pwd", "mfa"], None, True),
        (["otp"], None, True),
        ("mfa", None, True),
        (["pwd"], None, False),
        (["pwd"], "urn:example:loa:high", True),
        (["pwd"], "urn:example:loa:low", False),
        (None, None, False),
    ],
)
def test_the_providers_multi_factor_claim_as_configured(provider, amr, acr, counts):
    provider.mfa_acr_values = "urn:example:loa:high urn:example:loa:substantial"
    assert provider.mfa_claimed({"amr": amr, "acr": acr}) is counts


def test_the_scopes_must_include_openid(provider):
    provider.scopes = "email profile"
    with pytest.raises(ValidationError) as error:
        provider.full_clean()
    assert "scopes" in error.value.message_dict


def test_local_passwords_as_the_organisation_decided(provider, alice, bob):
    assert local_password_allowed(alice) and local_password_allowed(bob)
    provider.allow_local_passwords = False
    provider.save()
    assert not local_password_allowed(alice)
    assert local_password_allowed(bob)  # another organisation, no provider
    provider.enabled = False  # a provider not in use changes nothing
    provider.save()
    assert local_password_allowed(alice)


def test_a_password_login_is_refused_once_the_organisation_allows_none(client, provider, alice):
    from axes.models import AccessAttempt

    provider.allow_local_passwords = False
    provider.save()
    response = client.post(reverse("login"), {"username": alice.email, "password": f.PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    (error,) = response.context["form"].non_field_errors().as_data()
    assert error.code == "organisation_login"
    assert "Hyvinvointialue A" in response.content.decode()  # which button to use
    assert AccessAttempt.objects.get().username == alice.email


def test_the_login_page_offers_each_organisations_login(client, provider):
    page = client.get(reverse("login")).content.decode()
    assert reverse("oidc_login", args=[provider.pk]) in page
    assert "Hyvinvointialue A" in page


def test_the_admin_never_shows_the_secret_again(client, provider):
    admin = User.objects.create_superuser("paakayttaja@example.fi", f.PASSWORD)
    page = f.log_in(client, admin).get(
        reverse("admin:kelayhteistyo_organisationidentityprovider_change", args=[provider.pk])
    )
    assert page.status_code == 200
    assert "s3cret" not in page.content.decode()
