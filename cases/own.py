"""A young person's own sign-in: strong electronic identification (Suomi.fi e-Identification,
SAML 2.0) through djangosaml2 / pysaml2, and the session that follows it.

No Django user is made for a young person. The signed assertion's personal identity code
(`SAML_IDENTITY_ATTRIBUTE`, Suomi.fi's nationalIdentificationNumber) is matched to
`YouthClient.identity_code`; the session then holds the ids of the matching records under
`OWN_YOUTH` — apart from a worker's login (`request.user` stays anonymous, so no worker page
opens with it). A record without an identity code cannot be reached this way.

Refused, each with a page that says what to do: a response whose signature does not verify, meant
for another service (audience), expired, not asked for in this browser (unsolicited), an assertion
already used once (replay: `UsedAssertion`, also across sessions), and an identity code that
matches nobody's record.
"""

import datetime
import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from djangosaml2 import views as saml_views
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import IncorrectlySigned
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly
from stdnum.fi import hetu

from kelayhteistyo.youth import remember_language

from .models import UsedAssertion, YouthClient

logger = logging.getLogger(__name__)

OWN_YOUTH = "own_youth"  # the ids (str) of the young person's records
OWN_AT = "own_at"  # when they signed in (ISO time): the session ends SESSION_MAX_AGE after it


def saml_in_use() -> bool:
    return bool(
        settings.SAML_IDP_METADATA and settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE
    )


def sp_config(request=None) -> SPConfig:
    """The service provider's pysaml2 configuration, read from the settings at each call."""
    site = settings.SITE_URL
    conf = SPConfig()
    conf.load(
        {
            "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
            "entityid": settings.SAML_ENTITY_ID,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "name": "Yhteistyö",
                    "name_id_format": saml.NAMEID_FORMAT_TRANSIENT,
                    "endpoints": {
                        "assertion_consumer_service": [
                            (f"{site}/oma/saml/acs/", BINDING_HTTP_POST)
                        ],
                        "single_logout_service": [(f"{site}/oma/saml/ls/", BINDING_HTTP_REDIRECT)],
                    },
                    # Only answers to a request made in this browser: an answer posted without
                    # one (a copy, a replay from elsewhere) is refused.
                    "allow_unsolicited": False,
                    "authn_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "only_use_keys_in_metadata": True,
                    "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                    "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                }
            },
            "metadata": {"local": [settings.SAML_IDP_METADATA]},
            "key_file": settings.SAML_SP_KEY_FILE,
            "cert_file": settings.SAML_SP_CERT_FILE,
            "encryption_keypairs": [
                {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
            ],
            "accepted_time_diff": 60,
        }
    )
    return conf


# The session ------------------------------------------------------------------------------------


def own_session_start(request, youth_ids: list[str]) -> None:
    """A new session for the young person: whatever the browser had (a worker's login on a
    shared computer) ends, and the session id changes."""
    request.session.flush()
    request.session[OWN_YOUTH] = youth_ids
    request.session[OWN_AT] = timezone.now().isoformat()


def own_session_end(request) -> None:
    request.session.flush()


def own_youth_ids(request) -> list[str]:
    """The young person's record ids of a signed-in session, or [] (never signed in, or the
    session is over its maximum length)."""
    ids = request.session.get(OWN_YOUTH) or []
    at = request.session.get(OWN_AT)
    if not ids or not at:
        return []
    if timezone.now() - datetime.datetime.fromisoformat(at) > datetime.timedelta(
        seconds=settings.SESSION_MAX_AGE
    ):
        own_session_end(request)
        return []
    return list(ids)


def own_required(view):
    """The view is for a young person signed in with strong identification; others are sent to
    the sign-in page. The view gets the young person's records as `youth_ids`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        ids = own_youth_ids(request)
        if not ids:
            return redirect("own:login")
        return view(request, *args, youth_ids=ids, **kwargs)

    return wrapped


# Matching --------------------------------------------------------------------------------------


def youth_for_identity_code(code: str) -> list[YouthClient]:
    """The records holding this personal identity code (one person may have a record in more
    than one organisation, e.g. after moving), or [] when the code is not a valid one."""
    try:
        code = hetu.validate(code.strip().upper(), allow_temporary=True)
    except Exception:  # noqa: BLE001 — any malformed value is "no match"
        return []
    return list(YouthClient.objects.filter(identity_code=code).order_by("created_at"))


@transaction.atomic
def assertion_use(assertion_id: str, not_on_or_after: datetime.datetime | None) -> bool:
    """Record that the assertion has been used; False if it was used before (a replay). Rows
    are kept until the assertion would have expired anyway."""
    now = timezone.now()
    UsedAssertion.objects.filter(expires_at__lt=now).delete()
    expires = not_on_or_after or now + datetime.timedelta(hours=1)
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(assertion_id=assertion_id[:200], expires_at=expires)
    except IntegrityError:
        return False
    return True


# The views --------------------------------------------------------------------------------------


class SignInRefused(PermissionDenied):
    """Why the sign-in was refused, in words for the young person (`reason`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _refusal_text(exception) -> str:
    if isinstance(exception, SignInRefused):
        return exception.reason
    if isinstance(exception, ResponseLifetimeExceed | ToEarly):
        return _("The identification took too long or has already been used. Please sign in again.")
    if isinstance(exception, SignatureError | IncorrectlySigned):
        return _("The answer of the identification service could not be verified.")
    return _("The identification could not be completed. Please sign in again.")


def sign_in_refused(request, exception=None, status=403, **kwargs):
    """The page after a refused sign-in: what happened, in plain words; nothing else."""
    return render(
        request,
        "own/sign_in_refused.html",
        {"reason": _refusal_text(exception)},
        status=status if status in (400, 403) else 403,
    )


class SignInView(saml_views.LoginView):
    """Starts the identification: the browser goes to the identity provider."""

    def should_prevent_auth(self, request) -> bool:
        return False  # a worker's login on the same browser does not count here

    def get(self, request, *args, **kwargs):
        if not saml_in_use():
            return render(request, "own/sign_in.html", {"in_use": False}, status=503)
        return super().get(request, *args, **kwargs)


class AssertionConsumerView(saml_views.AssertionConsumerServiceView):
    """The identity provider's answer: verified by pysaml2 (signature, audience, time,
    InResponseTo), then used once and matched to the young person's record."""

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        logger.info("Own page sign-in refused: %s", type(exception).__name__)
        return sign_in_refused(request, exception, status)

    def post(self, request, *args, **kwargs):
        if not saml_in_use():
            return sign_in_refused(request, None, 403)
        response = super().post(request, *args, **kwargs)
        # pysaml2 keeps the identity (the identity code among it) in the SAML session for single
        # logout, which this service does not use: nothing of it is kept after the answer.
        request.saml_session.flush()
        language = getattr(request, "own_language", None)
        if language and response.status_code == 302:
            remember_language(response, language)
        return response

    def authenticate_user(
        self, request, session_info, attribute_mapping, create_unknown_user, assertion_info
    ):
        """No Django user: the identity code names the young person's records."""
        assertion_id = assertion_info.get("assertion_id") or ""
        not_after = assertion_info.get("not_on_or_after")
        expires = _saml_time(not_after)
        if not assertion_id or not assertion_use(assertion_id, expires):
            raise SignInRefused(
                _("This identification has already been used. Please sign in again.")
            )
        values = session_info.get("ava", {}).get(settings.SAML_IDENTITY_ATTRIBUTE) or []
        records = youth_for_identity_code(values[0]) if values else []
        if not records:
            raise SignInRefused(
                _(
                    "We found no data of yours in this service. Your aftercare worker can "
                    "check that your personal identity code is on your record."
                )
            )
        own_session_start(request, [str(y.pk) for y in records])
        # The young person's language on the record picks the language of their pages.
        request.own_language = records[-1].service_language

    def custom_redirect(self, user, relay_state, session_info) -> str:
        return reverse("own:page")


def _saml_time(value) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        return None


@require_GET
def metadata(request):
    """The service provider's metadata, for registering with the identity provider."""
    if not saml_in_use():
        raise Http404
    xml = str(entity_descriptor(sp_config(request)))
    return HttpResponse(xml, content_type="text/xml")


@require_GET
def sign_in_page(request):
    """The start page: what strong identification is, and the button."""
    if own_youth_ids(request):
        return redirect("own:page")
    return render(request, "own/sign_in.html", {"in_use": saml_in_use()})
