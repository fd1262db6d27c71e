"""The light door of the young person's own page (issue 19): without strong identification, a
link from the worker plus a one-time code sent to the same address open only what is not
sensitive — the next meeting's time, place or video link and its calendar file, and the open
feedback survey. No names (not even the young person's), no plan, no consents, no notes.
The rules of the link, the code and the light session are in cases/light.py; the operations
in cases.services (light_*). Every page view and download is in the access log with the basis
"own data", as on the strong own page.
"""

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import light
from cases import services as case_services
from cases.forms import LightCodeForm, LightNewLinkForm
from cases.models import OwnLightLink
from feedback.models import SurveyLink
from feedback.services import answer_path
from kelayhteistyo import youth
from kelayhteistyo.access import access_log_own
from kelayhteistyo.models import AccessLog
from meetings import calendar
from meetings.models import JointMeeting, Participant


def _in_record_language(view):
    """The light door speaks the young person's language: unless this browser has chosen one
    on the own pages (the cookie YouthLanguageMiddleware applies under /oma/), a page of a known
    link is in the language of the link's record, and the cookie is set for the pages after it
    (as the strong sign-in does). The view marks the link in `request.light_language`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.light_language = None
        response = view(request, *args, **kwargs)
        if request.light_language:
            youth.remember_language(response, request.light_language)
        return response

    return wrapped


def _speak(request, link: OwnLightLink | None) -> None:
    """Activate the record's language for the rest of this request (see above)."""
    if link is None or youth.is_youth_language(request.COOKIES.get(youth.YOUTH_COOKIE)):
        return
    language = link.youth.service_language
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.light_language = language


# A link that is not ours or was changed: 400. One that was ours and no longer works: 410.
STATUS = {"invalid": 400, "expired": 410, "used": 410, "locked": 410, "ended": 410}


def _problem(request, reason: str):
    """A clear page: the link does not work, why, and how to get a new one."""
    return render(request, "own/light_problem.html", {"reason": reason}, status=STATUS[reason])


def _link_page(request, token: str, link: OwnLightLink, form=None, error: str = "", status=200):
    context = {
        "token": token,
        "bound": light.bound_here(request, link),
        "channel": link.channel,
        "form": form or LightCodeForm(),
        "can_resend": link.codes_sent < light.MAX_CODES,
        "error": error,
    }
    return render(request, "own/light_link.html", context, status=status)


def _usable_link(request, token: str) -> OwnLightLink:
    link = light.link_of_token(token)
    problem = light.link_problem(request, link)
    if problem:
        raise light.LinkProblem(problem, link)
    return link


@never_cache
@require_http_methods(["GET", "POST"])
@_in_record_language
def light_link(request, token):
    """The link: a page with "Send me the code" (GET changes nothing: a mail scanner that
    follows links does not use it up); the press binds the link to this browser and sends the
    code to the same address."""
    try:
        link = _usable_link(request, token)
    except light.LinkProblem as problem:
        _speak(request, problem.link)
        return _problem(request, problem.reason)
    _speak(request, link)
    if link.verified_at is not None:  # the code was entered in this browser
        return redirect("own:light_page")
    if request.method == "POST":
        browser = "" if light.bound_here(request, link) else light.light_session_bind(request, link)
        try:
            case_services.light_code_send(link=link, browser_hash=browser)
        except light.LinkProblem as problem:
            light.light_session_end(request)
            return _problem(request, problem.reason)
        except ValidationError as e:
            return _link_page(request, token, link, error=e.messages[0], status=503)
        return redirect("own:light_link", token=token)
    return _link_page(request, token, link)


@never_cache
@require_POST
@_in_record_language
def light_code(request, token):
    """The one-time code: right → the light page; wrong → tries left; the third → dead."""
    try:
        link = _usable_link(request, token)
    except light.LinkProblem as problem:
        _speak(request, problem.link)
        return _problem(request, problem.reason)
    _speak(request, link)
    if not light.bound_here(request, link):
        return redirect("own:light_link", token=token)
    form = LightCodeForm(request.POST)
    if form.is_valid():
        result = case_services.light_code_check(link=link, code=form.cleaned_data["code"])
        if result == "ok":
            light.light_session_verified(request)
            return redirect("own:light_page")
        if result in ("locked", "used"):
            light.light_session_end(request)
            return _problem(request, result)
        if result == "expired":
            form.add_error("code", _("The code has expired. Send yourself a new code."))
        else:
            left = light.MAX_WRONG_CODES - link.wrong_codes - 1
            form.add_error(
                "code",
                ngettext(
                    "The code is not right. You have %(n)d try left.",
                    "The code is not right. You have %(n)d tries left.",
                    left,
                )
                % {"n": left},
            )
    link.refresh_from_db()
    return _link_page(request, token, link, form=form, status=400)


def _next_meeting(link: OwnLightLink) -> JointMeeting | None:
    return JointMeeting.objects.filter(youth_id=link.youth_id).upcoming().first()


@require_GET
@never_cache
@_in_record_language
@light.light_required
def light_page(request, link):
    """What the light door shows: the next meeting and the open feedback survey, nothing else."""
    _speak(request, link)
    meeting = _next_meeting(link)
    surveys = [
        answer_path(s)
        for s in SurveyLink.objects.open().filter(
            meeting__youth_id=link.youth_id, participant__kind=Participant.Kind.YOUNG_PERSON
        )
    ]
    access_log_own(youth_ids=[link.youth_id], what="own_light_page")
    context = {"meeting": meeting, "surveys": surveys, "light": True}
    return render(request, "own/light_page.html", context)


@require_GET
@never_cache
@_in_record_language
@light.light_required
def light_ics(request, pk, link):
    """The next meeting as a calendar file: time, place or video link, nothing more."""
    _speak(request, link)
    meeting = _next_meeting(link)
    if meeting is None or meeting.pk != pk:
        raise Http404
    access_log_own(
        youth_ids=[link.youth_id],
        what="own_light_ics",
        object_id=meeting.pk,
        action=AccessLog.Action.EXPORT,
    )
    body = calendar.meeting_ics(
        meeting, method=calendar.REQUEST, language=request.LANGUAGE_CODE, minimal=True
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tapaaminen.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def light_new(request):
    """ "Send me a new link": the same answer whether the address is known or not."""
    form = LightNewLinkForm(request.POST or None)
    if form.is_valid():
        channel, address = form.cleaned_data["address"]
        case_services.light_link_request(channel=channel, address=address)
        return render(request, "own/light_new.html", {"sent": True, "channel": channel})
    return render(
        request,
        "own/light_new.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@require_POST
def light_logout(request):
    light.light_session_end(request)
    return redirect("own:login")
