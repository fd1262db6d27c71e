"""Organisations' own login (OpenID Connect, authorization code flow with PKCE).

mozilla-django-oidc does the protocol (state, nonce, PKCE, the code exchange, the JWKS and the
signature); this module gives it one organisation's configuration at a time
(`OrganisationIdentityProvider`, found from the login button or from the state) and adds what
it leaves out: the ID token's issuer, audience, expiry and issue time are checked, and the person
is matched by e-mail address to an EXISTING active user of THAT organisation. Nobody is created,
nobody gets a role, a user of another organisation or a deactivated user is refused.

Errors are of three kinds, each with its own page (oidc_views.py):
- `ProviderUnavailable`: the service did not answer (down, timeout, 5xx);
- `TokenRefused`: its answer cannot be trusted (issuer, audience, expiry, signature, nonce…);
- `AccountRefused`: the answer is trusted but names no active user of the organisation.
"""

import logging
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import OrganisationIdentityProvider, User

logger = logging.getLogger("kelayhteistyo.login")

SIGN_ALGORITHM = "RS256"
CALLBACK_URL_NAME = "oidc_callback"


class ProviderUnavailable(Exception):
    """The login service could not be reached or answered with an error of its own."""


class TokenRefused(Exception):
    """The login service's answer is not trusted; `reason` is for the log (no personal data)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class AccountRefused(Exception):
    """The person is known to the login service but may not log in here."""

    NOT_A_USER = "not_a_user"  # no user of this organisation with that address
    DEACTIVATED = "deactivated"
    NO_EMAIL = "no_email"

    def __init__(self, reason: str, email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str
    userinfo: str | None


def discover(provider: OrganisationIdentityProvider, fresh: bool = False) -> Endpoints:
    """The service's addresses from its discovery document (kept for an hour; `fresh` asks the
    service again, which tells at the start of a login whether it answers at all, so the user
    sees our page rather than the browser's error). The document must name the configured
    issuer: another one is a wrong configuration, not a login."""
    key = f"oidc-discovery:{provider.issuer}"
    document = None if fresh else cache.get(key)
    if document is None:
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning(
                "oidc provider %s: discovery failed (%s)", provider.pk, type(exc).__name__
            )
            raise ProviderUnavailable from exc
        if document.get("issuer") != provider.issuer:
            logger.warning("oidc provider %s: discovery names another issuer", provider.pk)
            raise ProviderUnavailable
        cache.set(key, document, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    try:
        return Endpoints(
            authorization=document["authorization_endpoint"],
            token=document["token_endpoint"],
            jwks=document["jwks_uri"],
            userinfo=document.get("userinfo_endpoint"),
        )
    except KeyError as exc:
        raise ProviderUnavailable from exc


def provider_settings(provider: OrganisationIdentityProvider, endpoints: Endpoints) -> dict:
    """mozilla-django-oidc's settings for one organisation (read through `get_settings`)."""
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": endpoints.authorization,
        "OIDC_OP_TOKEN_ENDPOINT": endpoints.token,
        "OIDC_OP_USER_ENDPOINT": endpoints.userinfo,
        "OIDC_OP_JWKS_ENDPOINT": endpoints.jwks,
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.secret(),
        "OIDC_RP_SIGN_ALGO": SIGN_ALGORITHM,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": provider.scopes,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_TIMEOUT": settings.OIDC_TIMEOUT,
        "OIDC_VERIFY_SSL": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for one organisation. Not in AUTHENTICATION_BACKENDS: the
    callback view calls it with the provider the login was started for, and logs the user in
    with the ordinary ModelBackend session (which refuses a deactivated user on each request)."""

    def __init__(self, provider: OrganisationIdentityProvider, endpoints: Endpoints):
        self.provider = provider
        self._settings = provider_settings(provider, endpoints)
        self.claims: dict = {}
        super().__init__()

    def get_settings(self, attr, *args):  # type: ignore[override]
        if attr in self._settings:
            return self._settings[attr]
        return getattr(settings, attr, *args)

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status >= 500 or status == 0:
                raise ProviderUnavailable from exc
            # 4xx from the token endpoint: the code was used, expired or not ours.
            raise TokenRefused(f"token endpoint answered {status}") from exc
        except requests.RequestException as exc:
            raise ProviderUnavailable from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRefused(type(exc).__name__) from exc
        except SuspiciousOperation as exc:
            # mozilla-django-oidc's refusals: no matching key, wrong algorithm, bad signature,
            # the nonce of another login.
            raise TokenRefused(str(exc)) from exc

    def _verify_jws(self, payload, key):
        """The signature (RS256 only, by the key from the JWKS), and the claims that
        mozilla-django-oidc leaves unchecked: issuer, audience, expiry, issue time."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as exc:
            raise TokenRefused("not a JWT") from exc
        if header.get("alg") != SIGN_ALGORITHM:
            raise TokenRefused(f"algorithm {header.get('alg')!r}")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[SIGN_ALGORITHM],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRefused("expired") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRefused("wrong issuer") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRefused("wrong audience") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenRefused("issued in the future") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRefused(type(exc).__name__) from exc
        # With several audiences, the authorized party must be us (OIDC Core 3.1.3.7).
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.provider.client_id:
            raise TokenRefused("wrong authorized party")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        """The existing active user of this organisation with the address the service gives:
        from the signed ID token, or else from the userinfo endpoint (same subject)."""
        claims = dict(payload)
        claim = self.provider.email_claim
        if not claims.get(claim) and self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise TokenRefused("userinfo of another subject")
            claims = {**userinfo, **payload}
        self.claims = claims
        email = str(claims.get(claim) or "").strip().lower()
        if not email:
            raise AccountRefused(AccountRefused.NO_EMAIL)
        user = User.objects.filter(
            email__iexact=email, organisation=self.provider.organisation_id
        ).first()
        if user is None:
            raise AccountRefused(AccountRefused.NOT_A_USER, email)
        if not user.is_active:
            raise AccountRefused(AccountRefused.DEACTIVATED, email)
        return user

    def create_user(self, claims):
        raise AssertionError("users are never created by logging in")  # pragma: no cover


def local_password_allowed(user: User) -> bool:
    """Whether the user may log in with a password of this service: not if their organisation's
    identity provider is in use and has local passwords turned off."""
    if user.organisation_id is None:
        return True
    provider = OrganisationIdentityProvider.objects.filter(
        organisation=user.organisation_id, enabled=True
    ).first()
    return provider is None or provider.allow_local_passwords
