"""Notification rows: every message is a row before Celery delivers it (meetings.notifications)."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, CooperationRequest, SpecialServiceReferral, YouthClient

from .meeting import JointMeeting, Participant
from .plan import ActionItem, FollowUpPlan, PlanExport


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's own in-app notifications: due, and not skipped as no longer needed."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, due_at__lte=timezone.now()).exclude(
            status=Notification.Status.SKIPPED
        )

    def with_content_access(self, user):
        """Annotate `shows_content`: whether `user` may still see what the notification is
        about — its meeting, or the young person of its consent — now, not when it was made.
        A notification whose ground has ended shows only a neutral line."""
        meeting = JointMeeting.objects.visible_to(user).filter(pk=OuterRef("meeting_id"))
        youth = YouthClient.objects.visible_to(user).filter(pk=OuterRef("consent__youth_id"))
        about = YouthClient.objects.visible_to(user).filter(pk=OuterRef("youth_id"))
        request = CooperationRequest.objects.visible_to(user).filter(
            pk=OuterRef("cooperation_request_id")
        )
        # The referring worker sees Kela's steps only while the consent holds (as on its page).
        referral = (
            SpecialServiceReferral.objects.visible_to(user)
            .consented()
            .filter(pk=OuterRef("special_referral_id"))
        )
        return self.annotate(
            shows_content=Case(
                When(cooperation_request__isnull=False, then=Exists(request)),
                When(special_referral__isnull=False, then=Exists(referral)),
                When(meeting__isnull=False, then=Exists(meeting)),
                When(consent__isnull=False, then=Exists(youth)),
                When(youth__isnull=False, then=Exists(about)),
                default=Value(True),
                output_field=models.BooleanField(),
            )
        )


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
        ITEM_ESCALATED = "item_escalated", _("Action item still not done")
        REVIEW_DUE = "review_due", _("Review coming up")
        REVIEW_OVERDUE = "review_overdue", _("Review overdue")
        CONSENT_EXPIRING = "consent_expiring", _("Consent about to expire")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback on a meeting")
        NETWORK_INVITATION = "network_invitation", _("Invitation to a network member")
        NETWORK_PLAN = "network_plan", _("The plan to a network member")
        INVITATION_PASSED = "invitation_passed", _("Invitation passed to a substitute")
        TAKING_PART_RECORDED = "taking_part_recorded", _("Your taking part was recorded")
        TAKING_PART_DENIED = "taking_part_denied", _("Someone says they did not take part")
        # A hand-over (meetings.services.handover): the others in a meeting hear who their
        # contact person now is; the new worker hears what they took over.
        CONTACT_CHANGED = "contact_changed", _("New contact person")
        YOUTH_HANDED_OVER = "youth_handed_over", _("A young person handed over to you")
        TRANSITION_DUE = "transition_due", _("Plan the hand-over to adult services")
        # To an outside owner of an action item (no account), with the signed link; and to the
        # worker when they used it (meetings.services.item_link).
        OWNER_ITEM_LINK = "owner_item_link", _("Action item sent to its outside owner")
        OWNER_ITEM_DUE = "owner_item_due", _("Action item due soon (outside owner)")
        OWNER_ITEM_OVERDUE = "owner_item_overdue", _("Action item overdue (outside owner)")
        OWNER_ITEM_UPDATED = "owner_item_updated", _("Action item updated by its outside owner")
        # From the young person's own page (issue 19), to the responsible worker.
        OWN_ITEM_DONE = "own_item_done", _("A young person marked a task done")
        OWN_HELP = "own_help", _("A young person asks for help with a task")
        OWN_WITHDRAWAL = "own_withdrawal", _("A young person asks to withdraw a consent")
        # Kela as a partner (issue 18): cooperation requests and special-service referrals
        # (meetings.notifications.case_kinds).
        REQUEST_RECEIVED = "request_received", _("New cooperation request from Kela")
        REQUEST_ANSWERED = "request_answered", _("Answer to your cooperation request")
        REFERRAL_RECEIVED = "referral_received", _("New special service referral")
        REFERRAL_STEP = "referral_step", _("Kela moved a special service referral on")
        REFERRAL_UNASSESSED = "referral_unassessed", _("Special service referral not assessed")
        REFERRAL_WAITING = "referral_waiting", _("Your special service referral is waiting")

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
    # A text message to the young person (issue 19; E.164), sent with kelayhteistyo.sms
    # instead of an e-mail, while their consent covers messages and the number is theirs.
    recipient_phone = models.CharField(_("phone number"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fi")
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, null=True, blank=True)
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, null=True, blank=True)
    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, null=True, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, null=True, blank=True)
    # A message to a network member without an account (issue 17): sent to `recipient_email`
    # only while they take part with that address and the consent covers messages to them.
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The plain-language copy of the plan sent to a network member, attached to the e-mail.
    plan_export = models.ForeignKey(
        PlanExport, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A message about the young person, not about one meeting or consent (a hand-over, the
    # approaching end of aftercare).
    youth = models.ForeignKey(
        YouthClient, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Issue 18: a message about a cooperation request from Kela, or a special-service referral.
    cooperation_request = models.ForeignKey(
        CooperationRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    special_referral = models.ForeignKey(
        SpecialServiceReferral, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
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

    objects = NotificationQuerySet.as_manager()

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
                condition=Q(recipient__isnull=False)
                | ~Q(recipient_email="")
                | ~Q(recipient_phone=""),
                name="notification_has_recipient",
            )
        ]

    def __str__(self) -> str:
        to = self.recipient or self.recipient_email or self.recipient_phone
        return f"{self.get_kind_display()} → {to}"
