"""Survey links, answering, and editing surveys with versions."""

import datetime
import secrets
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from meetings.models import JointMeeting, Notification, Participant
from meetings.notifications import notify, notify_email, notify_network_member

from .models import (
    Answer,
    AnswerCount,
    Choice,
    LinkCount,
    Question,
    Response,
    ResponseCell,
    Survey,
    SurveyLink,
    group_of,
    quarter_start,
    random_id,
)

# Letters and digits that cannot be mistaken for each other when read off a screen.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 50 random bits, stored
SIGNATURE_LENGTH = 6  # 30 bits of HMAC with the secret key, not stored


class LinkUsed(Exception):
    """The link was answered (or expired) while the form was being filled in."""


class AnswerNotSaved(Exception):
    """Storing the answers failed; the link was given back, so they can be sent again."""


# Tokens ---------------------------------------------------------------------------------------


def _signature(code: str) -> str:
    number = int.from_bytes(salted_hmac("feedback.link", code).digest()[:8], "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(SIGNATURE_LENGTH))


def token(link: SurveyLink) -> str:
    return link.code + _signature(link.code)


def answer_path(link: SurveyLink) -> str:
    return reverse("feedback:answer", args=[token(link)])


def answer_url(link: SurveyLink) -> str:
    return settings.SITE_URL + answer_path(link)


def grouped(value: str) -> str:
    """A token to read aloud or type: in groups of four."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def code_from_token(value: str) -> str | None:
    """The code of a token typed or scanned, if its signature is right; None for anything
    tampered with. Only this service made signed codes, so a signed code without a link is
    one that was used or expired."""
    value = value.upper().replace("-", "").replace(" ", "")
    code, signature = value[:CODE_LENGTH], value[CODE_LENGTH:]
    if len(value) != CODE_LENGTH + SIGNATURE_LENGTH or not set(value) <= set(ALPHABET):
        return None
    if not constant_time_compare(signature, _signature(code)):
        return None
    return code


def link_of_code(code: str) -> SurveyLink | None:
    """The link of a signed code; None once it was used or deleted as expired."""
    return (
        SurveyLink.objects.select_related("meeting__youth__organisation").filter(code=code).first()
    )


def link_from_token(value: str) -> SurveyLink | None:
    """The link of a token typed or scanned; None for anything tampered with, used or expired."""
    code = code_from_token(value)
    return link_of_code(code) if code else None


# Links ----------------------------------------------------------------------------------------


def links_create(meeting: JointMeeting, now: datetime.datetime | None = None) -> list[SurveyLink]:
    """When a meeting is marked held: a single-use link for each participant (a Kela contact
    who declined took no part), counted in the response rates of its reporting cell. Those with
    an account get theirs by e-mail and on their home page; the young person by e-mail if the
    consent covers messages to them."""
    now = now or timezone.now()
    expires = now + datetime.timedelta(days=settings.FEEDBACK_LINK_DAYS)
    county_id = meeting.youth.organisation.county_id
    quarter = quarter_start(timezone.localdate(now))
    links = []
    # Who took part: not a Kela contact who declined, nor a network member who was removed.
    took_part = meeting.participants.taking_part().select_related("user", "meeting")
    for participant in took_part:
        link, created = SurveyLink.objects.get_or_create(
            meeting=meeting,
            participant=participant,
            defaults={
                "code": "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH)),
                "group": group_of(participant),
                "created_at": now,
                "expires_at": expires,
            },
        )
        links.append(link)
        if not created:
            continue
        links_count(county_id=county_id, quarter=quarter, group=link.group, n=1)
        if participant.user_id:
            notify(Notification.Kind.FEEDBACK_REQUEST, recipient=participant.user, meeting=meeting)
        elif participant.is_network_member:
            # With an address and the consent's scope (meetings.notifications).
            notify_network_member(Notification.Kind.FEEDBACK_REQUEST, participant)
        elif participant.kind == Participant.Kind.YOUNG_PERSON and meeting.youth.may_be_messaged():
            notify_email(
                Notification.Kind.FEEDBACK_REQUEST,
                email=meeting.youth.email,
                language=link.language,
                meeting=meeting,
                key=f"feedback:{meeting.pk}:youth",
            )
    return links


def links_count(*, county_id: int | None, quarter: datetime.date, group: str, n: int) -> None:
    """Add `n` links sent to a reporting cell (a row per cell, made on its first link)."""
    key: dict[str, Any] = {"county_id": county_id, "quarter": quarter, "group": group}
    if not LinkCount.objects.filter(**key).update(n=F("n") + n):
        LinkCount.objects.get_or_create(**key)
        LinkCount.objects.filter(**key).update(n=F("n") + n)


# Answering ------------------------------------------------------------------------------------


def response_save(*, link: SurveyLink, survey: Survey, answers: list, language: str) -> None:
    """Use up the link, then store the answers without anything that leads back to the
    respondent. `answers` holds (question, value) pairs; a list value is a multiple choice.

    Two transactions, each committed on its own (durable): on PostgreSQL the rows a
    transaction writes share its id (`xmin`), so the answer must not be written in the
    transaction that touches the link. The link is deleted, not marked: a kept row would
    still say which meeting was answered. If storing the answers fails, the link is given
    back and AnswerNotSaved raised, so that the respondent can send them again."""
    county_id = link.meeting.youth.organisation.county_id
    _link_use(link)
    try:
        with transaction.atomic(durable=True):
            _response_create(
                survey=survey,
                group=link.group,
                county_id=county_id,
                answers=answers,
                language=language,
            )
    except DatabaseError as error:
        _link_give_back(link)
        raise AnswerNotSaved from error
    except BaseException:
        _link_give_back(link)
        raise


def _link_use(link: SurveyLink) -> None:
    """Delete the link if it can still be answered (one statement: of two tabs sending at
    once, one wins), in a transaction of its own."""
    with transaction.atomic(durable=True):
        used, _by_model = SurveyLink.objects.filter(
            pk=link.pk, expires_at__gt=timezone.now()
        ).delete()
    if not used:
        raise LinkUsed


def _link_give_back(link: SurveyLink) -> None:
    """The link as it was, for the answers that could not be stored (a transaction of its own,
    after the failed one: nothing joins it to an answer)."""
    with transaction.atomic(durable=True):
        link.save(force_insert=True)


def _response_create(
    *, survey: Survey, group: str, county_id: int | None, answers: list, language: str
) -> None:
    response = Response.objects.create(
        survey=survey,
        group=group,
        county_id=county_id,
        quarter=quarter_start(timezone.localdate()),
        language=language,
    )
    rows = []
    for question, value in answers:
        if value in (None, "", []):
            continue
        if question.kind == Question.Kind.TEXT:
            rows.append(Answer(response=response, question=question, text=value))
        elif question.kind in Question.WITH_CHOICES:
            for choice_id in value if isinstance(value, list) else [value]:
                rows.append(Answer(response=response, question=question, choice_id=choice_id))
        else:
            rows.append(Answer(response=response, question=question, number=value))
    Answer.objects.bulk_create(rows)
    counts_add(response, [(a.question_id, a.number, a.choice_id) for a in rows])


# The results' summary rows (issue 20) ---------------------------------------------------------
# Kept in the transaction of each answer, not by the dashboard's beat task: a response has no
# time stamp (by design) for a task to find the new ones by, and the transaction holds nothing
# that names a link, a meeting or a person, so neither do the summary rows it writes. Two
# answers of one cell wait on each other only for the few upserts (the cell's row first, then
# in one order: no deadlock). `counts_rebuild` recomputes everything from the raw rows.

CELL_ADD = """
    INSERT INTO feedback_responsecell (id, county_id, quarter, survey_id, "group", n)
    VALUES (%s, %s, %s, %s, %s, 1)
    ON CONFLICT (county_id, quarter, survey_id) DO UPDATE SET n = feedback_responsecell.n + 1
    RETURNING id"""
COUNT_ADD = """
    INSERT INTO feedback_answercount (id, cell_id, question_id, number, choice_id, n)
    VALUES (%s, %s, %s, %s, %s, %s)
    ON CONFLICT (cell_id, question_id, number, choice_id)
    DO UPDATE SET n = feedback_answercount.n + excluded.n"""


def counts_add(response: Response, values: list[tuple]) -> None:
    """Count a response in its cell and add its values: (question, number, choice) each, a
    text as (question, None, None)."""
    added = Counter(values)
    keys = sorted(added, key=lambda key: tuple(-1 if x is None else x for x in key))
    of_cell = [response.county_id, response.quarter, response.survey_id]
    if connection.vendor != "postgresql":
        cell_id = _upsert(
            ResponseCell, dict(zip(CELL_KEY, of_cell, strict=True)), 1, group=response.group
        )
        for key in keys:
            _upsert(
                AnswerCount,
                {"cell_id": cell_id, **dict(zip(COUNT_KEY, key, strict=True))},
                added[key],
            )
        return
    with connection.cursor() as cursor:
        cursor.execute(CELL_ADD, [random_id(), *of_cell, response.group])
        (cell,) = cursor.fetchone()
        if keys:
            cursor.executemany(COUNT_ADD, [[random_id(), cell, *key, added[key]] for key in keys])


CELL_KEY = ("county_id", "quarter", "survey_id")
COUNT_KEY = ("question_id", "number", "choice_id")


def _upsert(model, key: dict, delta: int, **defaults) -> int:
    """The quick start's SQLite: its unique constraints cannot treat empty values as equal, so
    the upsert is a lookup and an update (SQLite runs one write at a time)."""
    pk = model.objects.get_or_create(**key, defaults={"n": 0, **defaults})[0].pk
    model.objects.filter(pk=pk).update(n=F("n") + delta)
    return pk


def comment_visibility_set(answer: Answer, *, hidden: bool, by=None) -> bool:
    """Hide a free-text answer that contains personal data, or show a hidden one again (if its
    text is still kept); the count of shown comments follows in the same transaction. Whether
    anything changed."""
    with transaction.atomic():
        answers = Answer.objects.filter(pk=answer.pk, hidden_at__isnull=hidden)
        if hidden:
            changed = answers.update(hidden_at=timezone.now(), hidden_by=by)
        else:
            changed = answers.exclude(text="").update(hidden_at=None, hidden_by=None)
        if changed and answer.text:
            key = (answer.question_id, None, None)
            counts_change(answer.response, key, -1 if hidden else 1)
    return bool(changed)


def counts_change(response: Response, key: tuple, delta: int) -> None:
    """Add `delta` to one value's count in the response's cell."""
    of_cell: dict[str, Any] = {"county_id": response.county_id, "quarter": response.quarter}
    cell = ResponseCell.objects.get(survey_id=response.survey_id, **of_cell)
    if connection.vendor != "postgresql":
        _upsert(AnswerCount, {"cell_id": cell.pk, **dict(zip(COUNT_KEY, key, strict=True))}, delta)
        return
    with connection.cursor() as cursor:
        cursor.execute(COUNT_ADD, [random_id(), cell.pk, *key, delta])


REBUILD = [
    "DELETE FROM feedback_answercount",
    "DELETE FROM feedback_responsecell",
    """INSERT INTO feedback_responsecell (id, county_id, quarter, survey_id, "group", n)
       SELECT (random() * 9e18)::bigint, r.county_id, r.quarter, r.survey_id, s."group",
              count(*)
         FROM feedback_response r JOIN feedback_survey s ON s.id = r.survey_id
        GROUP BY r.county_id, r.quarter, r.survey_id, s."group"
    """,
    """INSERT INTO feedback_answercount (id, cell_id, question_id, number, choice_id, n)
       SELECT (random() * 9e18)::bigint, c.id, a.question_id, a.number, a.choice_id, count(*)
         FROM feedback_answer a
         JOIN feedback_response r ON r.id = a.response_id
         JOIN feedback_question q ON q.id = a.question_id
         JOIN feedback_responsecell c
           ON c.county_id IS NOT DISTINCT FROM r.county_id AND c.quarter = r.quarter
          AND c.survey_id = r.survey_id
        WHERE q.kind <> 'text' OR (a.hidden_at IS NULL AND a.text <> '')
        GROUP BY c.id, a.question_id, a.number, a.choice_id""",
    "ANALYZE feedback_responsecell, feedback_answercount",
]


@transaction.atomic
def counts_rebuild() -> int:
    """The results' summary rows again from the raw rows (`manage.py rebuild_rollups`).
    Returns the number of reporting cells."""
    with connection.cursor() as cursor:
        for sql in REBUILD:
            if connection.vendor != "postgresql":  # the quick start's SQLite says it its way
                if sql.startswith("ANALYZE"):
                    continue
                sql = sql.replace(
                    "(random() * 9e18)::bigint", "abs(random() % 9000000000000000000)"
                )
                sql = sql.replace("IS NOT DISTINCT FROM", "IS")
            cursor.execute(sql)
    return ResponseCell.objects.count()


def links_forget_expired(now: datetime.datetime | None = None) -> int:
    """Expired links are deleted: kept, the links of a meeting that were not answered would
    tell whose were (LinkCount keeps the response rates)."""
    now = now or timezone.now()
    deleted, _by_model = SurveyLink.objects.filter(expires_at__lte=now).delete()
    return deleted


def hidden_texts_purge(now: datetime.datetime | None = None) -> int:
    """Free-text answers hidden for containing personal data are emptied after a grace period
    (in which a coordinator who hid one by mistake can show it again)."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.FEEDBACK_HIDDEN_TEXT_DAYS)
    return Answer.objects.filter(hidden_at__lte=before).exclude(text="").update(text="")


# Editing --------------------------------------------------------------------------------------


@transaction.atomic
def survey_save(*, survey: Survey, fields: dict, questions: list[dict], by) -> Survey:
    """Save an edited survey. Without answers it is changed in place; with answers, the edit
    becomes the next version and the old one keeps its wording for its answers.

    `questions` are dicts of Question fields plus `choices`: a list of (fi, sv, en) tuples.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.responses.exists():
        latest = Survey.objects.filter(group=survey.group).aggregate(n=Max("version"))["n"]
        Survey.objects.filter(group=survey.group, is_current=True).update(is_current=False)
        survey = Survey(group=survey.group, version=latest + 1, is_current=True)
    else:
        survey.questions.all().delete()
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.created_by = by
    survey.created_at = timezone.now()
    survey.save()
    for position, spec in enumerate(questions):
        spec = dict(spec)
        choices = spec.pop("choices", [])
        question = Question.objects.create(survey=survey, position=position, **spec)
        Choice.objects.bulk_create(
            Choice(question=question, position=i, text_fi=fi, text_sv=sv, text_en=en)
            for i, (fi, sv, en) in enumerate(choices)
        )
    return survey
