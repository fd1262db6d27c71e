"""Joint meetings, their participants and invitations, the follow-up plan and its review."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, YouthClient
from kelayhteistyo.models import Language, Organisation, choice_label


class Modality(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")


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
            invited = Participant.objects.filter(meeting=OuterRef("pk"), user=user)
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
        REVIEWED = "reviewed", _("Reviewed")
        CANCELLED = "cancelled", _("Cancelled")

    # The status machine: which status may follow which. Services enforce it.
    TRANSITIONS = {
        Status.DRAFT: {Status.INVITED, Status.CANCELLED},
        Status.INVITED: {Status.INVITED, Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.INVITED, Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.PLAN_RECORDED},
        Status.PLAN_RECORDED: {Status.REVIEWED},
        Status.REVIEWED: {Status.REVIEWED},
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # RFC 5545 SEQUENCE of the calendar event: increased on every change sent to calendars.
    ics_sequence = models.PositiveIntegerField(default=0)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
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
        return self.status in (self.Status.HELD, self.Status.PLAN_RECORDED, self.Status.REVIEWED)

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

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

    def plan_visible_to(self, user) -> bool:
        """The follow-up plan of a meeting the user sees: workers always; a Kela contact only
        while a valid consent covers sharing the plan — today's consents, not the one the
        invitation rested on (it may since have been withdrawn, or a later one may cover it)."""
        if user.is_aftercare_worker:
            return True
        return (
            user.is_kela_contact
            and Consent.objects.covering(Consent.Scope.SHARE_PLAN)
            .filter(youth=self.youth_id)
            .exists()
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
        return self.can_become(self.Status.HELD) and self.has_started

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
    def needs_plan(self) -> bool:
        return self.can_become(self.Status.PLAN_RECORDED)

    @property
    def has_plan(self) -> bool:
        return self.status in (self.Status.PLAN_RECORDED, self.Status.REVIEWED)


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

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    role_title = models.CharField(_("role"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACCEPTED
    )
    response_message = models.CharField(_("message"), max_length=1000, blank=True)
    proposed_start = models.DateTimeField(_("proposed time"), null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
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
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name


class FollowUpPlan(models.Model):
    """The follow-up plan of a joint meeting: who does what and when, and when to review."""

    class KelaCooperation(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        TO_BE_DECIDED = "tbd", _("To be decided")

    meeting = models.OneToOneField(JointMeeting, on_delete=models.PROTECT, related_name="plan")
    summary = models.TextField(_("summary"), max_length=5000)
    kela_cooperation = models.CharField(
        _("does cooperation with Kela continue?"),
        max_length=5,
        choices=KelaCooperation.choices,
        default=KelaCooperation.TO_BE_DECIDED,
    )
    kela_cooperation_how = models.CharField(_("how does it continue?"), max_length=1000, blank=True)
    progress_followup = models.CharField(_("how progress is followed"), max_length=1000, blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    recorded_in_client_plan = models.BooleanField(
        _("recorded into the client plan, as agreed"), default=False
    )
    # Optimistic lock: a save must name the version it was edited from.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        indexes = [models.Index(fields=["review_date"])]

    def __str__(self) -> str:
        return str(self.meeting)

    def clean(self) -> None:
        if self.review_date and self.meeting_id and self.review_date < self.meeting.day:
            raise ValidationError(
                {"review_date": _("The review date cannot be before the meeting.")}
            )


class ActionItemQuerySet(models.QuerySet):
    def tickable_by(self, user):
        """The items `user` may tick done or open again (see `ActionItem.tickable_by`)."""
        items = self.filter(plan__meeting__in=JointMeeting.objects.visible_to(user))
        if user.is_aftercare_worker:
            return items
        if user.is_kela_contact:
            return items.filter(owner__user=user)
        return self.none()


class ActionItem(models.Model):
    """One line of "who does what and when"."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="items")
    owner = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("who")
    )
    what = models.CharField(_("what"), max_length=500)
    due_date = models.DateField(_("when (due date)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", done_at__isnull=True)
                | Q(status="done", done_at__isnull=False),
                name="action_item_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def clean(self) -> None:
        if not self.plan_id:
            return
        meeting = self.plan.meeting
        if self.owner_id and self.owner.meeting_id != meeting.pk:
            raise ValidationError({"owner": _("Choose one of the meeting's participants.")})
        if self.due_date and self.due_date < meeting.day:
            raise ValidationError({"due_date": _("The due date cannot be before the meeting.")})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def tickable_by(self, user) -> bool:
        """Of a meeting the user sees: workers tick any item done, a Kela contact only its own."""
        return user.is_aftercare_worker or (user.is_kela_contact and self.owner.user_id == user.pk)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class Review(models.Model):
    """Checking together how things went."""

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("review held on"))
    how_it_went = models.TextField(_("how has it gone?"), max_length=5000)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True)
    close_cooperation = models.BooleanField(_("close the cooperation"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(close_cooperation=False) | Q(next_review_date__isnull=True),
                name="review_closes_or_continues",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.held_on}"


def _export_path(export, filename):
    return f"plan-exports/{export.plan.meeting_id}/{filename}"


class PlanExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Workers: every export of the meetings they see. A Kela contact: the plain-language
        copy, and only while the plan is shared with Kela (JointMeeting.plan_visible_to)."""
        exports = self.filter(plan__meeting__in=JointMeeting.objects.visible_to(user))
        if user.is_aftercare_worker:
            return exports
        if user.is_kela_contact:
            shared = Consent.objects.covering(Consent.Scope.SHARE_PLAN).filter(
                youth=OuterRef("plan__meeting__youth_id")
            )
            return exports.filter(Exists(shared), variant=PlanExport.Variant.PLAIN)
        return self.none()


class PlanExport(models.Model):
    """An immutable snapshot of a plan as a PDF: what was handed to the client plan (official,
    PDF/A-3b with the plan as JSON inside) or to the young person (plain language)."""

    class Variant(models.TextChoices):
        OFFICIAL = "official", _("Client plan document")
        PLAIN = "plain", _("Plain-language copy for the young person")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.PROTECT, related_name="exports")
    number = models.PositiveIntegerField(_("version"))
    plan_version = models.PositiveIntegerField()
    variant = models.CharField(_("kind"), max_length=10, choices=Variant.choices)
    language = models.CharField(_("language"), max_length=2)
    includes_identity_code = models.BooleanField(default=False)
    file = models.FileField(upload_to=_export_path)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    objects = PlanExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("plan export")
        verbose_name_plural = _("plan exports")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "variant", "number"], name="plan_export_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.variant} {self.number}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("An export is a snapshot: it is never changed.")
        super().save(*args, **kwargs)


class Notification(models.Model):
    """A message to one person: shown in the app (to a user) and sent by e-mail.

    Every e-mail and reminder is a row here first; Celery only delivers rows. `key` makes a
    reminder unique per (kind, object, recipient, due date), so it is created and sent once.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("New invitation")
        INVITATION_ANSWERED = "invitation_answered", _("Answer to an invitation")
        TIME_PROPOSED = "time_proposed", _("Another time proposed")
        MEETING_CONFIRMED = "meeting_confirmed", _("Meeting confirmed")
        MEETING_CHANGED = "meeting_changed", _("Meeting moved or changed")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        INVITATION_UNANSWERED = "invitation_unanswered", _("Invitation not answered")
        INVITATION_NUDGE = "invitation_nudge", _("Reminder to answer an invitation")
        MEETING_TOMORROW = "meeting_tomorrow", _("Meeting tomorrow")
        ITEM_DUE = "item_due", _("Task due soon")
        ITEM_OVERDUE = "item_overdue", _("Task overdue")
        REVIEW_DUE = "review_due", _("Review coming up")
        REVIEW_OVERDUE = "review_overdue", _("Review overdue")
        CONSENT_EXPIRING = "consent_expiring", _("Consent about to expire")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback on a meeting")

    # What each kind says, whether a user may turn it off, when it is moot: one entry per kind
    # in meetings.notifications (KindSpec); feedback declares FEEDBACK_REQUEST.

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed any more")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="fi")
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, null=True, blank=True)
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, null=True, blank=True)
    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, null=True, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The sweep reads only the rows that are waiting: a small partial index.
            models.Index(
                fields=["due_at"],
                name="notification_waiting",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(recipient_email=""),
                name="notification_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient or self.recipient_email}"
