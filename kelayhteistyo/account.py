"""Two-factor authentication (TOTP with backup codes), re-authentication before sensitive
downloads, and the session clock started at login."""

import datetime
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import AUTH_AT
from .middleware import HAS_SECOND_FACTOR, LOGIN_AT

BACKUP_CODES = 10
SETUP_DEVICE = "otp_setup_device"


def attempted_username(request, credentials=None) -> str:
    """The account a login attempt is for (django-axes counts failures per account): the
    address typed into the login form's `username` field, or given to `authenticate` (the
    password asked again), lowercased as addresses are stored."""
    typed = (credentials or {}).get("username") or request.POST.get("username") or ""
    return typed.strip().lower()


def client_ip(request) -> str:
    """The client's address for the login records. X-Forwarded-For is believed only as far as
    TRUSTED_PROXY_COUNT proxies of our own append to it; otherwise anyone could choose it."""
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if trusted and len(forwarded) >= trusted and forwarded[-trusted]:
        return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "")


def start_session_clock(sender, request, user, **kwargs):
    """Connected to user_logged_in (apps.py): the 12-hour and the re-authentication clocks."""
    now = timezone.now().isoformat()
    request.session[LOGIN_AT] = now
    request.session[AUTH_AT] = now
    request.session[HAS_SECOND_FACTOR] = django_otp.user_has_device(user)


def _next_url(request, default="home"):
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse(default)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code of your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        self.device = django_otp.match_token(self.user, token)
        if self.device is None:
            raise forms.ValidationError(_("The code is not valid. Check it and try again."))
        return token


@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request):
    """The second step of logging in."""
    if not django_otp.user_has_device(request.user):
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None, user=request.user)
    if form.is_valid():
        django_otp.login(request, form.device)
        request.session[AUTH_AT] = timezone.now().isoformat()
        return redirect(_next_url(request))
    return render(request, "account/otp_verify.html", {"form": form, "next": _next_url(request)})


class SetupForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not self.device.verify_token(token):
            raise forms.ValidationError(_("The code is not valid. Check it and try again."))
        return token


@require_http_methods(["GET", "POST"])
@login_required
def otp_setup(request):
    """Set up an authenticator app: scan the QR code, confirm with a code, get backup codes.
    Someone who already has one must verify it first (then this replaces it)."""
    user = request.user
    if django_otp.user_has_device(user) and not user.is_verified():
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.path})}")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False
    ).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
        request.session[SETUP_DEVICE] = device.pk
    form = SetupForm(request.POST or None, device=device)
    if form.is_valid():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
        django_otp.login(request, device)
        del request.session[SETUP_DEVICE]
        request.session[HAS_SECOND_FACTOR] = True
        context = {"codes": codes, "next": _next_url(request)}
        return render(request, "account/otp_backup_codes.html", context)
    context = {
        "form": form,
        "qr_svg": segno.make(device.config_url).svg_inline(scale=5),
        "secret": _spaced(device.bin_key),
        "next": _next_url(request),
    }
    return render(request, "account/otp_setup.html", context)


def _spaced(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _new_backup_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        # Through the authentication backends, so that django-axes counts the failures and
        # locks the account as on the login page: the password cannot be guessed here either.
        password = self.cleaned_data["password"]
        user = self.request.user
        if authenticate(self.request, username=user.email, password=password) != user:
            raise forms.ValidationError(_("The password is not correct."))
        return password


@require_http_methods(["GET", "POST"])
@login_required
def reauthenticate(request):
    """The password (and the second factor) again. A user whose organisation has its own login
    service may confirm there instead (oidc_views.py), and must if the organisation allows no
    password of this service; the code then follows here."""
    from .oidc import local_password_allowed
    from .oidc_views import CONFIRM_VALID, CONFIRMED_AT, organisation_provider

    user = request.user
    provider = organisation_provider(user)
    confirmed_at = request.session.get(CONFIRMED_AT)
    by_provider = bool(
        provider
        and confirmed_at
        and timezone.now() - datetime.datetime.fromisoformat(confirmed_at) <= CONFIRM_VALID
    )
    form = None
    if not by_provider and local_password_allowed(user):
        form = PasswordForm(request.POST or None, request=request)
    token_form = None
    if django_otp.user_has_device(user) and (form is not None or by_provider):
        token_form = TokenForm(request.POST or None, user=user)
    if (form is not None or by_provider) and request.method == "POST":
        forms_valid = [f.is_valid() for f in (form, token_form) if f is not None]
        if forms_valid and all(forms_valid):
            request.session[AUTH_AT] = timezone.now().isoformat()
            request.session.pop(CONFIRMED_AT, None)
            messages.success(request, _("Thank you. You can continue."))
            return redirect(_next_url(request))
    context = {
        "form": form,
        "token_form": token_form,
        "provider": provider if not by_provider else None,
        "next": _next_url(request),
    }
    return render(request, "account/reauthenticate.html", context)
