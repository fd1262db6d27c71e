"""Survey links after a held meeting: who gets one and how, the token's life, the answer page,
and that an answer cannot be traced back to whoever gave it."""

import datetime
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, models
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback
from feedback.models import Answer, LinkCount, Response, SurveyLink, quarter_start
from kelayhteistyo.models import AccessLog
from meetings import notifications, services
from meetings.models import Notification, Participant
from overview.tasks import purge_stale_data
from tests import factories as f

from .conftest import current, form_data, link_of, url_of


def deliver_all():
    return [
        notifications.deliver(pk, "task")
        for pk in Notification.objects.filter(kind="feedback_request").values_list("pk", flat=True)
    ]


class TestLinks:
    def test_marking_held_makes_a_link_per_participant_and_mails_professionals(
        self, held, alice, kela
    ):
        groups = dict(held.survey_links.values_list("participant__kind", "group"))
        assert groups == {
            "young_person": "young_person",
            "aftercare_worker": "aftercare",
            "kela_contact": "kela",
        }
        assert deliver_all() == ["sent", "sent"]
        by_address = {m.to[0]: m for m in mail.outbox}
        to_kela = by_address[kela.email]
        assert "Miten yhteinen tapaaminen meni?" in to_kela.subject
        assert url_of(link_of(held, "kela_contact")) in to_kela.body
        assert "ei kirjautumista" in to_kela.body
        assert url_of(link_of(held, "aftercare_worker")) in by_address[alice.email].body
        assert held.youth.last_name not in to_kela.body

    def test_links_are_made_once_and_expire_in_30_days(self, held):
        assert feedback.links_create(held) and SurveyLink.objects.count() == 3
        for link in SurveyLink.objects.all():
            assert (link.expires_at - link.created_at) == datetime.timedelta(days=30)

    def test_the_young_person_gets_an_e_mail_only_with_consent(self, youth, alice, kela, consent):
        youth.email = "nuori@example.fi"
        youth.save()
        f.held_meeting(youth=youth, organiser=alice, kela=kela)
        assert not Notification.objects.filter(recipient_email="nuori@example.fi").exists()

        consent.scope_reminders = True
        consent.save()
        meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        deliver_all()
        (to_youth,) = [m for m in mail.outbox if m.to == ["nuori@example.fi"]]
        assert f"Hei {youth.first_name}!" in to_youth.body
        link = link_of(meeting, "young_person")
        assert url_of(link) in to_youth.body
        # Until when the link works, and how to stop the messages without an account.
        until = timezone.localtime(link.expires_at)
        assert f"Linkki toimii {until.day}.{until.month}.{until.year} asti." in to_youth.body
        assert "Etkö halua näitä viestejä? Kerro jälkihuollon työntekijällesi." in to_youth.body
        to_kela = next(m for m in mail.outbox if m.to == [kela.email])
        assert "Kerro jälkihuollon" not in to_kela.body  # they have their settings page

    def test_a_kela_contact_who_declined_gets_no_link(self, youth, alice, kela, consent):
        meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela),
            answer="declined",
            by=kela,
            message="Lomalla",
        )
        other = f.KelaContactFactory()
        services.meeting_invite(meeting=meeting, kela_contact=other, by=alice)
        services.invitation_respond(
            participant=f.kela_participant(meeting, other), answer="accepted", by=other
        )
        services.meeting_mark_held(meeting=f.move_into_past(meeting), by=alice)
        users = set(meeting.survey_links.values_list("participant__user", flat=True))
        assert other.pk in users and kela.pk not in users

    def test_the_worker_shows_the_young_persons_qr_code_on_the_meeting_page(
        self, client_as, held, alice, kela
    ):
        link = link_of(held, "young_person")
        page = client_as(alice).get(reverse("meetings:detail", args=[held.pk])).content.decode()
        assert 'src="data:image/svg+xml' in page
        assert feedback.answer_url(link) in page
        page = client_as(kela).get(reverse("meetings:detail", args=[held.pk])).content.decode()
        assert feedback.token(link) not in page and "data:image/svg+xml" not in page

    def test_professionals_find_their_link_on_their_home_page_until_they_answer(
        self, client, client_as, held, kela
    ):
        link = link_of(held, "kela_contact")
        assert url_of(link) in client_as(kela).get("/").content.decode()
        # The notification in the app leads there too.
        rows = client_as(kela).get(reverse("notifications")).context["rows"]
        assert [r["url"] for r in rows if r["n"].kind == "feedback_request"] == ["/"]
        client.logout()
        client.post(url_of(link), form_data(current("kela")))
        assert url_of(link) not in client_as(kela).get("/").content.decode()


class TestToken:
    def test_a_link_answers_once(self, client, held):
        link = link_of(held, "young_person")
        page = client.get(url_of(link))
        assert page.status_code == 200
        assert "Minua kuunneltiin." in page.content.decode()
        response = client.post(url_of(link), form_data(current()))
        assert response.status_code == 302
        assert Response.objects.count() == 1
        again = client.get(response["Location"]).content.decode()
        assert "Kiitos!" in again and "ei voi vastata uudelleen" in again
        assert "Takaisin palveluun" not in again  # the young person has no account
        # Sent again (a second tab, the back button): nothing stored, the page says why.
        twice = client.post(url_of(link), form_data(current()))
        assert Response.objects.count() == 1
        assert "Linkki on jo käytetty" in twice.content.decode()
        assert twice.status_code == 200

    def test_a_professional_gets_back_to_the_service_after_answering(self, client_as, held, kela):
        client = client_as(kela)
        link = link_of(held, "kela_contact")
        thanks = client.get(client.post(url_of(link), form_data(current("kela")))["Location"])
        assert '<a href="/">Takaisin palveluun</a>' in thanks.content.decode()

    def test_an_expired_link_says_so_and_saves_nothing(self, client, held):
        link = link_of(held, "young_person")
        with time_machine.travel(datetime.timedelta(days=31)):
            page = client.get(url_of(link))
            # 200, not 410: Django would log a 4xx with its path, which holds the token.
            assert page.status_code == 200
            assert "Linkki on vanhentunut" in page.content.decode()
            page = client.post(url_of(link), form_data(current()))
            assert page.status_code == 200 and "Linkki on vanhentunut" in page.content.decode()
            # The nightly purge deletes it: the page can no longer tell used from expired.
            purge_stale_data()
            page = client.get(url_of(link)).content.decode()
            assert "Linkki on jo käytetty" in page and "vastausaika on päättynyt" in page
        assert not Response.objects.exists()

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
            lambda t: ("A" if t[0] != "A" else "B") + t[1:],  # the code
            lambda t: t[:-2],
            lambda t: "<script>",
            lambda t: "x" * 2000,
        ],
    )
    def test_a_tampered_link_gets_a_clear_page_and_saves_nothing(self, client, held, tamper):
        token = tamper(feedback.token(link_of(held, "young_person")))
        url = reverse("feedback:answer", args=[token])
        page = client.post(url, form_data(current()))
        assert page.status_code == 200
        assert "Linkki ei toimi" in page.content.decode()
        assert not Response.objects.exists()

    def test_a_typed_token_may_have_spaces_dashes_and_small_letters(self, client, held):
        token = feedback.token(link_of(held, "young_person"))
        typed = feedback.grouped(token).lower().replace(" ", "-")
        assert client.get(reverse("feedback:answer", args=[typed])).status_code == 200


class TestAnswerPage:
    def test_a_missing_required_answer_keeps_the_others_and_names_the_question(self, client, held):
        survey = current()
        data = form_data(survey, listened=None, comment="Tämä teksti säilyy")
        page = client.post(url_of(link_of(held, "young_person")), data)
        assert page.status_code == 200  # a 400 would be logged with the token in the path
        form = page.context["form"]
        listened = next(q for q in survey.questions.all() if q.key == "listened")
        assert list(form.errors) == [f"q{listened.pk}"]
        assert form.errors[f"q{listened.pk}"] == ["Vastaa tähän kysymykseen."]
        html = page.content.decode()
        assert "Tämä teksti säilyy" in html
        got_info = next(q for q in survey.questions.all() if q.key == "got_info")
        assert re.search(rf'<input[^>]*name="q{got_info.pk}"[^>]*value="4"[^>]*checked', html)
        assert not Response.objects.exists()

    def test_free_text_is_capped(self, client, held):
        data = form_data(current(), comment="x" * (Answer.TEXT_MAX + 1))
        page = client.post(url_of(link_of(held, "young_person")), data)
        assert page.status_code == 200 and not Response.objects.exists()
        assert "Vastaus on liian pitkä: enintään 1000 merkkiä (nyt 1001)." in page.content.decode()

    def test_a_line_break_counts_as_one_character_as_in_the_browser(self, client, held):
        """The browser sends each line break as CR LF but counts it as one towards maxlength."""
        comment = "\r\n".join(["x" * 19] * 50)  # 999 characters as the browser counts them
        data = form_data(current(), comment=comment)
        page = client.post(url_of(link_of(held, "young_person")), data)
        assert page.status_code == 302
        assert Answer.objects.get(question__key="comment").text == comment.replace("\r\n", "\n")

    def test_the_respondent_picks_the_language(self, client, held, youth):
        link = link_of(held, "young_person")
        assert "Jag blev lyssnad på." in client.get(url_of(link) + "?lang=sv").content.decode()
        assert "I was listened to." in client.get(url_of(link) + "?lang=en").content.decode()
        client.post(url_of(link), {**form_data(current()), "lang": "sv"})
        assert Response.objects.get().language == "sv"

    def test_switching_the_language_keeps_what_was_answered_and_saves_nothing(self, client, held):
        survey = current()
        data = form_data(survey, listened=None, comment="Tämä teksti säilyy")
        page = client.post(url_of(link_of(held, "young_person")), {**data, "switch": "sv"})
        assert page.status_code == 200 and not page.context["form"].errors
        html = page.content.decode()
        assert "Jag blev lyssnad på." in html and "Tämä teksti säilyy" in html
        helped = next(q for q in survey.questions.all() if q.kind == "multiple")
        for choice in data[f"q{helped.pk}"]:
            assert re.search(
                rf'<input[^>]*name="q{helped.pk}"[^>]*value="{choice}"[^>]*checked', html
            )
        assert 'name="lang" value="sv"' in html  # and the answers are then sent in Swedish
        assert not Response.objects.exists()

    def test_a_used_link_reopens_in_the_language_it_was_answered_in(self, client, held):
        """Issue 22.8: a cookie of this browser for /p/ only; nothing about the person."""
        url = url_of(link_of(held, "young_person"))
        client.post(url, {**form_data(current()), "lang": "en"})
        page = client.get(url)
        assert 'lang="en"' in page.content.decode()
        assert page.cookies["p_lang"].value == "en" and page.cookies["p_lang"]["path"] == "/p/"

    def test_the_young_persons_link_opens_in_their_language(self, client, alice, kela):
        youth = f.YouthFactory(
            organisation=alice.organisation, responsible_worker=alice, language=f.language("sv")
        )
        f.ConsentFactory(youth=youth, recorded_by=alice)
        meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        page = client.get(url_of(link_of(meeting, "young_person"))).content.decode()
        assert 'lang="sv"' in page and "Hur gick mötet?" in page

    def test_the_answer_is_stored_as_given(self, client, held):
        survey = current()
        questions = {q.key: q for q in survey.questions.prefetch_related("choices")}
        helped = [c.pk for c in questions["helped_with"].choices.all()][1:4]
        data = form_data(survey, got_info=2, again=0, helped_with=helped, format=None)
        client.post(url_of(link_of(held, "young_person")), data)
        response = Response.objects.get()
        assert response.group == "young_person"
        # The reporting cell only: the county and the quarter in which it was given.
        assert response.quarter == quarter_start(timezone.localdate())
        assert response.county_id == held.youth.organisation.county_id
        answers = Answer.objects.filter(response=response)
        assert answers.get(question=questions["got_info"]).number == 2
        assert answers.get(question=questions["again"]).number == 0
        assert (
            sorted(
                answers.filter(question=questions["helped_with"]).values_list("choice", flat=True)
            )
            == helped
        )
        assert not answers.filter(question=questions["format"]).exists()
        assert answers.get(question=questions["comment"]).text == "Hyvä tapaaminen"


class TestAnonymity:
    PERSONAL = {"User", "Participant", "JointMeeting", "SurveyLink", "YouthClient", "Consent"}

    @pytest.mark.parametrize("model", [Response, Answer])
    def test_no_foreign_key_or_time_leads_from_an_answer_to_a_person(self, model):
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                if model is Answer and field.name == "hidden_by":
                    continue  # the coordinator who hid a comment, not the respondent
                assert field.related_model.__name__ not in self.PERSONAL, field.name
            assert not isinstance(field, models.DateTimeField | models.TimeField) or (
                field.name == "hidden_at"
            ), field.name

    def test_answering_deletes_the_link_and_writes_no_log_line(self, client, held, caplog):
        link = link_of(held, "kela_contact")
        logs = AccessLog.objects.count()
        with caplog.at_level(logging.DEBUG):
            client.post(url_of(link), form_data(current("kela")))
        response = Response.objects.get()
        # A used link kept its meeting: nothing of it is left (docs/security.md, "Feedback").
        assert not SurveyLink.objects.filter(pk=link.pk).exists()
        assert not SurveyLink.objects.filter(code=link.code).exists()
        assert AccessLog.objects.count() == logs
        text = caplog.text
        assert str(response.pk) not in text
        assert str(link.pk) not in text and link.code not in text

    def test_the_response_rates_are_counted_when_the_links_are_made(self, client, held):
        quarter = quarter_start(timezone.localdate())
        cells = {(c.county_id, c.quarter, c.group): c.n for c in LinkCount.objects.all()}
        county = held.youth.organisation.county_id
        assert cells == {
            (county, quarter, "young_person"): 1,
            (county, quarter, "aftercare"): 1,
            (county, quarter, "kela"): 1,
        }
        feedback.links_create(held)  # made once: counted once
        assert LinkCount.objects.get(group="young_person").n == 1
        client.post(url_of(link_of(held, "young_person")), form_data(current()))
        assert LinkCount.objects.get(group="young_person").n == 1
        # An organisation without a county: a cell of its own.
        for n in (2, 3):
            feedback.links_count(county_id=None, quarter=quarter, group="other", n=n)
        assert LinkCount.objects.get(county=None).n == 5

    def test_expired_links_are_deleted(self, held):
        with time_machine.travel(datetime.timedelta(days=31)):
            assert purge_stale_data()["feedback_links"] == 3
        assert not SurveyLink.objects.exists()
        assert LinkCount.objects.count() == 3  # the response rates


class TestFailures:
    def test_answers_that_cannot_be_stored_give_the_link_back_and_stay_in_the_form(
        self, client, held, monkeypatch
    ):
        link = link_of(held, "young_person")
        before = SurveyLink.objects.filter(pk=link.pk).values().get()

        def fail(*args, **kwargs):
            raise DatabaseError("disk full")

        monkeypatch.setattr(Answer.objects, "bulk_create", fail)
        data = form_data(current(), comment="Tämä teksti säilyy")
        page = client.post(url_of(link), data)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Vastauksia ei voitu tallentaa. Lähetä ne uudelleen." in html
        assert "Tämä teksti säilyy" in html
        assert not Response.objects.exists()
        assert SurveyLink.objects.filter(pk=link.pk).values().get() == before
        monkeypatch.undo()
        assert client.post(url_of(link), data).status_code == 302
        assert Response.objects.count() == 1 and not SurveyLink.objects.filter(pk=link.pk).exists()

    def test_an_unexpected_error_gives_the_link_back_too(self, held, monkeypatch):
        link = link_of(held, "young_person")
        monkeypatch.setattr(Answer.objects, "bulk_create", lambda rows: 1 / 0)
        survey = current()
        with pytest.raises(ZeroDivisionError):
            feedback.response_save(link=link, survey=survey, answers=[], language="fi")
        assert SurveyLink.objects.filter(pk=link.pk).exists()

    def test_a_link_used_meanwhile_is_refused(self, held):
        link = link_of(held, "young_person")
        SurveyLink.objects.filter(pk=link.pk).delete()  # the other tab
        with pytest.raises(feedback.LinkUsed):
            feedback.response_save(link=link, survey=current(), answers=[], language="fi")
        assert not Response.objects.exists()


class TestNothingKept:
    """No log line names the link, and no browser or proxy keeps a copy of the pages."""

    def pages(self, client, held):
        """Every way the answer page is used: answered, refused, mistyped, expired, used."""
        link = link_of(held, "young_person")
        url = url_of(link)
        survey = current()
        yield client.get(url)
        yield client.get(url + "?lang=sv")
        yield client.post(url, {**form_data(survey, listened=None), "switch": "sv"})
        yield client.post(url, form_data(survey, listened=None))  # incomplete
        yield client.post(url, form_data(survey, comment="x" * 1001))  # too long
        yield client.get(url[:-3] + "ZZZ/")  # mistyped signature
        yield client.get("/p/AAAA/")
        yield client.post(url, form_data(survey))  # answered
        yield client.get(url + "?lang=fi&sent")
        yield client.post(url, form_data(survey))  # again
        kela_link = link_of(held, "kela_contact")
        with time_machine.travel(datetime.timedelta(days=31)):
            yield client.get(url_of(kela_link))  # expired
            yield client.post(url_of(kela_link), form_data(current("kela")))
            purge_stale_data()
            yield client.get(url_of(kela_link))  # expired and deleted

    def test_answering_and_failing_to_answer_log_no_token(self, client, held, caplog):
        tokens = [feedback.token(link) for link in held.survey_links.all()]
        with caplog.at_level(logging.DEBUG):
            statuses = [page.status_code for page in self.pages(client, held)]
        assert set(statuses) <= {200, 302}, statuses  # Django logs every 4xx with its path
        assert Response.objects.count() == 1
        for token in tokens:
            assert token[:10] not in caplog.text
            assert "/p/" not in caplog.text

    def test_no_page_of_a_link_is_kept_by_a_browser_or_proxy(self, client, held):
        for page in self.pages(client, held):
            assert "no-store" in page["Cache-Control"], page
            assert "private" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_participant_without_an_account_gets_a_link_the_worker_hands_over(
    client_as, alice, youth, kela, consent
):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    Participant.objects.create(meeting=meeting, kind="other", name="Tiina Tukihenkilö")
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    services.meeting_mark_held(meeting=f.move_into_past(meeting), by=alice)
    link = link_of(meeting, "other")
    assert link.group == "other"
    page = client_as(alice).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Tiina Tukihenkilö" in page and feedback.answer_url(link) in page
