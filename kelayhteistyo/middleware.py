"""Per-request policies: the user's language, session lifetime, two-factor authentication,
no caching of personal data, and an incident id for errors (logged without personal data)."""

import datetime
import logging
import uuid
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from kelayhteistyo import youth

logger = logging.getLogger("kelayhteistyo.incident")

LOGIN_AT = "login_at"
HAS_SECOND_FACTOR = "has_second_factor"  # set at login and when one is set up
# Set at a login through an organisation's login service whose multi-factor login counts as the
# second factor (OrganisationIdentityProvider.mfa_satisfies_second_factor; oidc_views.py).
SECOND_FACTOR_BY_PROVIDER = "second_factor_by_provider"
# Pages a user may open before the second factor is verified.
OTP_EXEMPT_URL_NAMES = {
    "otp_verify",
    "otp_setup",
    "logout",
    "set_language",
    "accessibility",
    "login",
}


admin_access = logging.getLogger("kelayhteistyo.admin_access")


class AdminAccessLogMiddleware:
    """The Django admin shows some personal data: the access log names whose data was read,
    notifications their recipients, the change history what was changed. The app's own reads
    go into the access log, which needs one young person per row; every page opened in the
    admin is written to the log `kelayhteistyo.admin_access` instead (who, when, what, and the
    answer), kept by the log service. Its level is fixed, so LOG_LEVEL does not silence it.
    The line names the user by id and the query by its parameter names only: a search in the
    admin is often a person's name, and logs never hold names or e-mail addresses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)  # set once the URL was resolved
        in_admin = match is not None and "admin" in match.namespaces
        if in_admin and user is not None and user.is_authenticated:
            params = ",".join(sorted(request.GET))
            admin_access.info(
                "admin %s %s%s by user %s: %s",
                request.method,
                request.path,
                f" ?{params}" if params else "",
                user.pk,
                response.status_code,
            )
        return response


class YouthLanguageMiddleware:
    """The young person's own pages (`/oma/`) speak the youth languages (kelayhteistyo/youth.py):
    the language chosen on them or set at sign-in from the record (a cookie of their own),
    else the one Django picked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(youth.YOUTH_PATH):
            chosen = request.COOKIES.get(youth.YOUTH_COOKIE)
            if youth.is_youth_language(chosen):
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)


class UserLanguageMiddleware:
    """A logged-in user sees the language they chose, on any device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class SessionPolicyMiddleware:
    """Sessions end after SESSION_COOKIE_AGE idle (the cookie is renewed on each request) and
    after SESSION_MAX_AGE in all, whatever the activity; coordinators and admins must use a
    second factor, and anyone who has set one up must verify it after the password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            max_age = datetime.timedelta(seconds=settings.SESSION_MAX_AGE)
            if (
                started is None
                or timezone.now() - datetime.datetime.fromisoformat(started) > max_age
            ):
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(f"{reverse('login')}?next={request.path}")
            needs_second_factor = user.requires_second_factor or request.session.get(
                HAS_SECOND_FACTOR
            )
            verified = user.is_verified() or request.session.get(SECOND_FACTOR_BY_PROVIDER)
            if needs_second_factor and not verified:
                if request.resolver_match is None:
                    request.resolver_match = _resolve(request.path_info)
                if request.resolver_match and (
                    request.resolver_match.url_name not in OTP_EXEMPT_URL_NAMES
                ):
                    return redirect(f"{reverse('otp_verify')}?next={request.path}")
        return self.get_response(request)


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


class NoStoreMiddleware:
    """Pages shown to a logged-in user may hold personal data: browsers and proxies keep no copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


# Exceptions Django turns into a 4xx answer: refusals, not incidents.
ANSWERED_4XX = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


class IncidentMiddleware:
    """An unexpected error gets an id that the error page shows and the log records, so that a
    user's report can be matched to the log without any personal data in either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ANSWERED_4XX):
            return  # Django answers these with a 4xx page; django.request logs them (filtered)
        request.incident_id = uuid.uuid4().hex[:10]
        # The type and the view only: the message may quote user input (RequestLogFilter).
        logger.error(
            "incident %s: %s in view %s",
            request.incident_id,
            type(exception).__name__,
            _view_name(request),
        )


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "-"


class RequestLogFilter(logging.Filter):
    """On the log handlers (settings.LOGGING): Django's request and security logs name the path
    (a survey link carries its token there) and add the exception's message and traceback (user
    input may be in either). They are cut to the status, the view and the exception type; an
    error that IncidentMiddleware logged already is not logged twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "django.request" and not record.name.startswith("django.security"):
            return True
        request = getattr(record, "request", None)
        if record.name == "django.request" and getattr(request, "incident_id", None):
            return False
        status: int = getattr(record, "status_code", 0)
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        parts = [str(status or "-"), phrase, _view_name(request)]
        record.msg = "%s %s in view %s"
        if record.exc_info and record.exc_info[0] is not None:
            record.msg += ": %s"
            parts.append(record.exc_info[0].__name__)
        record.args = tuple(parts)
        record.exc_info = record.exc_text = record.stack_info = None
        record.__dict__.pop("request", None)  # a formatter printing extras would show the path
        return True
