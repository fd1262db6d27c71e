"""The light door of the young person's own page (issue 19): a single-use link and a one-time
code, without strong identification, opening only what is not sensitive (overview/light.py
shows it). The rules of the link, the code and the light session live here; the operations
that send (cases.services.light_*) use them.

- The link: `<id>.<secret>` signed with SECRET_KEY (django.core.signing, its own salt); the row
  keeps a SHA-256 of the secret, so neither the database alone nor the key alone makes a
  usable link. It works until `OWN_LIGHT_LINK_HOURS` after it was sent, and is opened once:
  opening binds it to that browser (a random value in the session, its digest on the row).
- The code: 6 digits, sent to the same address by the same channel when the link is opened,
  valid `OWN_LIGHT_CODE_MINUTES`; kept as an HMAC; three wrong codes end the link.
- The light session: apart from the strong own session (`cases.own`), under its own keys. It
  names the link, not the young person: every request reads the link and asks whether access
  has ended (turned off, consent to messages withdrawn or expired, record closed, address
  changed), so an ended door is closed on the next request.
"""

import datetime
import hashlib
import secrets
from functools import wraps

from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from .models import OwnLightLink

SALT = "cases.own-light-link"
CODE_DIGITS = 6
MAX_WRONG_CODES = 3
MAX_CODES = 3  # codes sent for one link (a lost text message may be asked again)

# What the young person is told when no code goes out (youth texts: kelayhteistyo/youth.py).
NO_MORE_CODES = _("No more codes can be sent for this link. Ask for a new link.")
CODE_NOT_SENT = _("The code could not be sent. Please try again in a moment.")

LIGHT_LINK = "own_light_link"  # the link's id (the session of a light door)
LIGHT_BROWSER = "own_light_browser"  # the random value that binds the link to this browser
LIGHT_AT = "own_light_at"  # when the code was entered (ISO time)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def token_of(link: OwnLightLink, secret: str) -> str:
    return signing.Signer(salt=SALT).sign(f"{link.pk}.{secret}")


class LinkProblem(Exception):
    """Why a link does not open: "invalid" (not ours, or changed), "expired", "used" (opened
    in another browser, or the code already entered), "locked" (three wrong codes),
    "ended" (the light door is closed for it)."""

    def __init__(self, reason: str, link: OwnLightLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def link_of_token(token: str) -> OwnLightLink:
    """The link a token was made from; LinkProblem("invalid") if it is not one of ours."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise LinkProblem("invalid") from None
    pk, _sep, secret = value.partition(".")
    link = (
        OwnLightLink.objects.select_related("youth")
        .filter(pk=int(pk) if pk.isdigit() else 0)
        .first()
    )
    if link is None or not constant_time_compare(link.secret_hash, digest(secret)):
        raise LinkProblem("invalid")
    return link


def bound_here(request, link: OwnLightLink) -> bool:
    """The link was opened in this browser."""
    value = request.session.get(LIGHT_BROWSER) or ""
    return (
        bool(value and link.browser_hash)
        and request.session.get(LIGHT_LINK) == link.pk
        and constant_time_compare(link.browser_hash, digest(value))
    )


def link_problem(request, link: OwnLightLink) -> str:
    """Why the link cannot be used in this browser now, or ""."""
    if link.access_ended():
        return "ended"
    if link.is_locked:
        return "locked"
    if link.browser_hash and not bound_here(request, link):
        return "used"
    if link.verified_at is not None and request.session.get(LIGHT_AT) is None:
        return "used"
    now = timezone.now()
    if (
        link.verified_at is None
        and link.expires_at <= now
        and (link.code_expires_at is None or link.code_expires_at <= now)
    ):
        return "expired"  # a code sent just before the end may still be typed
    return ""


def code_digest(link: OwnLightLink, code: str) -> str:
    return salted_hmac(f"{SALT}.code.{link.pk}", code).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def light_session_bind(request, link: OwnLightLink) -> str:
    """A new session bound to this link: whatever the browser had ends (a worker's login, a
    strong own session) and the session id changes. Returns the digest for the row."""
    request.session.flush()
    value = secrets.token_urlsafe(24)
    request.session[LIGHT_LINK] = link.pk
    request.session[LIGHT_BROWSER] = value
    return digest(value)


def light_session_verified(request) -> None:
    request.session.cycle_key()
    request.session[LIGHT_AT] = timezone.now().isoformat()


def light_session_end(request) -> None:
    request.session.flush()


def light_link_of_session(request) -> OwnLightLink | None:
    """The link of a light session whose code was entered, or None (none, or over its
    maximum length)."""
    pk, at = request.session.get(LIGHT_LINK), request.session.get(LIGHT_AT)
    if not pk or not at:
        return None
    if timezone.now() - datetime.datetime.fromisoformat(at) > datetime.timedelta(
        seconds=settings.SESSION_MAX_AGE
    ):
        light_session_end(request)
        return None
    link = OwnLightLink.objects.select_related("youth").filter(pk=pk).first()
    if link is None or link.verified_at is None or not bound_here(request, link):
        return None
    return link


def light_required(view):
    """The view is for a light session: the young person entered the code of their link, and
    the light door is still open for it (checked now). Otherwise a page that says access has
    ended, or that a link is needed. The view gets the link as `link`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        link = light_link_of_session(request)
        if link is None:
            return render(request, "own/light_problem.html", {"reason": "none"}, status=403)
        if link.access_ended():
            light_session_end(request)
            return render(request, "own/light_problem.html", {"reason": "ended"}, status=403)
        return view(request, *args, link=link, **kwargs)

    return wrapped
