"""The dashboard reads per-month summary rows (issue 20): on a random data set, every figure
for many choices of filters equals the figure computed from the raw rows (`overview.raw`), after
a full rebuild and after the beat task's refresh of the months that changes touched."""

import datetime
import io
import itertools
import random

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cases.models import YouthClient
from kelayhteistyo.models import County, Organisation
from meetings import services
from meetings.models import ActionItem, JointMeeting, Modality
from overview import dashboard, rollups
from overview import filters as filters_module
from overview.aggregates import aggregates
from overview.filters import default_filters, whole_months
from overview.models import Tally, YouthMonth
from overview.raw import aggregates_raw

S = JointMeeting.Status


@pytest.fixture
def practice(db):
    """A random practice (seed_scale: meetings over two years in every county, plans, items,
    reviews, exports, answers), its summary rows built at the end of seeding."""
    call_command("seed_scale", youth=60, seed=7, force=True, stdout=io.StringIO())
    return random.Random(20)


def choices(rng: random.Random, n: int):
    """`n` choices of filters: periods of whole months, and every filter alone and together."""
    today = timezone.localdate()
    counties = list(County.objects.filter(organisation__isnull=False).distinct()[:3])
    orgs = list(Organisation.objects.filter(kind=Organisation.Kind.AFTERCARE)[:3])
    periods = [
        default_filters(),
        whole_months(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
        whole_months(today - datetime.timedelta(days=90), today),
        whole_months(today - datetime.timedelta(days=400), today - datetime.timedelta(days=200)),
        whole_months(today, today + datetime.timedelta(days=60)),
    ]
    every = list(
        itertools.product(
            periods,
            [None, *counties],
            [None, *orgs],
            [None, *YouthClient.ClientGroup.values],
            [None, *Modality.values],
        )
    )
    picked = [every[0], every[1], *rng.sample(every, n)]
    scopes = [None, *counties[:1]]  # a national coordinator and a county coordinator
    for (period, county, org, group, modality), scope in zip(
        picked, itertools.cycle(scopes), strict=False
    ):
        filters = {**period, "county": county, "organisation": org}
        filters |= {"client_group": group or "", "modality": modality or ""}
        yield scope, filters


def assert_equal_to_raw(rng, n=40):
    compared = 0
    for scope, filters in choices(rng, n):
        from_rollups = aggregates(scope, filters)
        assert from_rollups == aggregates_raw(scope, filters), filters
        # And the figures in words, suppression and all, are the same.
        words = [f.rows for f in dashboard.figures(from_rollups)]
        assert words == [f.rows for f in dashboard.figures(aggregates_raw(scope, filters))]
        compared += 1
    return compared


def test_every_figure_equals_the_raw_rows_for_many_filters(practice):
    assert Tally.objects.exists() and YouthMonth.objects.exists()
    data = aggregates(None, default_filters())
    # The data set is not trivial: each figure has something to compare.
    assert data["youth"] and data["new"] and data["meetings"] and data["items"]
    assert data["speed"]["n"] >= 5 and data["reviews"]["rounds"]
    assert assert_equal_to_raw(practice, 60) == 62


def test_the_beat_task_recomputes_the_months_changes_touched(practice, django_user_model):
    """A run of the beat task, then an hour later (beyond its margin) changes through the
    services; the next run finds the touched months only, and the figures again equal the raw
    rows."""
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        rollups.rollups_refresh()  # the seeding is within the margin: every month
    later = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        rng = practice
        upcoming = list(JointMeeting.objects.filter(status__in=[S.INVITED, S.CONFIRMED]))
        assert len(upcoming) >= 2
        cancelled, moved = rng.sample(upcoming, 2)
        services.meeting_cancel(meeting=cancelled, by=cancelled.organiser, reason="sairas")
        moved.starts_at += datetime.timedelta(days=40)  # into another month
        services.meeting_update(meeting=moved, by=moved.organiser)
        items = list(ActionItem.objects.filter(status=ActionItem.Status.OPEN)[:3])
        worker = items[0].plan.meeting.organiser
        services.action_item_cancel(item=items[0], reason="ei tarpeen", by=worker)
        services.action_item_edit(
            item=items[1],
            what=items[1].what,
            owner=None,
            due_date=(items[1].due_date or timezone.localdate()) + datetime.timedelta(days=7),
            note="odottaa",
            version=items[1].version,
            by=worker,
        )
        services.action_item_set_done(item=items[2], done=True, by=worker)
        # A young person's client group changes (seen from the rows themselves).
        youth = YouthMonth.objects.first().youth
        youth.client_group = next(
            g for g in YouthClient.ClientGroup.values if g != youth.client_group
        )
        youth.save()

        all_months = len(rollups._all_months())
        recomputed = rollups.rollups_refresh()
        assert 0 < recomputed < all_months
        assert assert_equal_to_raw(rng, 25) == 27
        # Nothing changed since: the next run recomputes only what the margin still covers.
        assert rollups.rollups_refresh() <= recomputed


def test_rebuild_rollups_checks_itself_against_the_raw_rows(practice):
    out = io.StringIO()
    call_command("rebuild_rollups", check=True, stdout=out)
    assert "The summary rows equal the raw rows." in out.getvalue()


def test_rebuild_rollups_of_the_feedback_results_alone(answers):
    from feedback.models import ResponseCell

    ResponseCell.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_rollups", feedback=True, check=True, stdout=out)
    assert "reporting cells rebuilt" in out.getvalue()
    assert "The summary rows equal the raw rows." in out.getvalue()
    assert ResponseCell.objects.exists()


# The feedback results' summary rows --------------------------------------------------------------


@pytest.fixture
def answers(practice):
    """Random answers in a few reporting cells of every size (some under 5, some empty), every
    kind of question answered or skipped, some comments hidden; then the summary rows rebuilt."""
    from feedback.models import Answer, Question, Response, Survey, quarter_start
    from feedback.services import counts_rebuild

    rng = practice
    counties = [None, *County.objects.filter(organisation__isnull=False).distinct()[:2]]
    quarter = quarter_start(timezone.localdate())
    past = []
    for _ in range(7):
        quarter = quarter_start(quarter - datetime.timedelta(days=1))
        past.append(quarter)
    responses, rows = [], []
    for county, quarter, survey in itertools.product(counties, past, Survey.objects.all()):
        questions = list(survey.questions.prefetch_related("choices"))
        for _ in range(rng.choice([0, 1, 3, 4, 5, 6, 9, 14])):
            response = Response(
                survey=survey, group=survey.group, county=county, quarter=quarter, language="fi"
            )
            responses.append(response)
            for q in questions:
                if rng.random() < 0.15:
                    continue  # not answered
                if q.kind == Question.Kind.TEXT:
                    hidden = timezone.now() if rng.random() < 0.2 else None
                    rows.append(Answer(response=response, question=q, text="x", hidden_at=hidden))
                elif q.kind in Question.WITH_CHOICES:
                    picked = rng.sample(list(q.choices.all()), rng.randint(1, 2))
                    rows += [Answer(response=response, question=q, choice=c) for c in picked]
                elif q.kind == Question.Kind.YES_NO:
                    rows.append(Answer(response=response, question=q, number=rng.randint(0, 1)))
                else:
                    rows.append(Answer(response=response, question=q, number=rng.randint(1, 5)))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(rows)
    counts_rebuild()
    return rng


def result_choices(rng: random.Random, n: int):
    """Scopes × periods × county × respondent group × survey version."""
    from feedback.models import Survey

    today = timezone.localdate()
    counties = list(County.objects.filter(organisation__isnull=False).distinct()[:3])
    periods = [
        default_filters(),
        whole_months(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
        whole_months(today - datetime.timedelta(days=200), today),
        whole_months(today - datetime.timedelta(days=500), today - datetime.timedelta(days=200)),
    ]
    every = list(
        itertools.product(periods, [None, *counties], list(Survey.objects.all()), [None, *counties])
    )
    for period, county, survey, scope in [every[0], *rng.sample(every, n)]:
        yield scope, {**period, "county": county}, survey


def assert_results_equal_to_raw(rng, n=40) -> int:
    from overview import results
    from overview.raw import result_numbers_raw

    keys = results.shared_keys()
    compared = 0
    for scope, filters, survey in result_choices(rng, n):
        numbers = results.result_numbers(scope, filters, survey, keys)
        raw = result_numbers_raw(scope, filters, survey, keys)
        assert numbers == raw, (scope, filters, survey)
        links = filters_module.links_sent(scope, filters)
        words = [f.rows for f in results.result_figures(survey, keys, links, numbers)]
        assert words == [f.rows for f in results.result_figures(survey, keys, links, raw)]
        compared += 1
    return compared


def test_every_results_figure_equals_the_raw_answers_for_many_filters(answers):
    from feedback.models import AnswerCount, ResponseCell
    from overview import results
    from overview.raw import result_numbers_raw

    assert ResponseCell.objects.exists() and AnswerCount.objects.exists()
    period = whole_months(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
    # The data set is not trivial: cells counted and cells left out, every kind of figure.
    from feedback.models import Survey

    young = Survey.objects.get(group="young_person", is_current=True)
    whole = result_numbers_raw(None, period, young, results.shared_keys())
    assert whole["n"] >= 5 and whole["left_out"] and whole["comparison"]
    assert any(choice for _q, _n, choice in whole["counts"])
    assert assert_results_equal_to_raw(answers, 60) == 61


def test_the_results_summary_follows_answers_and_hidden_comments(answers):
    """New answers through the answer form, comments hidden and shown again: the summary rows
    are kept in the same transactions, and still equal the raw rows (no rebuild)."""
    from feedback import services as feedback
    from feedback.models import Answer, AnswerCount, Question, ResponseCell

    rng = answers
    # Answers given today (this quarter: not yet in the figures, but in the summary rows).
    links = list(feedback.SurveyLink.objects.open().select_related("meeting")[:6])
    assert links
    for link in links:
        survey = feedback.Survey.objects.get(group=link.group, is_current=True)
        values = []
        for q in survey.questions.all():
            if q.kind == Question.Kind.TEXT:
                values.append((q, "Hyvä tapaaminen"))
            elif q.kind in Question.WITH_CHOICES:
                values.append((q, [c.pk for c in q.choices.all()][:1]))
            elif q.kind == Question.Kind.YES_NO:
                values.append((q, rng.choice([0, 1])))
            else:
                values.append((q, rng.randint(1, 5)))
        feedback.response_save(link=link, survey=survey, answers=values, language="fi")
    # Comments shown now (the random data set hides some already).
    shown = Answer.objects.filter(question__kind=Question.Kind.TEXT, hidden_at__isnull=True)
    comments = list(shown.exclude(text="")[:6])
    assert len(comments) >= 4
    coordinator = None
    for answer in comments[:4]:
        assert feedback.comment_visibility_set(answer, hidden=True, by=coordinator)
        assert not feedback.comment_visibility_set(answer, hidden=True, by=coordinator)
    feedback.comment_visibility_set(Answer.objects.get(pk=comments[0].pk), hidden=False)
    fields = ("cell__county", "cell__quarter", "cell__survey", "question", "number", "choice")
    before = set(AnswerCount.objects.filter(n__gt=0).values_list(*fields, "n"))
    cells = set(ResponseCell.objects.values_list("county", "quarter", "survey", "n"))
    feedback.counts_rebuild()
    assert before == set(AnswerCount.objects.values_list(*fields, "n"))
    assert cells == set(ResponseCell.objects.values_list("county", "quarter", "survey", "n"))
    assert assert_results_equal_to_raw(rng, 20) == 21


def test_the_results_summary_rows_know_no_person_and_no_time():
    """Anonymity (docs/security.md): no respondent, response, link or meeting, no time finer
    than the quarter, ids that tell no order."""
    from feedback.models import AnswerCount, ResponseCell

    assert {f.name for f in ResponseCell._meta.get_fields()} == {
        "id",
        "county",
        "quarter",
        "survey",
        "group",
        "n",
        "answers",
    }
    assert {f.name for f in AnswerCount._meta.get_fields()} == {
        "id",
        "cell",
        "question",
        "number",
        "choice",
        "n",
    }
    for model in (ResponseCell, AnswerCount):
        assert model._meta.pk.get_default() != model._meta.pk.get_default()
