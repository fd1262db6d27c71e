"""Feedback surveys after joint meetings, anonymous and by respondent group.

A `SurveyLink` is a single-use invitation to answer, tied to a meeting and the participant it
was made for while it can be answered. It is deleted when it is used (and when it expires): a
used link would tell which meeting an answer is about. The response rates come from
`LinkCount`, counted when the links are made.

A `Response` is deliberately *not* tied to the link, the meeting or any person: it knows only
the survey version, the respondent group and its reporting cell (the county, and the quarter in
which it was given). It has no time stamp, and neither it nor its answers have ids in the order
they came in (docs/security.md, "Feedback").
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kelayhteistyo.access import scope_county
from kelayhteistyo.models import County, active_language
from meetings.models import Participant

LANGUAGES = ("fi", "sv", "en")


class Group(models.TextChoices):
    YOUNG_PERSON = "young_person", _("Young people")
    AFTERCARE = "aftercare", _("Aftercare professionals")
    KELA = "kela", _("Kela professionals")
    OTHER = "other", _("Other professionals")
    # A support person or a family member of the young person (issue 17): not a professional.
    OWN_PEOPLE = "own_people", _("The young person's own people")


# The group of each kind of participant; a network member's follows their role (group_of).
GROUP_OF_KIND = {
    Participant.Kind.YOUNG_PERSON: Group.YOUNG_PERSON,
    Participant.Kind.AFTERCARE_WORKER: Group.AFTERCARE,
    Participant.Kind.KELA_CONTACT: Group.KELA,
    Participant.Kind.OTHER: Group.OTHER,
}


def group_of(participant: Participant) -> str:
    """The respondent group of a participant: by kind, and for a network member by role —
    the young person's own people (support person, family member) or professionals."""
    if participant.is_own_people:
        return Group.OWN_PEOPLE
    return GROUP_OF_KIND[Participant.Kind(participant.kind)]


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter of `day`: the results are counted by quarter."""
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def random_id() -> int:
    """A primary key that tells nothing of the order in which rows came in (63 random bits)."""
    return secrets.randbits(63)


def in_language(obj, field: str, language: str | None = None) -> str:
    """`field_fi`, `field_sv` or `field_en` in the active language; Finnish if not written.
    In a youth language (kelayhteistyo/youth.py) the English text as translated in its catalog
    (the default survey of young people is: feedback.defaults.youth_texts), else Finnish."""
    full = language or translation.get_language() or active_language()
    language = full[:2]
    if language not in LANGUAGES:
        english = getattr(obj, f"{field}_en", "")
        with translation.override(full):
            translated = translation.gettext(english) if english else ""
        if translated and translated != english:
            return translated
        return getattr(obj, f"{field}_fi")
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_fi")


class Survey(models.Model):
    """One version of the survey of a respondent group. A version that has answers is never
    changed: editing it makes the next version (see services.survey_save)."""

    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("in use"), default=True)
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    intro_fi = models.TextField(_("introduction in Finnish"), max_length=1000, blank=True)
    intro_sv = models.TextField(_("introduction in Swedish"), max_length=1000, blank=True)
    intro_en = models.TextField(_("introduction in English"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["group", "-version"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="survey_version_once"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(is_current=True), name="survey_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} v{self.version}"

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def intro(self) -> str:
        return in_language(self, "intro")


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Scale 1–5")
        YES_NO = "yes_no", _("Yes / no")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")

    WITH_CHOICES = (Kind.SINGLE, Kind.MULTIPLE)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    # A stable name across versions, e.g. "again": the dashboard's headline figure reads it.
    key = models.SlugField(_("short name"), max_length=40)
    text_fi = models.CharField(_("question in Finnish"), max_length=300)
    text_sv = models.CharField(_("question in Swedish"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300, blank=True)
    required = models.BooleanField(_("answer required"), default=False)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_once"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_language(self, "text")


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text_fi = models.CharField(_("choice in Finnish"), max_length=200)
    text_sv = models.CharField(_("choice in Swedish"), max_length=200)
    text_en = models.CharField(_("choice in English"), max_length=200, blank=True)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_language(self, "text")


class SurveyLinkQuerySet(models.QuerySet):
    def open(self):
        return self.filter(expires_at__gt=timezone.now())


class SurveyLink(models.Model):
    """A single-use invitation to answer. The address carries `code` and a signature made with
    the secret key (services.token), so a copy of the database alone cannot answer.

    Only links that can still be answered exist: answering deletes the link (services.
    response_save) and the nightly purge deletes expired ones. A signed address whose link is
    gone was therefore used, or its time is over."""

    code = models.CharField(max_length=10, unique=True)
    meeting = models.ForeignKey(
        "meetings.JointMeeting", on_delete=models.CASCADE, related_name="survey_links"
    )
    # Whom the link was made for (the row is deleted when it is used or expires).
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    objects = SurveyLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=Q(participant__isnull=False),
                name="survey_link_once_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.code[:3]}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def language(self) -> str:
        """The language the survey opens in: the user's, or the young person's."""
        participant = self.participant
        if participant is not None and participant.user is not None:
            return participant.user.preferred_language
        if participant is not None and participant.kind == Participant.Kind.YOUNG_PERSON:
            return self.meeting.youth.service_language
        return settings.LANGUAGE_CODE


class LinkCount(models.Model):
    """How many survey links were sent in a reporting cell: the county of the meeting, the
    quarter in which the links were made (when the meeting was marked held) and the respondent
    group. Counted when the links are made, so that the response rates need no used link."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quarter = models.DateField(_("quarter"))  # its first day
    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    n = models.PositiveIntegerField(_("links sent"), default=0)

    class Meta:
        verbose_name = _("links sent")
        verbose_name_plural = _("links sent")
        # Without a county (NULLs are distinct) a cell may have two rows: the figures add up.
        constraints = [
            models.UniqueConstraint(fields=["county", "quarter", "group"], name="link_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.quarter:%Y-%m}: {self.n}"


class Response(models.Model):
    """One answered survey. No link to a person, a participant, a meeting or a link, no time
    stamp, a random id: only the reporting cell the results are counted in (county × quarter
    in which it was given × survey version) and the language it was answered in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quarter = models.DateField(_("quarter"))  # its first day
    language = models.CharField(_("language"), max_length=8)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["group", "quarter"])]

    def __str__(self) -> str:
        return f"{self.survey} {self.quarter:%Y-%m}"


class AnswerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators: the answers about the meetings in their scope (their county, or the
        whole country). Nobody else reads answers one by one."""
        if not user.is_authenticated or not user.is_coordinator:
            return self.none()
        county = scope_county(user)
        return self if county is None else self.filter(response__county=county)


class Answer(models.Model):
    """The answer to one question; a multiple-choice question has a row per choice ticked.
    The id is random: sequential ids would put the responses in the order they came in."""

    TEXT_MAX = 1000

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5; yes 1, no 0
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    text = models.TextField(blank=True, max_length=TEXT_MAX)
    # A coordinator hides a free-text answer that contains personal data.
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "number"])]

    def __str__(self) -> str:
        return f"{self.question.key}"


# The results' summary rows (issue 20) -----------------------------------------------------------


class ResponseCell(models.Model):
    """The responses of one reporting cell: county × quarter in which they were given × survey
    version (and its group). The results count only cells of at least 5 responses. Counted
    in the transaction of each answer (services.response_save); rebuilt from the raw rows by
    `manage.py rebuild_rollups`. Like the answers: no person, no time finer than the quarter, a
    random id (a sequence would tell in which order the cells got their first response)."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quarter = models.DateField(_("quarter"))
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county", "quarter", "survey"],
                name="response_cell_once",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["quarter", "county"], name="response_cell_period")]

    def __str__(self) -> str:
        return f"{self.survey} {self.quarter:%Y-%m}: {self.n}"


class AnswerCount(models.Model):
    """How many answers of a reporting cell gave one value to one question: a step of the
    scale or yes (1) / no (0) in `number`, a ticked choice in `choice`; for a free-text
    question (both empty) the comments that are shown (not hidden). Never a text, a response or
    a time: the values of one response are not linked together here."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    cell = models.ForeignKey(ResponseCell, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(null=True)
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, null=True, related_name="+")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "question", "number", "choice"],
                name="answer_count_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} {self.number}/{self.choice_id}: {self.n}"
