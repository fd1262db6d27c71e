"""Feedback results for coordinators: aggregates by respondent group, computed by the database.

Answers are counted in fixed reporting cells, county × quarter (in which they were given) ×
survey version, and only cells of at least 5 responses count, in every figure and total; the
filters select whole cells, quarters that are over (filters.responses_in_scope). So no two
views differ by fewer than 5 respondents, and nobody can be recognised by comparing them. The
free-text answers follow the same cells. A county coordinator sees the answers given about
meetings in their county.
"""

import datetime
from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, F, Min, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from feedback.forms import LIKERT
from feedback.models import Answer, AnswerCount, Group, Question, Survey
from feedback.services import comment_visibility_set
from kelayhteistyo.access import coordinator_required, scope_county
from kelayhteistyo.models import active_language

from .figures import Figure, figure_csv, filter_query
from .filters import (
    Filters,
    cells_in_period,
    default_filters,
    links_sent,
    quarters,
    responses_in_scope,
    responses_left_out,
)
from .suppression import SMALL, average_shown, share, share_beside, small

COMMENTS_SHOWN = 200


class ResultFilters(Filters):
    """The dashboard's period and county (answers know neither the organisation, the client
    group nor the modality), plus the respondent group and the version of its survey. The
    period is widened to whole quarters: the results are counted by quarter."""

    group = forms.ChoiceField(
        label=gettext_lazy("Respondent group"), choices=Group.choices, required=False
    )
    version = forms.TypedChoiceField(
        label=gettext_lazy("Version of the survey"), coerce=int, required=False, empty_value=None
    )

    field_order = ["group", "version", "start", "end", "county"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organisation", "client_group", "modality"):
            del self.fields[name]
        self.fields["start"].help_text = _("From the start of this date's quarter.")
        self.fields["end"].help_text = _("To the end of this date's quarter.")
        group = self.data.get("group") if self.data.get("group") in Group.values else None
        surveys = Survey.objects.filter(group=group or Group.YOUNG_PERSON).order_by("-version")
        self.fields["version"].choices = [
            ("", _("In use")),
            *((s.version, str(s.version)) for s in surveys),
        ]


def _filters(request):
    form = ResultFilters(request.GET or None, county=scope_county(request.user))
    # Invalid filters are explained next to the field; the answers are shown unfiltered.
    filters = form.cleaned_data if form.is_bound and form.is_valid() else default_filters()
    group = filters.get("group") or Group.YOUNG_PERSON
    surveys = Survey.objects.filter(group=group)
    version = filters.get("version")
    survey = (surveys.filter(version=version) if version else surveys.filter(is_current=True)).get()
    return form, filters, survey


def quarter_label(quarter: datetime.date) -> str:
    return _("Q%(n)s/%(year)s") % {"n": (quarter.month - 1) // 3 + 1, "year": quarter.year}


def _period(filters) -> dict:
    """The whole quarters shown, for the page and the CSV's file name."""
    start, end = quarters(filters)
    period = {"start": start, "end": end - datetime.timedelta(days=1), "any": start < end}
    if period["any"]:
        period["first"] = quarter_label(start)
        period["last"] = quarter_label(period["end"])
    return period


LIKERT_YES_NO = (Question.Kind.LIKERT, Question.Kind.YES_NO)


def shared_keys() -> list[str]:
    """The short names of the scale and yes/no questions that several groups' current surveys
    share, in the order of the survey."""
    shared = (
        Question.objects.filter(survey__is_current=True, kind__in=LIKERT_YES_NO)
        .values_list("key")
        .annotate(groups=Count("survey"), position=Min("position"))
        .filter(groups__gte=2)
        .order_by("position", "key")
    )
    return [key for key, _groups, _position in shared]


def result_numbers(county, filters: dict, survey: Survey, keys: list[str]) -> dict:
    """Every number of the results page from the summary rows (`feedback.ResponseCell`,
    `feedback.AnswerCount`): three queries whatever the number of answers. `raw.py` computes
    the same from the answers themselves (the oracle of the tests).

    - n: the responses to `survey` counted; answered: by group (all versions); left_out: a
      cell of 1–4 responses in the period;
    - counts: (question, number, choice) → answers to `survey` (a text question: the comments
      shown);
    - comparison: (key, group) → [kind, answers, sum of the numbers] for `keys`."""
    cells = cells_in_period(county, filters)
    n, answered, left_out = 0, Counter(), False
    for survey_id, group, count in cells.values_list("survey_id", "group", "n"):
        if count >= SMALL:
            answered[group] += count
            n += count if survey_id == survey.pk else 0
        elif count:
            left_out = True
    counted = cells.filter(n__gte=SMALL)
    counts = {
        (question, number, choice): total
        for question, number, choice, total in AnswerCount.objects.filter(
            cell__in=counted.filter(survey=survey)
        )
        .values_list("question_id", "number", "choice_id")
        .annotate(total=Sum("n"))
        .order_by()
        if total
    }
    comparison = {
        (key, group): [kind, total, sum_of]
        for key, kind, group, total, sum_of in AnswerCount.objects.filter(
            cell__in=counted, question__key__in=keys, question__kind__in=LIKERT_YES_NO
        )
        .values_list("question__key", "question__kind", "cell__group")
        .annotate(total=Sum("n"), sum_of=Sum(F("n") * F("number")))
        .order_by()
        if total
    }
    return {
        "n": n,
        "answered": dict(answered),
        "left_out": left_out,
        "counts": counts,
        "comparison": comparison,
    }


def rates_figure(links: dict, answered: dict) -> Figure:
    return Figure(
        "rates",
        _("Response rates"),
        _(
            "Links sent and answers given in the quarters, by respondent group (all versions "
            "of the survey). A link is answered once. Answers of a county and quarter with "
            "fewer than 5 answers to a survey version are not counted."
        ),
        [_("Respondent group"), _("Links"), _("Answers"), _("Response rate")],
        [
            (
                label,
                small(links.get(group, 0)),
                small(answered.get(group, 0)),
                share_beside(answered.get(group, 0), links.get(group, 0)),
            )
            for group, label in Group.choices
        ],
    )


def comparison_figure(keys: list[str], comparison: dict) -> Figure:
    """The questions the groups share (by short name), side by side: the average of a scale,
    the share of yes. A group with fewer than 5 answers to a question shows it withheld."""
    texts = dict(
        Question.objects.filter(
            survey__is_current=True, survey__group=Group.AFTERCARE, key__in=keys
        ).values_list("key", "text_" + active_language())
    )

    def cell(key, group):
        kind, n, total = comparison.get((key, group), (None, 0, 0))
        average = total / n if n else None
        return average_shown(n, average, percent=kind == Question.Kind.YES_NO)

    return Figure(
        "groups",
        _("The groups side by side"),
        _(
            "Questions asked of several groups: the average on the scale of 1 to 5, or the "
            "share of yes (every version of the surveys)."
        ),
        [_("Question"), *Group.labels],
        [(texts.get(key) or key, *(cell(key, g) for g in Group.values)) for key in keys],
    )


def question_figures(survey: Survey, counts: dict) -> list[Figure]:
    """Distributions and averages of every question of one survey version."""
    questions = list(survey.questions.prefetch_related("choices"))
    by_kind = {kind: [q for q in questions if q.kind == kind] for kind in Question.Kind.values}
    result = []

    def of(q, number=None, choice=None):
        return counts.get((q.pk, number, choice), 0)

    if by_kind["likert"]:
        rows = []
        for q in by_kind["likert"]:
            spread = [of(q, i) for i in range(1, 6)]
            n = sum(spread)
            average = sum(i * c for i, c in enumerate(spread, start=1)) / n if n else None
            rows.append((q.text, *spread, n, number_format(average, 1) if average else "–"))
        result.append(
            Figure(
                "scale",
                _("Statements on a scale of 1 to 5"),
                _("How many answered each step (1 = not true at all, 5 = completely true)."),
                [_("Statement"), *(str(label) for _n, label in LIKERT), _("Answers"), _("Average")],
                rows,
                chart=True,
                series=5,
                across=True,
            )
        )
    if by_kind["yes_no"]:
        rows = []
        for q in by_kind["yes_no"]:
            yes, no = of(q, 1), of(q, 0)
            rows.append((q.text, yes, no, share(yes, yes + no)))
        result.append(
            Figure(
                "yes_no",
                _("Yes or no"),
                _("Answers to the yes / no questions, and the share of yes."),
                [_("Question"), _("Yes"), _("No"), _("Share of yes")],
                rows,
                chart=True,
                series=2,
                across=True,
            )
        )
    for q in by_kind["single"] + by_kind["multiple"]:
        rows = [(c.text, of(q, choice=c.pk)) for c in q.choices.all()]
        how = (
            _("Answers by choice; one choice each.")
            if q.kind == Question.Kind.SINGLE
            else _("Answers by choice; several could be chosen.")
        )
        result.append(
            Figure(
                f"q{q.pk}", q.text, how, [_("Choice"), _("Answers")], rows, chart=True, across=True
            )
        )
    if by_kind["text"]:
        result.append(
            Figure(
                "text",
                _("Free comments"),
                _("How many wrote a comment. The comments are on their own page."),
                [_("Question"), _("Comments")],
                [(q.text, of(q)) for q in by_kind["text"]],
            )
        )
    return result


def result_figures(survey: Survey, keys: list[str], links: dict, numbers: dict) -> list[Figure]:
    figures = [
        rates_figure(links, numbers["answered"]),
        comparison_figure(keys, numbers["comparison"]),
    ]
    if numbers["n"] >= SMALL:
        figures += question_figures(survey, numbers["counts"])
    return figures


@require_GET
@coordinator_required
def results(request):
    form, filters, survey = _filters(request)
    county = scope_county(request.user)
    keys = shared_keys()
    numbers = result_numbers(county, filters, survey, keys)
    n = numbers["n"]
    figures = result_figures(survey, keys, links_sent(county, filters), numbers)
    period = _period(filters)
    context = {
        "form": form,
        "survey": survey,
        "n": n,
        "shown": n >= SMALL,
        "figures": figures,
        "period": period,
        "left_out": numbers["left_out"],
        "scope": county,
        "query": filter_query(request, form),
    }
    if request.GET.get("csv"):
        return figure_csv(figures, request.GET["csv"], form, period)
    return render(request, "feedback/results.html", context)


@require_GET
@coordinator_required
def comments(request):
    """The free-text answers of one respondent group, without the meeting's attributes, from
    the same cells as the results."""
    form, filters, survey = _filters(request)
    county = scope_county(request.user)
    responses = responses_in_scope(county, filters, group=survey.group)
    n = responses.count()
    texts = (
        Answer.objects.filter(response__in=responses, question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .select_related("question__survey")
        .order_by("response_id", "id")  # random ids: no order of time
    )
    shown = n >= SMALL
    visible = texts.filter(hidden_at__isnull=True)
    context = {
        "form": form,
        "survey": survey,
        "n": n,
        "shown": shown,
        "comments": visible[:COMMENTS_SHOWN] if shown else [],
        "n_comments": visible.count() if shown else 0,
        "hidden": texts.filter(hidden_at__isnull=False) if shown else [],
        "limit": COMMENTS_SHOWN,
        "period": _period(filters),
        "left_out": responses_left_out(county, filters),
        "query": request.GET.urlencode(),
    }
    return render(request, "feedback/comments.html", context)


@require_POST
@coordinator_required
def comment_hide(request, response, question):
    """Hide a free-text answer that contains personal data, or show a hidden one again."""
    answers = Answer.objects.visible_to(request.user).filter(question__kind=Question.Kind.TEXT)
    answer = get_object_or_404(answers, response_id=response, question_id=question)
    if answer.hidden_at is None:
        comment_visibility_set(answer, hidden=True, by=request.user)
        messages.success(
            request,
            _("The comment was hidden. Its text is removed after %(n)s days.")
            % {"n": settings.FEEDBACK_HIDDEN_TEXT_DAYS},
        )
    elif answer.text:
        comment_visibility_set(answer, hidden=False)
        messages.success(request, _("The comment is shown again."))
    return redirect(f"{reverse('feedback:comments')}?{request.POST.get('query', '')}")
