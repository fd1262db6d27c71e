"""Coordinators' results: aggregation on PostgreSQL with known answers, small-cell suppression,
county scope, filters, the CSV, free comments, and survey versions.

Results count the quarters that are over, so the answers of these tests are given in the last
quarter (`last_quarter`) and read today."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback
from feedback.models import Answer, Response, Survey, quarter_start
from meetings import services
from overview import filters
from overview.tasks import purge_stale_data
from tests import factories as f
from tests.feedback.conftest import current, form_data, link_of, url_of


@pytest.fixture
def national(db):
    return f.CoordinatorFactory(organisation__county=None)


def held_meetings(n, *, kela, organisation=None, modality="face_to_face"):
    organisation = organisation or f.OrganisationFactory()
    worker = f.WorkerFactory(organisation=organisation)
    meetings = []
    for _ in range(n):
        youth = f.YouthFactory(organisation=organisation, responsible_worker=worker)
        f.ConsentFactory(youth=youth, recorded_by=worker)
        meeting = f.MeetingFactory(youth=youth, organiser=worker, modality=modality)
        services.meeting_invite(meeting=meeting, kela_contact=kela, by=worker)
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        meetings.append(services.meeting_mark_held(meeting=f.move_into_past(meeting), by=worker))
    return meetings


def answer_youth(client, meetings, values):
    """The young person of each meeting answers; `values` gives each one's answers by key."""
    for meeting, by_key in zip(meetings, values, strict=True):
        data = form_data(current(), **by_key)
        assert client.post(url_of(link_of(meeting, "young_person")), data).status_code == 302


def last_quarter():
    """Time travel into the middle of the last quarter that is over."""
    day = quarter_start(timezone.localdate()) - datetime.timedelta(days=45)
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    )


def answered(n, *, kela, values=None, **kwargs):
    """`n` meetings held and their young people's answers, in the last quarter (in a client of
    their own: a coordinator's session would expire on the way back)."""
    with last_quarter():
        meetings = held_meetings(n, kela=kela, **kwargs)
        answer_youth(Client(), meetings, values or [{}] * n)
    return meetings


def figure(response, key):
    (found,) = [x for x in response.context["figures"] if x.key == key]
    return found


def test_distributions_and_averages_are_computed_by_the_database(client, client_as, national, kela):
    scores = [1, 2, 4, 4, 5, 5]
    answered(
        6,
        kela=kela,
        values=[{"got_info": s, "again": int(s >= 4), "comment": ""} for s in scores],
    )
    response = client_as(national).get(reverse("feedback:results"))
    assert response.context["shown"] and response.context["n"] == 6
    scale = {row[0]: row[1:] for row in figure(response, "scale").rows}
    # Finnish decimals have a comma.
    assert scale["Sain tarvitsemani tiedon etuuksista."] == (1, 1, 0, 2, 2, 6, "3,5")
    assert scale["Minua kuunneltiin."] == (0, 0, 0, 6, 0, 6, "4,0")
    (yes_no,) = figure(response, "yes_no").rows
    assert yes_no[1:] == (4, 2, "67 %")
    # Every young person ticked the first two choices of "what did it help with".
    helped = next(x for x in response.context["figures"] if x.title.startswith("Missä asioissa"))
    assert [count for _choice, count in helped.rows][:3] == [6, 6, 0]
    rates = {row[0]: row[1:] for row in figure(response, "rates").rows}
    assert rates["Nuoret"] == (6, 6, "100 %")
    side_by_side = {row[0]: row[1:] for row in figure(response, "groups").rows}
    # young people, aftercare, Kela, other professionals, the young person's own people: only
    # the young people have answered
    assert side_by_side["Osallistuisin samanlaiseen tapaamiseen uudelleen."] == (
        "67 %",
        "–",
        "–",
        "–",
        "–",
    )
    assert list(side_by_side)[:2] == [
        "Tapaamisesta oli hyötyä nuoren tilanteessa.",
        "Jatkosta sovittiin selkeästi: kuka tekee mitä ja milloin.",
    ]
    assert rates["Kelan ammattilaiset"] == (6, 0, "0 %")  # links sent, none answered


def test_a_group_with_fewer_than_5_answers_is_not_shown(client, client_as, national, kela):
    answered(4, kela=kela)
    response = client_as(national).get(reverse("feedback:results"))
    assert not response.context["shown"]
    assert [x.key for x in response.context["figures"]] == ["rates", "groups"]
    html = response.content.decode()
    assert "Valintoja ei vastaa yksikään vähintään 5 vastauksen solu" in html
    assert "Osaa tämän jakson vastauksista ei lasketa" in html
    # Left out of the totals too: the answers are not counted, the links are.
    rates = {row[0]: row[1:] for row in figure(response, "rates").rows}
    assert rates["Nuoret"] == ("< 5", 0, "ei näytetä (< 5)")
    comments = client_as(national).get(reverse("feedback:comments"))
    assert not comments.context["comments"] and "Hyvä tapaaminen" not in comments.content.decode()


def test_a_county_coordinator_sees_their_county_only(client, client_as, kela):
    ours = f.OrganisationFactory(county=f.county("etela-pohjanmaa"))
    theirs = f.OrganisationFactory(county=f.county("kanta-hame"))
    answered(5, kela=kela, organisation=ours)
    answered(5, kela=kela, organisation=theirs)
    coordinator = f.CoordinatorFactory(organisation__county=f.county("etela-pohjanmaa"))
    response = client_as(coordinator).get(reverse("feedback:results"))
    assert response.context["n"] == 5
    hidden = Answer.objects.filter(response__county=f.county("kanta-hame"), text__gt="").first()
    assert (
        client_as(coordinator)
        .post(reverse("feedback:comment_hide", args=[hidden.response_id, hidden.question_id]))
        .status_code
        == 404
    )


def test_filters_narrow_the_answers_and_bad_filters_are_explained(
    client, client_as, national, kela
):
    """The county narrows (the client group and the modality no longer do: answers keep only
    their county and quarter); the period counts whole quarters."""
    ours = f.OrganisationFactory(county=f.county("etela-pohjanmaa"))
    answered(5, kela=kela, organisation=ours)
    answered(5, kela=kela, organisation=f.OrganisationFactory(county=f.county("pirkanmaa")))
    coordinator = client_as(national)
    assert coordinator.get(reverse("feedback:results")).context["n"] == 10
    county = {"county": ours.county_id}
    assert coordinator.get(reverse("feedback:results"), county).context["n"] == 5
    # One day of the quarter counts the whole quarter.
    last_day = quarter_start(timezone.localdate()) - datetime.timedelta(days=1)
    one_day = {"start": last_day.isoformat(), "end": last_day.isoformat()}
    response = coordinator.get(reverse("feedback:results"), one_day)
    assert response.context["n"] == 10
    assert "client_group" not in response.context["form"].fields
    today = timezone.localdate()
    reversed_period = {"start": today.isoformat(), "end": "2020-01-01", "county": "nowhere"}
    response = coordinator.get(reverse("feedback:results"), reversed_period)
    assert response.status_code == 200 and response.context["n"] == 10
    errors = response.context["form"].errors
    assert "start" in errors and "county" in errors
    long_ago = {"start": "2020-01-01", "end": "2020-12-31"}
    assert coordinator.get(reverse("feedback:results"), long_ago).context["n"] == 0


def test_a_quarter_is_shown_once_it_is_over(client, client_as, national, kela):
    """Until then its figures would change answer by answer: looking again every day would
    show what each new respondent answered."""
    answer_youth(client, held_meetings(5, kela=kela), [{}] * 5)
    today = {"start": timezone.localdate().isoformat(), "end": timezone.localdate().isoformat()}
    response = client_as(national).get(reverse("feedback:results"), today)
    assert response.context["n"] == 0
    assert "Yksikään jakson vuosineljännes ei ole vielä päättynyt." in response.content.decode()
    rates = {row[0]: row[1:] for row in figure(response, "rates").rows}
    assert rates["Nuoret"] == (0, 0, "–")
    with time_machine.travel(filters.next_quarter(quarter_start(timezone.localdate()))):
        response = client_as(national).get(reverse("feedback:results"))
        assert response.context["n"] == 5


def test_the_results_page_has_a_constant_number_of_queries(
    client, client_as, national, kela, django_assert_num_queries
):
    coordinator = client_as(national)
    answered(5, kela=kela)
    with CaptureQueriesContext(connection) as few:
        coordinator.get(reverse("feedback:results"))
    queries = len(few.captured_queries)  # read now: the next requests clear the query log
    answered(10, kela=kela)
    with django_assert_num_queries(queries):
        response = coordinator.get(reverse("feedback:results"))
    assert response.context["n"] == 15


def test_the_csv_neutralises_formulas(client, client_as, national, kela):
    survey = current()
    questions = [
        {
            "kind": q.kind,
            "key": q.key,
            "required": q.required,
            "text_fi": '=HYPERLINK("http://evil")' if q.key == "listened" else q.text_fi,
            "text_sv": q.text_sv,
            "text_en": q.text_en,
            "choices": [(c.text_fi, c.text_sv, c.text_en) for c in q.choices.all()],
        }
        for q in survey.questions.all()
    ]
    feedback.survey_save(survey=survey, fields={}, questions=questions, by=national)
    answered(5, kela=kela)
    response = client_as(national).get(reverse("feedback:results"), {"csv": "scale"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Väittämä"
    assert ['\'=HYPERLINK("http://evil")', "0", "0", "0", "5", "0", "5", "4,0"] in rows


def test_comments_are_shown_to_coordinators_and_can_be_hidden(client, client_as, national, kela):
    answered(
        5,
        kela=kela,
        values=[{"comment": f"Kommentti {i}"} for i in range(4)]
        + [{"comment": "Matti Meikäläinen"}],
    )
    coordinator = client_as(national)
    page = coordinator.get(reverse("feedback:comments"))
    assert "Kommentti 0" in page.content.decode() and "Matti Meikäläinen" in page.content.decode()
    named = Answer.objects.get(text="Matti Meikäläinen")
    # The button names the answer by its response's random id, not by the row number that
    # would tell in which order the answers came in.
    hide = f"/feedback/comments/{named.response_id}/{named.question_id}/hide/"
    assert f'action="{hide}"' in page.content.decode()
    assert f"/comments/{named.pk}/" not in page.content.decode()
    coordinator.post(hide)
    page = coordinator.get(reverse("feedback:comments")).content.decode()
    assert "Matti Meikäläinen" not in page and "Kommentti 0" in page
    results = coordinator.get(reverse("feedback:results"))
    assert figure(results, "text").rows[0][1] == 4
    # Shown again by mistake-correction, hidden again: after 30 days the text is emptied.
    coordinator.post(reverse("feedback:comment_hide", args=[named.response_id, named.question_id]))
    assert "Matti Meikäläinen" in coordinator.get(reverse("feedback:comments")).content.decode()
    coordinator.post(reverse("feedback:comment_hide", args=[named.response_id, named.question_id]))
    with time_machine.travel(datetime.timedelta(days=31)):
        assert purge_stale_data()["hidden_feedback_texts"] == 1
    named.refresh_from_db()
    assert named.text == "" and named.hidden_at is not None


class TestVersions:
    def spec(self, survey, **changes):
        return [
            {
                "kind": q.kind,
                "key": q.key,
                "required": q.required,
                "text_fi": changes.get(q.key, q.text_fi),
                "text_sv": q.text_sv,
                "text_en": q.text_en,
                "choices": [(c.text_fi, c.text_sv, c.text_en) for c in q.choices.all()],
            }
            for q in survey.questions.prefetch_related("choices")
        ]

    def test_the_survey_list_counts_answers_not_answered_questions(
        self, client, client_as, national, kela
    ):
        answered(5, kela=kela)
        page = client_as(national).get(reverse("feedback:survey_list"))
        rows = {s.group: (s.n_questions, s.n_responses) for s in page.context["surveys"]}
        assert rows["young_person"] == (current().questions.count(), 5)
        assert rows["kela"][1] == 0

    def test_an_edit_without_answers_changes_the_survey_in_place(self, national):
        survey = current()
        saved = feedback.survey_save(
            survey=survey,
            fields={"title_fi": "Uusi otsikko"},
            questions=self.spec(survey, listened="Minua kuultiin."),
            by=national,
        )
        assert saved.pk == survey.pk and saved.version == 1
        assert saved.questions.get(key="listened").text_fi == "Minua kuultiin."

    def test_an_edit_after_answers_makes_a_version_and_old_results_stay(
        self, client, client_as, national, kela
    ):
        answered(5, kela=kela, values=[{"got_info": 2}] * 5)
        old = current()
        before = client_as(national).get(reverse("feedback:results"))
        old_scale = figure(before, "scale").rows
        new = feedback.survey_save(
            survey=old,
            fields={},
            questions=self.spec(old, got_info="Sain tietoa etuuksista."),
            by=national,
        )
        assert (new.version, new.is_current) == (2, True)
        old.refresh_from_db()
        assert not old.is_current
        assert old.questions.get(key="got_info").text_fi == "Sain tarvitsemani tiedon etuuksista."
        assert set(Response.objects.values_list("survey", flat=True)) == {old.pk}
        coordinator = client_as(national)
        assert coordinator.get(reverse("feedback:results")).context["n"] == 0  # version 2
        again = coordinator.get(reverse("feedback:results"), {"version": 1})
        assert figure(again, "scale").rows == old_scale
        # A form opened before the edit is still answered in the version it showed.
        meeting = held_meetings(1, kela=kela)[0]
        client.post(url_of(link_of(meeting, "young_person")), form_data(old))
        assert Response.objects.filter(survey=old).count() == 6

    def test_the_editor_makes_a_version_and_keeps_input_on_errors(
        self, client, client_as, national, kela
    ):
        answered(5, kela=kela)
        survey = current()
        coordinator = client_as(national)
        page = coordinator.get(reverse("feedback:survey_edit", args=[survey.pk]))
        formset = page.context["formset"]
        data = {
            "survey-title_fi": survey.title_fi,
            "survey-title_sv": survey.title_sv,
            "survey-title_en": "",
            "survey-intro_fi": "",
            "survey-intro_sv": "",
            "survey-intro_en": "",
            "questions-TOTAL_FORMS": len(formset.forms),
            "questions-INITIAL_FORMS": formset.initial_form_count(),
            "questions-MIN_NUM_FORMS": 0,
            "questions-MAX_NUM_FORMS": 1000,
        }
        for i, form in enumerate(formset.forms):
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value not in (None, False):
                    data[f"questions-{i}-{name}"] = value
            data[f"questions-{i}-ORDER"] = i + 1
        new = len(formset.forms) - 1
        data.update(
            {
                f"questions-{new}-kind": "single",
                f"questions-{new}-key": "kela-known",
                f"questions-{new}-text_fi": "Tunsitko Kelan yhteyshenkilön ennestään?",
                f"questions-{new}-text_sv": "Kände du FPA:s kontaktperson sedan tidigare?",
                f"questions-{new}-choices_fi": "Kyllä\nEn",
                f"questions-{new}-choices_sv": "Ja",
                f"questions-{new}-ORDER": new + 1,
            }
        )
        url = reverse("feedback:survey_edit", args=[survey.pk])
        page = coordinator.post(url, data)
        assert page.status_code == 400
        html = page.content.decode()
        assert "Kirjoita yhtä monta vaihtoehtoa kuin suomeksi." in html
        assert "Tunsitko Kelan yhteyshenkilön ennestään?" in html
        assert Survey.objects.filter(group="young_person").count() == 1

        data[f"questions-{new}-choices_sv"] = "Ja\nNej"
        response = coordinator.post(url, data)
        assert response.status_code == 302
        latest = current()
        assert latest.version == 2
        added = latest.questions.get(key="kela-known")
        assert [c.text_sv for c in added.choices.all()] == ["Ja", "Nej"]
        assert latest.questions.count() == survey.questions.count() + 1

    def test_a_county_coordinator_reads_the_survey_but_cannot_edit_it(self, db, client_as):
        coordinator = f.CoordinatorFactory()  # of a county
        survey = current()
        url = reverse("feedback:survey_edit", args=[survey.pk])
        page = client_as(coordinator).get(url)
        assert page.status_code == 200 and "Minua kuunneltiin." in page.content.decode()
        assert "<textarea" not in page.content.decode()
        assert client_as(coordinator).post(url, {}).status_code == 403


def test_the_dashboard_shows_would_take_part_again_by_group(client, client_as, national, kela):
    answered(6, kela=kela, values=[{"again": v} for v in (1, 1, 1, 1, 0, 0)])
    response = client_as(national).get(reverse("dashboard"))
    rows = {row[0]: row[1:] for row in figure(response, "again").rows}
    assert rows["Nuoret"] == (6, "67 %")
    assert rows["Kelan ammattilaiset"] == (0, "–")


def test_a_forged_question_count_is_refused_with_a_message(db, client_as, national):
    """Issue 15.7: the survey editor's formset is capped; a forged count is a message."""
    survey = current()
    url = reverse("feedback:survey_edit", args=[survey.pk])
    for total in ("1000000", "abc"):
        page = client_as(national).post(
            url,
            {
                "survey-title_fi": survey.title_fi,
                "survey-title_sv": survey.title_sv,
                "questions-TOTAL_FORMS": total,
                "questions-INITIAL_FORMS": "0",
            },
        )
        assert page.status_code == 400
        assert page.context["formset"].non_form_errors()
        assert current().pk == survey.pk  # nothing saved
