"""The young person in aftercare and their consent."""

import datetime
import enum
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kelayhteistyo.models import Language, Organisation, choice_label

AFTERCARE_MIN_AGE = 16
AFTERCARE_END_AGE = 25  # aftercare lasts until the 25th birthday


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def mask_identity_code(code: str) -> str:
    """Show only the date part of a personal identity code: 010203A***."""
    return f"{code[:7]}****" if code else ""


class YouthClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Aftercare workers see the young people of their own organisation; nobody else does."""
        if not user.is_authenticated or not user.is_aftercare_worker or not user.organisation_id:
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def messageable(self):
        """Young people the service may message (reminders, the feedback link): an e-mail
        address, and a valid consent that covers messages to them."""
        allowed = Consent.objects.covering(Scope.REMINDERS).filter(youth=OuterRef("pk"))
        return self.exclude(email="").filter(Exists(allowed))


class YouthClient(models.Model):
    class ClientGroup(models.TextChoices):
        AFTERCARE = "aftercare", _("Child-welfare aftercare")
        UNACCOMPANIED = "unaccompanied", _("Arrived as an unaccompanied minor")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="youth_clients",
        verbose_name=_("organisation"),
    )
    responsible_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="youth_clients",
        verbose_name=_("responsible aftercare worker"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    identity_code = models.CharField(
        _("personal identity code"),
        max_length=11,
        blank=True,
        help_text=_("Optional. Enter only when it is needed; it is always shown masked."),
    )
    client_group = models.CharField(
        _("client group"), max_length=20, choices=ClientGroup.choices, default=ClientGroup.AFTERCARE
    )
    language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        verbose_name=_("language"),
        help_text=_("The language the young person prefers to use."),
    )
    needs_interpreter = models.BooleanField(_("needs an interpreter"), default=False)
    email = models.EmailField(_("e-mail for reminders"), blank=True)
    phone = models.CharField(_("phone for reminders"), max_length=30, blank=True)
    aftercare_ends_on = models.DateField(
        _("aftercare ends on"),
        blank=True,
        help_text=_("Leave empty to use the day before the 25th birthday."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = YouthClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("young person")
        verbose_name_plural = _("young people")
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        if not self.aftercare_ends_on and self.date_of_birth:
            self.aftercare_ends_on = self.default_aftercare_end()
        super().save(*args, **kwargs)

    # Django defines this too; ours is faster on every row of the list (see choice_label).
    def get_status_display(self):  # type: ignore[no-redef]
        return choice_label(self.Status, self.status)

    def may_be_messaged(self) -> bool:
        """See YouthClientQuerySet.messageable."""
        return YouthClient.objects.messageable().filter(pk=self.pk).exists()

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def service_language(self) -> str:
        """The young person's language if the service speaks it (fi, sv, en), else Finnish:
        for their reminders and their plain-language copy."""
        code = self.language.code if self.language_id else ""
        return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    @property
    def masked_identity_code(self) -> str:
        return mask_identity_code(self.identity_code)

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    def default_aftercare_end(self) -> datetime.date:
        return add_years(self.date_of_birth, AFTERCARE_END_AGE) - datetime.timedelta(days=1)

    def discloses_identity_to_kela(self) -> bool:
        """Whether a valid consent lets the invited Kela contact see the identifying data (full
        name, date of birth, identity code, client group, aftercare end date); else Kela sees
        the first name only."""
        return self.consents.covering(Scope.KELA_IDENTITY).exists()

    def current_consent(self):
        """The newest consent that is valid today, or None."""
        return self.consents.valid().order_by("-given_at").first()


class WorkerHandover(models.Model):
    """A change of the responsible aftercare worker, kept as history."""

    youth = models.ForeignKey(YouthClient, on_delete=models.CASCADE, related_name="handovers")
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-handed_over_at"]

    def __str__(self) -> str:
        return f"{self.youth}: {self.from_worker} → {self.to_worker}"


class Scope(enum.StrEnum):
    """What a consent covers: the names of its boolean fields, in the order they are shown.
    Code names a scope by this enum, so that a typo fails at once, not at run time."""

    KELA_MEETING = "scope_kela_meeting"
    KELA_IDENTITY = "scope_kela_identity"
    SHARE_PLAN = "scope_share_plan"
    CLIENT_PLAN = "scope_client_plan"
    REMINDERS = "scope_reminders"
    NETWORK = "scope_network"
    NETWORK_PLAN = "scope_network_plan"


class ConsentQuerySet(models.QuerySet):
    def valid(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
            withdrawn_at__isnull=True,
            given_at__date__lte=on,
        )

    def covering(self, scope: Scope, on: datetime.date | None = None):
        return self.valid(on).filter(**{Scope(scope).value: True})


class Consent(models.Model):
    """A consent given by the young person. Never edited: a change is a new consent."""

    class HowGiven(models.TextChoices):
        ORALLY = "orally", _("Orally, recorded by the worker")
        IN_WRITING = "in_writing", _("In writing (signed form)")
        ELECTRONICALLY = "electronically", _("Electronically")

    Scope = Scope
    SCOPES = tuple(scope.value for scope in Scope)  # the field names, in the order shown

    youth = models.ForeignKey(
        YouthClient,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("young person"),
    )
    scope_kela_meeting = models.BooleanField(
        _("Invite a Kela contact person to a joint meeting and share the data needed for it"),
        default=True,
    )
    scope_share_plan = models.BooleanField(
        _("Share the follow-up plan with the Kela contact person"), default=True
    )
    scope_client_plan = models.BooleanField(
        _("Record the cooperation in the client plan"), default=True
    )
    scope_reminders = models.BooleanField(_("Send reminders to the young person"), default=False)
    # Without it Kela sees the first name only (issue 18): with it, the invited contact can
    # find the young person in Kela's own systems before the meeting.
    scope_kela_identity = models.BooleanField(
        _(
            "Disclose identifying data to the invited Kela contact person: full name, date of "
            "birth, personal identity code, client group and the date aftercare ends"
        ),
        default=False,
        help_text=_(
            "Without this, Kela sees only the first name. The identity code is shown masked "
            "until the Kela contact opens it; each opening is recorded in the access log."
        ),
    )
    # The other network members named for a meeting (support person, interpreter, family,
    # professionals) are reached by e-mail only with these (issue 17); never ticked in advance.
    scope_network = models.BooleanField(
        _(
            "Send the joint meeting's invitation, changes and reminders by e-mail to the other "
            "network members named for it (support person, interpreter, family, other "
            "professionals)"
        ),
        default=False,
    )
    scope_network_plan = models.BooleanField(
        _("Send the plain-language follow-up plan by e-mail to those network members"),
        default=False,
        help_text=_("Only together with the messages to the network members."),
    )
    how_given = models.CharField(_("how given"), max_length=20, choices=HowGiven.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawal_note = models.CharField(_("note on the withdrawal"), max_length=500, blank=True)
    # The young person asked on their own page to withdraw it (issue 19): the worker goes
    # through it with them and records the withdrawal.
    withdrawal_requested_at = models.DateTimeField(_("withdrawal asked for"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="consent_withdrawal_has_recorder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.youth} {self.given_at:%Y-%m-%d}"

    @property
    def is_valid(self) -> bool:
        today = timezone.localdate()
        return (
            self.withdrawn_at is None
            and timezone.localdate(self.given_at) <= today
            and (self.valid_until is None or self.valid_until >= today)
        )

    def scope_labels(self) -> list:
        labels = {field.name: field.verbose_name for field in self._meta.concrete_fields}
        return [labels[name] for name in self.SCOPES if getattr(self, name)]


class UsedAssertion(models.Model):
    """A SAML assertion that signed a young person in (cases/own.py): an assertion is used once;
    the row is kept until the assertion would have expired anyway. No personal data."""

    assertion_id = models.CharField(max_length=200, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.assertion_id
