"""Joint meetings and their participants (the Kela contact's participant row is the invitation)."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, Scope, YouthClient
from kelayhteistyo.models import Language, Organisation, choice_label


class Modality(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")
    # Participants join in different ways (e.g. Kela by video, the young person and the worker
    # face to face). Never chosen as such: derived from the participants (services keep it so).
    MIXED = "mixed", _("Mixed")


# How one participant joins: the modalities a person can use (mixed is the meeting's only).
JOINING_CHOICES = [
    (m.value, m.label) for m in (Modality.FACE_TO_FACE, Modality.VIDEO, Modality.PHONE)
]


class Topic(models.TextChoices):
    """Typical topics of a joint meeting, from the operating model."""

    STUDENT_AID = "student_aid", _("How aftercare affects student financial aid and student loan")
    INDEPENDENCE_FUNDS = (
        "independence_funds",
        _("Independence funds and fitting aftercare support together with Kela benefits"),
    )
    SOCIAL_ASSISTANCE = "social_assistance", _("Basic social assistance")
    HOUSING = "housing", _("Housing allowance")
    REHABILITATION = "rehabilitation", _("Rehabilitation and rehabilitation allowance")
    DEALING_WITH_KELA = (
        "dealing_with_kela",
        _("Difficulties in dealing with Kela; personal support from a named Kela employee"),
    )
    APPLYING = "applying", _("Applying for benefits")
    LIFE_CHANGE = "life_change", _("Changes in life situation")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Workers: meetings of their organisation's young people. Kela contacts: meetings they
        are invited to, and only while the young person's consent covers it."""
        if not user.is_authenticated or not user.organisation_id:
            return self.none()
        if user.is_aftercare_worker:
            # The young person's organisation decides; the meeting's own copy of it lets the
            # database find one organisation's meetings by an index, newest first.
            org = user.organisation_id
            return self.filter(organisation_id=org, youth__organisation_id=org)
        if user.is_kela_contact:
            # Only while their invitation stands: a contact who declined, or was removed,
            # sees nothing of the meeting any more (the one who replaced them does).
            invited = Participant.objects.taking_part().filter(meeting=OuterRef("pk"), user=user)
            consent = Consent.objects.covering(Consent.Scope.KELA_MEETING).filter(
                youth=OuterRef("youth_id")
            )
            return self.exclude(status=JointMeeting.Status.DRAFT).filter(
                Exists(invited), Exists(consent)
            )
        return self.none()

    def upcoming(self):
        return self.filter(
            status__in=[JointMeeting.Status.INVITED, JointMeeting.Status.CONFIRMED],
            starts_at__gte=timezone.now() - datetime.timedelta(hours=12),
        ).order_by("starts_at")


class JointMeeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        PLAN_RECORDED = "plan_recorded", _("Plan recorded")
        # After a review: the next review date is set (a new round), or the cooperation ended.
        IN_FOLLOW_UP = "in_follow_up", _("In follow-up")
        COOPERATION_ENDED = "cooperation_ended", _("Cooperation ended")
        CANCELLED = "cancelled", _("Cancelled")

    # Statuses with a recorded plan, and those in which the next review round is awaited.
    WITH_PLAN = (Status.PLAN_RECORDED, Status.IN_FOLLOW_UP, Status.COOPERATION_ENDED)
    AWAITING_REVIEW = (Status.PLAN_RECORDED, Status.IN_FOLLOW_UP)

    # The status machine: which status may follow which. Services enforce it.
    TRANSITIONS = {
        Status.DRAFT: {Status.INVITED, Status.CANCELLED},
        # Invited → held: Kela took part without answering in the app (the worker confirms it).
        Status.INVITED: {Status.INVITED, Status.CONFIRMED, Status.HELD, Status.CANCELLED},
        Status.CONFIRMED: {Status.INVITED, Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.PLAN_RECORDED},
        Status.PLAN_RECORDED: {Status.IN_FOLLOW_UP, Status.COOPERATION_ENDED},
        Status.IN_FOLLOW_UP: {Status.IN_FOLLOW_UP, Status.COOPERATION_ENDED},
        Status.COOPERATION_ENDED: set(),
        Status.CANCELLED: set(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        YouthClient,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("young person"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_meetings",
        verbose_name=_("organiser"),
    )
    # The young person's organisation, copied when the meeting is made (it never changes): the
    # lists and the dashboard filter by it without joining every meeting to its young person.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False
    )
    goal = models.TextField(_("goal of the meeting"), max_length=2000)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    topics_other = models.CharField(_("other topics"), max_length=500, blank=True)
    youth_questions = models.TextField(
        _("the young person's own questions"), max_length=2000, blank=True
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    language = models.ForeignKey(
        Language, on_delete=models.PROTECT, verbose_name=_("language of the meeting")
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("consent the invitation rests on"),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    # Booked after it was held (arranged by phone, say): no invitation in the app, so the
    # dashboard leaves it out of "invitation to meeting" and counts it apart.
    recorded_afterwards = models.BooleanField(_("recorded afterwards"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # A meeting booked to review an earlier meeting's follow-up plan: the plan continues in it
    # (its review round is recorded on that plan, services.review_record); no plan of its own.
    # Booked in answer to a cooperation request from Kela (issue 18): inviting Kela to it
    # answers the request (meetings.services.meeting_invite).
    cooperation_request = models.ForeignKey(
        "cases.CooperationRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        editable=False,
        verbose_name=_("cooperation request"),
    )
    reviews_plan = models.ForeignKey(
        "meetings.FollowUpPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_meetings",
        editable=False,
        verbose_name=_("reviews the follow-up plan"),
    )
    # RFC 5545 SEQUENCE of the calendar event: increased on every change sent to calendars.
    ics_sequence = models.PositiveIntegerField(default=0)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        indexes = [
            # The upcoming meetings (a Kela contact's home page, the reminders): the columns
            # the lists show come from the index alone.
            models.Index(
                fields=["status", "starts_at"],
                include=["id", "youth", "modality"],
                name="meeting_status_start",
            ),
            models.Index(fields=["organisation", "-starts_at"], name="meeting_org_newest"),
            models.Index(fields=["youth", "starts_at"], name="meeting_youth_first"),
            # The dashboard's period: its figures read these columns from the index alone.
            models.Index(
                fields=["starts_at"],
                include=["status", "modality", "youth", "organisation", "invited_at"],
                name="meeting_period_cover",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=480),
                name="meeting_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.youth.first_name} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.youth_id:
            self.organisation_id = self.youth.organisation_id
        super().save(*args, **kwargs)

    # Shown on every row of the lists (see choice_label).
    def get_status_display(self):  # type: ignore[no-redef]
        return choice_label(self.Status, self.status)

    def get_modality_display(self):  # type: ignore[no-redef]
        return choice_label(Modality, self.modality)

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def day(self) -> datetime.date:
        """The day of the meeting in Finnish time; the plan's dates cannot be before it."""
        return timezone.localdate(self.starts_at)

    @property
    def has_started(self) -> bool:
        """A meeting can be marked held only once its time has come."""
        return self.starts_at <= timezone.now()

    @property
    def was_held(self) -> bool:
        """Held, and possibly planned and reviewed since: the plan and feedback come after."""
        return self.status == self.Status.HELD or self.status in self.WITH_PLAN

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def become(self, status: str) -> None:
        """Move to `status` if TRANSITIONS allow it (the caller saves); else a clear message."""
        if not self.can_become(status):
            raise ValidationError(
                _("A meeting that is “%(current)s” cannot become “%(new)s”.")
                % {"current": self.get_status_display(), "new": self.Status(status).label}
            )
        self.status = status

    def topic_labels(self) -> list:
        labels = dict(Topic.choices)
        return [labels[t] for t in self.topics if t in labels]

    @property
    def kela_participant(self) -> "Participant | None":
        """The Kela contact currently invited (the newest one who has not declined)."""
        kela = [p for p in self.participants.all() if p.kind == Participant.Kind.KELA_CONTACT]
        active = [p for p in kela if p.status != Participant.Status.DECLINED]
        return (active or kela)[-1] if kela else None

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CANCELLED,)

    @property
    def plan_or_none(self):
        """The follow-up plan, or None before one is recorded."""
        try:
            return self.plan
        except ObjectDoesNotExist:
            return None

    def consented_scopes(self) -> frozenset[Scope]:
        """What the young person's consents cover today (one query): pass it to the questions
        below when a page asks more than one."""
        return Consent.objects.filter(youth=self.youth_id).scopes()

    def plan_visible_to(self, user, scopes: frozenset[Scope] | None = None) -> bool:
        """The follow-up plan of a meeting the user sees: workers always; a Kela contact only
        while a valid consent covers sharing the plan — today's consents, not the one the
        invitation rested on (it may since have been withdrawn, or a later one may cover it).
        `scopes`: consented_scopes(), if the caller has read them."""
        if user.is_aftercare_worker:
            return True
        if not user.is_kela_contact:
            return False
        return Scope.SHARE_PLAN in (self.consented_scopes() if scopes is None else scopes)

    def identity_visible_to(self, user, scopes: frozenset[Scope] | None = None) -> bool:
        """The young person's identifying data (full name, date of birth, identity code, client
        group, aftercare end date) for the Kela contact of a meeting they see, only while a valid
        consent covers disclosing it (issue 18). Workers read the record itself."""
        if not user.is_kela_contact:
            return False
        return self.youth.discloses_identity_to_kela(
            self.consented_scopes() if scopes is None else scopes
        )

    # What the status allows: services, views and the meeting page ask these.
    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_sent(self) -> bool:
        """Kela has seen it: invited or confirmed."""
        return self.status in (self.Status.INVITED, self.Status.CONFIRMED)

    @property
    def is_changeable(self) -> bool:
        """Time and details can change until the meeting is held (or cancelled)."""
        return self.status == self.Status.DRAFT or self.is_sent

    @property
    def can_cancel(self) -> bool:
        return self.can_become(self.Status.CANCELLED)

    @property
    def can_mark_held(self) -> bool:
        """Started, and Kela accepted — or has not answered, and the worker confirms that Kela
        took part (services.meeting_mark_held)."""
        return self.has_started and (self.status == self.Status.CONFIRMED or self.waits_for_kela)

    def joining_modality(self, participants=None) -> str:
        """The meeting's modality from how its participants join: the one way all of them
        join, or mixed. A participant without a way of their own joins as the meeting says."""
        participants = self.participants.all() if participants is None else participants
        ways = {p.joins_by or self.modality for p in participants if p.is_taking_part}
        ways.discard(Modality.MIXED)
        if len(ways) > 1:
            return Modality.MIXED
        return ways.pop() if ways else self.modality

    @property
    def waits_for_kela(self) -> bool:
        """Started, but the invited Kela contact has not accepted (nor declined)."""
        kela = self.kela_participant
        return (
            self.status == self.Status.INVITED
            and self.has_started
            and kela is not None
            and kela.status != Participant.Status.DECLINED
        )

    @property
    def can_invite_kela(self) -> bool:
        """A draft, or an invitation the Kela contact declined: another contact can be invited."""
        if self.status == self.Status.DRAFT:
            return True
        kela = self.kela_participant
        return (
            self.status == self.Status.INVITED
            and kela is not None
            and kela.status == Participant.Status.DECLINED
        )

    @property
    def is_review_meeting(self) -> bool:
        """Booked to review an earlier plan: the review is recorded on that plan."""
        return self.reviews_plan_id is not None

    @property
    def needs_plan(self) -> bool:
        return self.can_become(self.Status.PLAN_RECORDED) and not self.is_review_meeting

    @property
    def has_plan(self) -> bool:
        return self.status in self.WITH_PLAN

    @property
    def awaits_review(self) -> bool:
        """A plan is recorded and the cooperation has not ended: the next round can be reviewed."""
        return self.status in self.AWAITING_REVIEW


class NetworkRole(models.TextChoices):
    """The role of another network member (Participant.Kind.OTHER) in the young person's life."""

    SUPPORT_PERSON = "support_person", _("Support person")
    INTERPRETER = "interpreter", _("Interpreter")
    FAMILY_MEMBER = "family_member", _("Family member")
    IMMIGRANT_SERVICES = "immigrant_services", _("Immigrant-services worker")
    SCHOOL = "school", _("School")
    HEALTH_CARE = "health_care", _("Health care")
    EMPLOYMENT_SERVICES = "employment_services", _("Employment services")
    OTHER_PROFESSIONAL = "other_professional", _("Other professional")


# The young person's own people; every other role is a professional (feedback groups follow).
OWN_PEOPLE_ROLES = frozenset({NetworkRole.SUPPORT_PERSON, NetworkRole.FAMILY_MEMBER})


class ParticipantQuerySet(models.QuerySet):
    def taking_part(self):
        """Participants whose part stands: a Kela contact who declined takes no part (access,
        messages and calendar files follow this), nor a network member who was removed (their
        row is kept as DECLINED with `removed_at`, so the same rule holds)."""
        return self.exclude(status=Participant.Status.DECLINED)

    def network(self):
        """The other network members who still take part."""
        return self.taking_part().filter(kind=Participant.Kind.OTHER)


class Participant(models.Model):
    """Someone taking part in a joint meeting; for the Kela contact, also the invitation."""

    class Kind(models.TextChoices):
        YOUNG_PERSON = "young_person", _("Young person")
        AFTERCARE_WORKER = "aftercare_worker", _("Aftercare worker")
        KELA_CONTACT = "kela_contact", _("Kela contact person")
        OTHER = "other", _("Other network member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        PROPOSED = "proposed", _("Proposed another time")

    class Attendance(models.TextChoices):
        RECORDED_BY_WORKER = "recorded", _("Took part (recorded by the aftercare worker)")
        NOT_PRESENT = "not_present", _("Did not take part (said so themselves)")
        # The new responsible worker, added after the meeting to follow up its plan (a
        # hand-over): they did not take part.
        TOOK_OVER = "took_over", _("Took over the follow-up after the meeting (hand-over)")

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        db_index=False,  # participant_user covers it
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    # A network member's role from the short list (their feedback group follows it); empty for
    # the others, and for network members named before the list existed.
    network_role = models.CharField(
        _("role in the network"), max_length=30, choices=NetworkRole.choices, blank=True
    )
    role_title = models.CharField(_("title"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    # A network member without an account is reached by e-mail (with the consent's scope).
    email = models.EmailField(_("e-mail address"), blank=True)
    email_problem = models.CharField(_("e-mail problem"), max_length=300, blank=True)
    interpreter_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("language interpreted"),
    )
    # A network member removed before the meeting was held: kept for the record, taking no part.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACCEPTED
    )
    # How this participant joins (face to face, video, phone); empty: as the meeting says.
    joins_by = models.CharField(_("joins by"), max_length=20, choices=JOINING_CHOICES, blank=True)
    # Taking part recorded apart from the invitation's answer: by the worker (Kela took part
    # without answering in the app, or a meeting recorded afterwards), or denied by the
    # participant ("I did not take part").
    attendance = models.CharField(
        _("taking part"), max_length=20, choices=Attendance.choices, blank=True
    )
    response_message = models.CharField(_("message"), max_length=1000, blank=True)
    proposed_start = models.DateTimeField(_("proposed time"), null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [
            # A Kela contact's meetings, from the invitations that stand (taking_part): the
            # home page's lists start from these rows.
            models.Index(
                fields=["user", "status"],
                include=["id", "meeting"],
                condition=~Q(status="declined"),
                name="participant_user_taking_part",
            ),
            # All of a user's invitations, the declined too (their feedback links), from the
            # index alone.
            models.Index(fields=["user"], include=["id"], name="participant_user"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="participant_user_once_per_meeting",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="participant_has_name",
            ),
            models.CheckConstraint(
                condition=~Q(status="proposed") | Q(proposed_start__isnull=False),
                name="participant_proposal_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(network_role="interpreter") | Q(interpreter_language__isnull=False),
                name="participant_interpreter_has_language",
            ),
            models.CheckConstraint(
                condition=Q(kind="other") | (Q(network_role="") & Q(email="")),
                name="participant_network_fields_only_for_others",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_taking_part(self) -> bool:
        """See ParticipantQuerySet.taking_part (for participants already fetched)."""
        return self.status != self.Status.DECLINED

    @property
    def can_deny_taking_part(self) -> bool:
        """The worker recorded that this participant took part: they may say they did not."""
        return self.attendance == self.Attendance.RECORDED_BY_WORKER

    @property
    def is_network_member(self) -> bool:
        return self.kind == self.Kind.OTHER

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_own_people(self) -> bool:
        """A network member close to the young person (support person, family member), not a
        professional: they answer the young person's own people's survey."""
        return self.is_network_member and self.network_role in OWN_PEOPLE_ROLES

    def get_network_role_display(self):  # type: ignore[no-redef]
        return choice_label(NetworkRole, self.network_role) if self.network_role else ""

    def get_joins_by_display(self):  # type: ignore[no-redef]
        return choice_label(Modality, self.joins_by) if self.joins_by else ""

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name
