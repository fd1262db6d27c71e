"""The follow-up plan: who does what and when, reviews, and the plan's exported snapshots."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent

from .meeting import JointMeeting, Participant


class FollowUpPlan(models.Model):
    """The follow-up plan of a joint meeting: who does what and when, and when to review."""

    class KelaCooperation(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        TO_BE_DECIDED = "tbd", _("To be decided")

    meeting = models.OneToOneField(JointMeeting, on_delete=models.PROTECT, related_name="plan")
    # The young person's own goal in their own words: the plan is made with them, at the centre.
    own_words = models.TextField(
        _("what matters to me (the young person's own words)"),
        max_length=2000,
        blank=True,
        help_text=_("Write it as the young person says it; it comes first in their copy."),
    )
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
    # The meeting's organisation, copied when the plan is made (it never changes): the home
    # page's reviews due are one index range of the organisation's plans by review date.
    organisation = models.ForeignKey(
        "kelayhteistyo.Organisation", on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Where the young person goes when aftercare ends (issue 17: transitions, "aina saattaen").
    next_service = models.CharField(
        _("the service the young person moves to when aftercare ends"),
        max_length=300,
        blank=True,
        help_text=_(
            "For example adult social work, mental health services or the employment services. "
            "Recording it completes the task of planning the hand-over to adult services."
        ),
    )
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
        indexes = [
            models.Index(fields=["review_date"]),
            models.Index(
                fields=["organisation", "review_date", "id"],
                condition=Q(review_date__isnull=False),
                name="plan_org_review_date",
            ),
        ]

    def __str__(self) -> str:
        return str(self.meeting)

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.meeting_id:
            self.organisation_id = self.meeting.organisation_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.review_date and self.meeting_id and self.review_date < self.meeting.day:
            raise ValidationError(
                {"review_date": _("The review date cannot be before the meeting.")}
            )


class ActionItemQuerySet(models.QuerySet):
    def tickable_by(self, user):
        """The items `user` may tick done, open again, edit, cancel or note progress on (see
        `ActionItem.tickable_by`): one rule for every change of an existing item."""
        items = self.filter(plan__meeting__in=JointMeeting.objects.visible_to(user))
        if user.is_aftercare_worker:
            return items
        if user.is_kela_contact:
            return items.filter(owner__user=user)
        return self.none()

    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, the young person and organisation copied from the plan's meeting where
        the caller did not give them (one query for all the plans)."""
        objs = list(objs)
        missing = {o.plan_id for o in objs if o.youth_id is None or o.organisation_id is None}
        if missing:
            meetings = {
                pk: (youth, org)
                for pk, youth, org in FollowUpPlan.objects.filter(pk__in=missing).values_list(
                    "pk", "meeting__youth_id", "meeting__organisation_id"
                )
            }
            for o in objs:
                if o.plan_id in meetings:
                    o.youth_id, o.organisation_id = meetings[o.plan_id]
        return super().bulk_create(objs, *args, **kwargs)

    def with_history(self):
        """The items with their owners and changes, in a fixed number of queries."""
        return self.select_related("owner__user").prefetch_related(
            models.Prefetch(
                "changes",
                queryset=ActionItemChange.objects.select_related("changed_by", "by_link"),
            )
        )


class ActionItem(models.Model):
    """One line of "who does what and when"."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled, not needed")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="items")
    owner = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("who")
    )
    # A named outside service that does it ("TE-palvelut", "aikuissosiaalityö"): it has no
    # account and is no participant, so `owner` is then the aftercare worker who follows it up
    # and gets its reminders.
    outside_service = models.CharField(
        _("outside service"),
        max_length=200,
        blank=True,
        help_text=_(
            "For example TE-palvelut or aikuissosiaalityö. The aftercare worker follows it up "
            "and gets its reminders."
        ),
    )
    # Where the outside service gets a signed link to mark the item done or say why not
    # (meetings.services.item_link); without it, only the worker is reminded.
    outside_service_email = models.EmailField(
        _("outside service's e-mail address"),
        blank=True,
        help_text=_(
            "Optional. The service then gets a link to mark the item done or propose a new "
            "date, without an account."
        ),
    )
    what = models.CharField(_("what"), max_length=500)
    due_date = models.DateField(_("when (due date)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it is not needed"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic lock: an edit must name the version it was made from.
    version = models.PositiveIntegerField(default=1)
    # The meeting's young person and organisation, copied when the item is made (neither ever
    # changes for a meeting): the home pages find the open items by a partial index on them
    # and the due date, one index range per list, instead of joining plans and meetings.
    youth = models.ForeignKey(
        "cases.YouthClient", on_delete=models.PROTECT, related_name="+", editable=False
    )
    organisation = models.ForeignKey(
        "kelayhteistyo.Organisation", on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # The open items only (a small part of all): by organisation, by young person and
            # by owner, each in the order of the due date.
            models.Index(
                fields=["organisation", "due_date", "id"],
                condition=Q(status="open"),
                name="item_open_org_due",
            ),
            models.Index(
                fields=["youth", "due_date"], condition=Q(status="open"), name="item_open_youth_due"
            ),
            models.Index(
                fields=["owner", "due_date"], condition=Q(status="open"), name="item_open_owner_due"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "cancelled"], done_at__isnull=True)
                | Q(status="done", done_at__isnull=False),
                name="action_item_done_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") & ~Q(cancel_reason="")
                | ~Q(status="cancelled") & Q(cancel_reason=""),
                name="action_item_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def save(self, *args, **kwargs):
        if (self.youth_id is None or self.organisation_id is None) and self.plan_id:
            meeting = self.plan.meeting
            self.youth_id, self.organisation_id = meeting.youth_id, meeting.organisation_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.plan_id:
            return
        meeting = self.plan.meeting
        if self.owner_id and self.owner.meeting_id != meeting.pk:
            raise ValidationError({"owner": _("Choose one of the meeting's participants.")})
        if (
            self.outside_service
            and self.owner_id
            and self.owner.kind != Participant.Kind.AFTERCARE_WORKER
        ):
            raise ValidationError(
                {"owner": _("An outside service is followed up by an aftercare worker.")}
            )
        if self.outside_service_email and not self.outside_service:
            raise ValidationError(
                {"outside_service_email": _("Name the outside service the address belongs to.")}
            )
        if self.due_date and self.due_date < meeting.day:
            raise ValidationError({"due_date": _("The due date cannot be before the meeting.")})

    @property
    def owner_label(self) -> str:
        """Who does it, in words: the outside service, or the participant."""
        if self.outside_service:
            return f"{self.outside_service} ({self.owner.display_name})"
        return self.owner.display_name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def tickable_by(self, user) -> bool:
        """Of a meeting the user sees: workers tick, edit, cancel and note any item, a Kela
        contact only its own."""
        return user.is_aftercare_worker or (user.is_kela_contact and self.owner.user_id == user.pk)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class ActionItemChange(models.Model):
    """One step in an item's history: a changed field (old and new value) or a progress note."""

    class Field(models.TextChoices):
        WHAT = "what", _("what")
        OWNER = "owner", _("who")
        DUE_DATE = "due_date", _("due date")
        STATUS = "status", _("status")
        NOTE = "note", _("progress note")

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(auto_now_add=True)
    # A user, or the outside owner through the signed link sent to them (`by_link`).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_link = models.ForeignKey(
        "ItemLink", on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    field = models.CharField(max_length=10, choices=Field.choices)
    # Values as text: a date in ISO form, an owner by name, a status by its value; on a note
    # of the outside owner by link, `new_value` is the date they propose.
    old_value = models.CharField(max_length=500, blank=True)
    new_value = models.CharField(max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    # The review round in which the change was made (an item ticked done in the review form):
    # the client plan export says what happened to each open item in each round.
    review = models.ForeignKey(
        "Review", on_delete=models.PROTECT, null=True, blank=True, related_name="item_changes"
    )

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("action item change")
        verbose_name_plural = _("action item changes")
        # No author row: the young person themselves, on their own page (issue 19).

    def __str__(self) -> str:
        return f"{self.item} {self.field}"

    @property
    def by_first_name(self) -> str:
        """Who made the change, briefly (the plan page): a user's first name, the outside owner
        by link, or the young person on their own page."""
        if self.changed_by is not None:
            return self.changed_by.first_name
        if self.by_link is not None:
            return _("%(who)s (by link)") % {"who": self.by_link.name}
        return str(_("the young person"))

    @property
    def by_full_name(self) -> str:
        """Who made the change, in full (the client plan document)."""
        if self.changed_by is not None:
            return self.changed_by.get_full_name()
        if self.by_link is not None:
            return _("%(who)s (the owner, by link)") % {"who": self.by_link.name}
        return str(_("the young person"))

    @property
    def proposed_date(self) -> datetime.date | None:
        """The new date an outside owner proposed with a note, by link."""
        if self.field == self.Field.NOTE and self.new_value:
            return datetime.date.fromisoformat(self.new_value)
        return None

    @property
    def old_date(self) -> datetime.date | None:
        """The due date before a move (None if there was none)."""
        return datetime.date.fromisoformat(self.old_value) if self.old_value else None


class Review(models.Model):
    """Checking together how things went: one round, for the review date agreed for it."""

    class EndReason(models.TextChoices):
        GOALS_REACHED = "goals_reached", _("The goals were reached")
        DECLINED = "declined", _("The young person declined further cooperation")
        OTHER_SERVICES = "other_services", _("The young person moved to other services")
        OTHER = "other", _("Other reason")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.PROTECT, related_name="reviews")
    # The joint meeting this round was held in, when it was booked as one (its `reviews_plan`
    # is this plan): one round per such meeting.
    meeting = models.OneToOneField(
        JointMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_review",
        verbose_name=_("held as the joint meeting"),
    )
    # The plan's review date when this round was recorded (the held date if none was agreed):
    # the figures compare each round with its own date, not with the plan's next one.
    agreed_for = models.DateField(_("review agreed for"))
    held_on = models.DateField(_("review held on"))
    with_young_person = models.BooleanField(_("the young person took part"), default=False)
    with_kela = models.BooleanField(_("the Kela contact person took part"), default=False)
    how_it_went = models.TextField(_("how has it gone?"), max_length=5000)
    kela_continues = models.BooleanField(_("cooperation with Kela continues"), default=False)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True)
    close_cooperation = models.BooleanField(_("end the cooperation"), default=False)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_details = models.CharField(_("more about the ending"), max_length=1000, blank=True)
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
            models.CheckConstraint(
                condition=Q(close_cooperation=False, end_reason="")
                | (Q(close_cooperation=True) & ~Q(end_reason="")),
                name="review_end_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(close_cooperation=False) | Q(kela_continues=False),
                name="review_end_ends_kela",
            ),
            # One review per round: a second one for the same agreed date is refused.
            models.UniqueConstraint(fields=["plan", "agreed_for"], name="review_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.held_on}"

    @property
    def on_time(self) -> bool:
        return self.held_on <= self.agreed_for


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
    language = models.CharField(_("language"), max_length=8)
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
