"""Logging in through the organisation's own login service (see oidc.py), and confirming
"it is you" there before a sensitive download."""

import datetime
import logging
from urllib.parse import parse_qs, urlencode, urlsplit

import django_otp
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from .access import AUTH_AT
from .middleware import SECOND_FACTOR_BY_PROVIDER
from .models import OrganisationIdentityProvider
from .oidc import (
    AccountRefused,
    OrganisationOIDCBackend,
    ProviderUnavailable,
    TokenRefused,
    discover,
    provider_settings,
)

logger = logging.getLogger("kelayhteistyo.login")

# Session keys: the logins started here (state → provider, purpose, next page); the provider the
# session logged in through (for the record); when the provider last confirmed "it is you" (the
# code may follow).
PENDING = "oidc_pending"
LOGGED_IN_THROUGH = "oidc_provider"
CONFIRMED_AT = "oidc_confirmed_at"
CONFIRM_VALID = datetime.timedelta(minutes=5)
# A cookie (not personal: an organisation's number) that puts the last used login button first.
LAST_PROVIDER_COOKIE = "login_organisation"
LOGIN = "login"
CONFIRM = "confirm"


class _AuthenticationRequest(OIDCAuthenticationRequestView):
    """mozilla-django-oidc's authentication request (state, nonce, PKCE in the session) for one
    organisation's provider."""

    def __init__(self, provider_settings: dict, extra_params: dict):
        View.__init__(self)
        self._settings = provider_settings
        self._extra = extra_params
        self.OIDC_OP_AUTH_ENDPOINT = provider_settings["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = provider_settings["OIDC_RP_CLIENT_ID"]

    def get_settings(self, attr, *args):  # type: ignore[override]
        if attr in self._settings:
            return self._settings[attr]
        return getattr(settings, attr, *args)

    def get_extra_params(self, request):
        return self._extra


def enabled_providers():
    return OrganisationIdentityProvider.objects.filter(enabled=True).select_related("organisation")


def organisation_provider(user) -> OrganisationIdentityProvider | None:
    """The login service in use of the user's organisation, if any."""
    if user.organisation_id is None:
        return None
    return enabled_providers().filter(organisation=user.organisation_id).first()


@require_GET
def oidc_login(request: HttpRequest, pk: int) -> HttpResponse:
    """The button "Log in with <organisation>": off to the organisation's login service. With
    `?confirm=1` a logged-in user confirms it is them (before a sensitive download)."""
    provider = get_object_or_404(enabled_providers(), pk=pk)
    purpose = CONFIRM if request.GET.get("confirm") and request.user.is_authenticated else LOGIN
    if purpose == LOGIN and request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    try:
        endpoints = discover(provider, fresh=True)
    except ProviderUnavailable:
        return _problem(request, provider, "down")
    extra = {"prompt": "login", "max_age": "0"} if purpose == CONFIRM else {}
    response = _AuthenticationRequest(provider_settings(provider, endpoints), extra).get(request)
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    pending = request.session.get(PENDING, {})
    pending = dict(list(pending.items())[-9:])  # a few tabs at once, not an endless list
    pending[state] = {"provider": provider.pk, "purpose": purpose}
    request.session[PENDING] = pending
    return response


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The login service sends the browser back here with a code (or an error)."""
    state = request.GET.get("state", "")
    pending = request.session.get(PENDING, {})
    started = pending.pop(state, None)
    request.session[PENDING] = pending
    provider = None
    if started is not None:
        provider = enabled_providers().filter(pk=started["provider"]).first()
    if provider is None:
        return _problem(request, None, "stale", status=400)
    if request.GET.get("error") or "code" not in request.GET:
        request.session.get("oidc_states", {}).pop(state, None)
        request.session.modified = True
        logger.info("oidc provider %s: the service answered without a login", provider.pk)
        return _problem(request, provider, "cancelled", status=400)
    flow = request.session.get("oidc_states", {}).pop(state, None)
    request.session.modified = True
    if flow is None:
        return _problem(request, provider, "stale", status=400)
    try:
        backend = OrganisationOIDCBackend(provider, discover(provider))
        user = backend.authenticate(
            request, nonce=flow["nonce"], code_verifier=flow["code_verifier"]
        )
        if user is None:
            raise TokenRefused("no code")
    except ProviderUnavailable:
        return _problem(request, provider, "down")
    except TokenRefused as exc:
        logger.warning("oidc provider %s: login refused (%s)", provider.pk, exc.reason)
        return _problem(request, provider, "untrusted", status=400)
    except AccountRefused as exc:
        logger.warning("oidc provider %s: login refused (%s)", provider.pk, exc.reason)
        if exc.email:
            # In the login records like a refused password login of that address.
            user_login_failed.send(
                sender=__name__, credentials={"username": exc.email}, request=request
            )
        return _problem(request, provider, exc.reason, status=403, email=exc.email)
    mfa = provider.mfa_satisfies_second_factor and provider.mfa_claimed(backend.claims)
    if started["purpose"] == CONFIRM:
        return _confirmed(request, provider, user, mfa)
    return _logged_in(request, provider, user, mfa)


def _logged_in(request, provider, user, mfa: bool) -> HttpResponse:
    from .views import LANGUAGE_CHOSEN

    next_url = _safe_next(request, request.session.get("oidc_login_next"))
    lang = request.session.pop(LANGUAGE_CHOSEN, None)
    user.backend = "django.contrib.auth.backends.ModelBackend"
    auth.login(request, user)  # the session clock and the login records (axes), as any login
    request.session[LOGGED_IN_THROUGH] = provider.pk
    if mfa:
        request.session[SECOND_FACTOR_BY_PROVIDER] = True
    if lang and lang != user.preferred_language:
        user.preferred_language = lang
        user.save(update_fields=["preferred_language"])
    logger.info(
        "oidc provider %s: user %s logged in (multi-factor %s)",
        provider.pk,
        user.pk,
        "yes" if mfa else "no",
    )
    response = redirect(next_url)
    response.set_cookie(
        LAST_PROVIDER_COOKIE,
        str(provider.pk),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )
    return response


def _confirmed(request, provider, user, mfa: bool) -> HttpResponse:
    """The provider confirmed it is the same person: the second factor follows unless the
    provider's multi-factor login counts for it."""
    next_url = _safe_next(request, request.session.get("oidc_login_next"))
    if not request.user.is_authenticated or request.user.pk != user.pk:
        return _problem(request, provider, "another_person", status=403)
    now = timezone.now().isoformat()
    if mfa or not django_otp.user_has_device(user):
        request.session[AUTH_AT] = now
        return redirect(next_url)
    request.session[CONFIRMED_AT] = now
    return redirect(f"{reverse('reauthenticate')}?{urlencode({'next': next_url})}")


def _safe_next(request, url) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


PROBLEMS = {
    "down": (
        _("The login service of %(organisation)s is not answering"),
        _(
            "Your organisation's login service could not be reached just now. Try again in a "
            "moment. If it keeps failing, tell your organisation's IT support."
        ),
    ),
    "untrusted": (
        _("The login could not be confirmed"),
        _(
            "The answer of your organisation's login service could not be verified, so you "
            "were not logged in. Try again. If it keeps failing, tell your organisation's IT "
            "support."
        ),
    ),
    "cancelled": (
        _("You were not logged in"),
        _("The login service of %(organisation)s did not log you in. Try again."),
    ),
    "stale": (
        _("The login has expired"),
        _(
            "This login was started too long ago or in another browser. Start again from the "
            "login page."
        ),
    ),
    AccountRefused.NOT_A_USER: (
        _("You have no access to this service"),
        _(
            "Your organisation's login service knows you as %(email)s, but %(organisation)s "
            "has no user of this service with that address. Ask your organisation's "
            "coordinator to add you."
        ),
    ),
    AccountRefused.DEACTIVATED: (
        _("Your account is not in use"),
        _(
            "Your account in this service has been closed. Ask your organisation's "
            "coordinator if you need it again."
        ),
    ),
    AccountRefused.NO_EMAIL: (
        _("You have no access to this service"),
        _(
            "Your organisation's login service did not tell your e-mail address, so you could "
            "not be recognised. Tell your organisation's IT support."
        ),
    ),
    "another_person": (
        _("You confirmed as another person"),
        _(
            "The login service confirmed another person than the one logged in here. Log out "
            "and log in again."
        ),
    ),
}


def _problem(request, provider, problem: str, status: int = 503, email: str = "") -> HttpResponse:
    """A clear page instead of a login: what happened, what to do, the way back to the
    organisation's login and (if the organisation allows it) to a password login."""
    title, text = PROBLEMS[problem]
    values = {"organisation": provider.organisation.name if provider else "", "email": email}
    context = {
        "title": str(title) % values,
        "text": str(text) % values,
        "provider": provider if problem != "another_person" else None,
        "local_login": provider is None or provider.allow_local_passwords,
    }
    return render(request, "registration/oidc_problem.html", context, status=status)
