"""The public answer page, and the coordinators' survey editor."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kelayhteistyo.access import coordinator_required, scope_county
from kelayhteistyo.youth import youth_languages

from . import services
from .forms import AnswerForm, QuestionFormSet, SurveyForm
from .models import Choice, Group, Question, Survey


def _surveys():
    return Survey.objects.prefetch_related(
        Prefetch("questions", Question.objects.prefetch_related("choices"))
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """Answer a survey with a single-use link: no login, any language of the service.

    Every page here answers 200: Django logs a 4xx with its path, and the path holds the
    token. No browser or proxy keeps a copy (never_cache)."""
    code = services.code_from_token(token)
    link = services.link_of_code(code) if code else None
    # The young person's survey (and a page without a link) speaks the youth languages.
    youth_page = link is None or link.group == Group.YOUNG_PERSON
    languages = youth_languages() if youth_page else dict(settings.LANGUAGES)
    switch = request.POST.get("switch")  # the language switch of the survey page
    language = switch or request.GET.get("lang") or request.POST.get("lang")
    if language not in languages:
        language = request.COOKIES.get(LANGUAGE_COOKIE)
    if language not in languages:
        language = link.language if link else settings.LANGUAGE_CODE
    with translation.override(language):
        response = _answer(request, token, code, link, language, switch, languages)
    # The page stays in the language chosen or answered in, also once the link is used up: a
    # cookie of this browser for /p/ only. Nothing about the person is stored.
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        path="/p/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


LANGUAGE_COOKIE = "p_lang"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 60  # the 30 days a link works, and some


def _answer(request, token, code, link, language, switch, languages):
    """The answer page's steps, in the chosen language."""
    context = {"token": token, "lang": language, "languages": languages}
    if code is None:
        return render(request, "feedback/link_problem.html", context)
    if link is None:  # signed by us, and gone: answered, or its time is over
        context["sent"] = "sent" in request.GET
        return render(request, "feedback/thanks.html", context)
    if link.is_expired:
        context["expired"] = True
        return render(request, "feedback/link_problem.html", context)
    survey = _current_or_posted(request, link.group)
    form = AnswerForm(request.POST or None, survey=survey)
    if switch:  # the same answers in another language: nothing saved, no error shown yet
        form = AnswerForm(initial=form.posted_values(), survey=survey)
    elif form.is_valid():
        try:
            services.response_save(
                link=link, survey=survey, answers=form.answers(), language=language
            )
        except services.LinkUsed:
            # Answered in another tab a moment ago (or expired): the page says so.
            return redirect(f"{request.path}?lang={language}")
        except services.AnswerNotSaved:
            form.add_error(None, _("Your answers could not be saved. Please send them again."))
        else:
            return redirect(f"{request.path}?lang={language}&sent")
    context.update(form=form, survey=survey)
    return render(request, "feedback/answer.html", context)


def _current_or_posted(request, group: str) -> Survey:
    """The version the form was shown in (if it changed meanwhile), else the current one."""
    surveys = _surveys().filter(group=group)
    posted = request.POST.get("survey")
    if posted and posted.isdigit():
        survey = surveys.filter(pk=posted).first()
        if survey is not None:
            return survey
    return surveys.get(is_current=True)


# Editing surveys --------------------------------------------------------------------------------


def _may_edit(user) -> bool:
    """The surveys are national, so that results compare across counties: a national
    coordinator edits them, a county coordinator reads them."""
    return scope_county(user) is None


@require_GET
@coordinator_required
def survey_list(request):
    surveys = (
        Survey.objects.filter(is_current=True)
        .annotate(
            n_responses=Count("responses", distinct=True),
            n_questions=Count("questions", distinct=True),
        )
        .order_by("group")
    )
    return render(
        request,
        "feedback/survey_list.html",
        {"surveys": surveys, "may_edit": _may_edit(request.user)},
    )


@require_http_methods(["GET", "POST"])
@coordinator_required
def survey_edit(request, pk):
    survey = get_object_or_404(Survey, pk=pk, is_current=True)
    questions = Question.objects.filter(survey=survey).prefetch_related(
        Prefetch("choices", Choice.objects.order_by("position"))
    )
    may_edit = _may_edit(request.user)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, instance=survey, prefix="survey")
    formset = QuestionFormSet(data, queryset=questions, prefix="questions")
    if data is not None and form.is_valid() and formset.is_valid():
        fields = {name: form.cleaned_data[name] for name in SurveyForm.Meta.fields}
        saved = services.survey_save(
            survey=survey, fields=fields, questions=formset.specs(), by=request.user
        )
        if saved.pk == survey.pk:
            messages.success(request, _("The survey was saved."))
        else:
            messages.success(
                request,
                _(
                    "The survey had answers, so the changes became version %(n)s. "
                    "The earlier answers keep their wording."
                )
                % {"n": saved.version},
            )
        return redirect("feedback:survey_edit", pk=saved.pk)
    return render(
        request,
        "feedback/survey_edit.html",
        {
            "survey": survey,
            "form": form,
            "formset": formset,
            "may_edit": may_edit,
            "has_answers": survey.responses.exists(),
        },
        status=400 if data is not None else 200,
    )
