"""The young person in aftercare and their consent."""

import datetime
import enum
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kelayhteistyo.models import AccessLog, Language, Organisation, choice_label
from kelayhteistyo.sms import phone_normalize
from kelayhteistyo.youth import youth_language_of

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

    def textable(self):
        """Young people the service may send text messages (reminders): a phone number, and a
        valid consent that covers messages to them."""
        allowed = Consent.objects.covering(Scope.REMINDERS).filter(youth=OuterRef("pk"))
        return self.exclude(phone="").filter(Exists(allowed))


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

    def may_be_texted(self) -> bool:
        """See YouthClientQuerySet.textable."""
        return YouthClient.objects.textable().filter(pk=self.pk).exists()

    @property
    def full_name(self) -> str:
        return str(self)

    # The light door of the young person's own page (issue 19; OwnLightLink, cases/light.py).

    def light_address(self, channel: str) -> str:
        """Where a light-door link (and its code) goes by `channel` ("email" or "sms"): the
        e-mail address, or the phone number in E.164; "" if there is none (or not a number)."""
        if channel == "email":
            return self.email.strip().lower()
        try:
            return phone_normalize(self.phone) if self.phone.strip() else ""
        except ValidationError:
            return ""

    def light_link_refusal(self, channel: str) -> str:
        """Why no light-door link can be sent by `channel` now, in words for the worker, or
        "". Messages to the young person need a valid consent that covers them."""
        if self.status != self.Status.ACTIVE:
            return str(_("The record is closed."))
        if not self.consents.covering(Scope.REMINDERS).exists():
            return str(
                _(
                    "No valid consent covers messages to the young person (“Send reminders to "
                    "the young person”)."
                )
            )
        if channel == "email" and not self.email:
            return str(_("There is no e-mail address on the record."))
        if channel == "sms" and not self.phone:
            return str(_("There is no phone number on the record."))
        if not self.light_address(channel):
            return str(_("The phone number on the record is not valid: correct it first."))
        return ""

    @property
    def light_door_on(self) -> bool:
        """A worker has sent a light-door link and not turned the light door off since."""
        return self.light_links.door_open().exists()

    @property
    def service_language(self) -> str:
        """The young person's language if the youth pages speak it (settings.YOUTH_LANGUAGES),
        else Finnish: for their own page, messages, survey and plain-language copy."""
        return youth_language_of(self.language.code if self.language_id else "")

    @property
    def masked_identity_code(self) -> str:
        return mask_identity_code(self.identity_code)

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    def default_aftercare_end(self) -> datetime.date:
        return add_years(self.date_of_birth, AFTERCARE_END_AGE) - datetime.timedelta(days=1)

    def discloses_identity_to_kela(self, scopes: "frozenset[Scope] | None" = None) -> bool:
        """Whether a valid consent lets the invited Kela contact see the identifying data (full
        name, date of birth, identity code, client group, aftercare end date); else Kela sees
        the first name only. `scopes`: today's consented scopes, if the caller has read them
        (ConsentQuerySet.scopes)."""
        if scopes is None:
            scopes = self.consents.scopes()
        return Scope.KELA_IDENTITY in scopes

    def current_consent(self):
        """The newest consent that is valid today, or None."""
        return self.consents.valid().order_by("-given_at").first()

    def access_log_entries(self):
        """The young person's access log: also the reads of a cooperation request about them
        made before it was linked to their record (those rows name the request only)."""
        requests = [str(pk) for pk in self.cooperation_requests.values_list("pk", flat=True)]
        about_requests = Q(
            youth__isnull=True,
            object_type__in=CooperationRequest.LOG_TYPES,
            object_id__in=requests,
        )
        return AccessLog.objects.filter(Q(youth=self) | about_requests)


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
    KELA_SPECIAL_SERVICE = "scope_kela_special_service"


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

    def scopes(self, on: datetime.date | None = None) -> frozenset[Scope]:
        """What the consents valid on `on` (today) cover together, read in one query: for a
        page that asks several questions of one young person's consent (the meeting page asks
        three). `Scope.X in scopes` answers what `covering(Scope.X).exists()` does."""
        covered: set[Scope] = set()
        for row in self.valid(on).values_list(*Scope):
            covered.update(scope for scope, yes in zip(Scope, row, strict=True) if yes)
        return frozenset(covered)


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
    # Issue 18: the worker may ask Kela to assess the need for its special service.
    scope_kela_special_service = models.BooleanField(
        _(
            "Refer the young person to Kela's special service (erityispalvelu) and share with "
            "Kela the data needed for the assessment"
        ),
        default=False,
        help_text=_(
            "Kela sees the young person's name, date of birth and the referral; the worker sees "
            "Kela's assessment and the service while the consent is valid."
        ),
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


class CooperationRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The Kela contact who sent a request sees it; so do the workers of the unit it was
        sent to. Nobody else (another Kela contact, another unit, a coordinator)."""
        if not user.is_authenticated or not user.organisation_id:
            return self.none()
        if user.is_kela_contact:
            return self.filter(sent_by=user)
        if user.is_aftercare_worker:
            return self.filter(organisation_id=user.organisation_id)
        return self.none()

    def waiting(self, now: datetime.datetime | None = None):
        """Requests the unit has not answered yet (sent, or taken and not yet booked or
        declined) and that have not expired."""
        return self.filter(
            status__in=[CooperationRequest.Status.SENT, CooperationRequest.Status.TAKEN],
            expires_at__gt=now or timezone.now(),
        )

    def not_erased(self):
        return self.filter(erased_at__isnull=True)


class CooperationRequest(models.Model):
    """Kela starts cooperation (issue 18): a Kela contact asks an aftercare unit to contact a
    young person. It holds no more than the unit needs to find the young person and call them,
    and its personal data is blanked when it expires or some days after it was answered
    (cases.services.cooperation_requests_expire)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for the unit")
        TAKEN = "taken", _("Taken by a worker")
        DECLINED = "declined", _("Declined by the unit")
        BOOKED = "booked", _("Joint meeting booked")
        EXPIRED = "expired", _("Expired without an answer")

    # The access log names a request by these (its young person may not have a record yet).
    LOG_OBJECT = "cooperationrequest"
    LOG_LIST = "cooperationrequest_list"
    LOG_MATCH = "cooperationrequest_match"
    LOG_TYPES = (LOG_OBJECT, LOG_LIST)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cooperation_requests",
        verbose_name=_("aftercare unit"),
        limit_choices_to={"kind": Organisation.Kind.AFTERCARE},
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cooperation_requests_sent",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    noticed = models.TextField(
        _("what Kela has noticed"),
        max_length=1000,
        blank=True,
        help_text=_("Only what the unit needs to know, e.g. “studies interrupted, no income”."),
    )
    asked = models.TextField(
        _("what Kela asks"),
        max_length=1000,
        blank=True,
        help_text=_("E.g. “Could aftercare contact the young person and book a joint meeting?”"),
    )
    contact_agreed = models.CharField(
        _("how the young person agreed to be contacted"),
        max_length=300,
        blank=True,
        help_text=_("E.g. “by phone 040 123 4567 in the afternoons” or “by letter”."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    youth = models.ForeignKey(
        YouthClient,
        on_delete=models.SET_NULL,
        related_name="cooperation_requests",
        null=True,
        blank=True,
        verbose_name=_("young person"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), max_length=500, blank=True)
    erased_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    objects = CooperationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("cooperation request")
        verbose_name_plural = _("cooperation requests")
        indexes = [models.Index(fields=["organisation", "status", "sent_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["taken", "booked"]) | Q(taken_by__isnull=False),
                name="cooperation_request_taken_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d} → {self.organisation_id}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def state(self) -> str:
        """The status as the users see it: an open request past its time is expired even
        before the nightly task has marked it."""
        open_ = self.status in (self.Status.SENT, self.Status.TAKEN)
        if open_ and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status

    def get_state_display(self) -> str:
        return choice_label(self.Status, self.state)

    @property
    def is_open(self) -> bool:
        return self.state in (self.Status.SENT, self.Status.TAKEN)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def can_take(self, user) -> bool:
        return self.state == self.Status.SENT and user.organisation_id == self.organisation_id

    def can_decline(self, user) -> bool:
        """Any worker of the unit while nobody has taken it; once taken, the one who took it."""
        if user.organisation_id != self.organisation_id or not user.is_aftercare_worker:
            return False
        if self.state == self.Status.SENT:
            return True
        return self.state == self.Status.TAKEN and self.taken_by_id == user.pk

    def is_taken_by(self, user) -> bool:
        return self.state == self.Status.TAKEN and self.taken_by_id == user.pk


class SpecialServiceReferralQuerySet(models.QuerySet):
    def consented(self, on: datetime.date | None = None):
        """Referrals whose young person's consent to the special service is valid (today)."""
        allowed = Consent.objects.covering(Scope.KELA_SPECIAL_SERVICE, on).filter(
            youth=OuterRef("youth")
        )
        return self.filter(Exists(allowed))

    def visible_to(self, user):
        """The young person's own organisation; Kela: the named contact, or while nobody is
        named any contact serving the young person's county, or the one who took it — only
        while a valid consent covers the special service (computed here, not stored)."""
        if not user.is_authenticated or not user.organisation_id:
            return self.none()
        if user.is_aftercare_worker:
            return self.filter(youth__organisation_id=user.organisation_id)
        if not user.is_kela_contact:
            return self.none()
        mine = Q(named_contact=user) | Q(taken_by=user)
        profile = getattr(user, "kela_profile", None)
        if profile is not None:
            mine |= Q(
                named_contact__isnull=True,
                taken_by__isnull=True,
                county__in=profile.areas.all(),
            )
        return self.consented().filter(mine)

    def open(self):
        return self.exclude(status=SpecialServiceReferral.Status.ENDED)


class SpecialServiceReferral(models.Model):
    """The worker asks Kela to assess the young person's need for Kela's special service
    (erityispalvelu, issue 18); Kela takes it, records the assessment and, if taken into the
    service, the named special-service contact, goals, pace and planned end; at the end the
    hand-over to a suitable service."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred, waiting for Kela")
        TAKEN = "taken", _("Taken by Kela, being assessed")
        IN_SERVICE = "in_service", _("In the special service")
        ENDED = "ended", _("Ended")

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Taken into the special service")
        NOT_ACCEPTED = "not_accepted", _("Not taken into the special service")
        OTHER_SERVICE = "other_service", _("Another service advised")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        YouthClient,
        on_delete=models.PROTECT,
        related_name="special_service_referrals",
        verbose_name=_("young person"),
    )
    county = models.ForeignKey(
        "kelayhteistyo.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wellbeing services county"),
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent")
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    referred_at = models.DateTimeField(_("referred at"), default=timezone.now)
    named_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("Kela contact person"),
        help_text=_("Leave empty to let any Kela contact person of the county take it."),
    )
    reason = models.TextField(_("why the special service is needed"), max_length=2000)
    tried = models.TextField(_("what has been tried"), max_length=2000)
    youth_view = models.TextField(_("the young person's own view"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REFERRED
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    outcome = models.CharField(_("assessment"), max_length=15, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    special_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("special-service contact person"),
    )
    goals = models.TextField(_("goals"), max_length=2000, blank=True)
    pace = models.CharField(
        _("pace"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “a meeting every two weeks”."),
    )
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    handover = models.TextField(
        _("hand-over to a suitable service"),
        max_length=2000,
        blank=True,
        help_text=_("Where the young person continues, e.g. “TE services, a named adviser”."),
    )

    objects = SpecialServiceReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_at"]
        verbose_name = _("special service referral")
        verbose_name_plural = _("special service referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="referred") | Q(taken_by__isnull=False),
                name="special_referral_taken_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.youth_id} {self.referred_at:%Y-%m-%d}"

    def get_status_display(self):  # type: ignore[no-redef]
        return choice_label(self.Status, self.status)

    def get_outcome_display(self):  # type: ignore[no-redef]
        return choice_label(self.Outcome, self.outcome)

    def is_kela_of(self, user) -> bool:
        """The Kela contact who took it (only they record the assessment and the end)."""
        return user.is_kela_contact and self.taken_by_id == user.pk


class OwnLightLinkQuerySet(models.QuerySet):
    def door_open(self):
        """Links the worker has not turned off (the light door of their young person is on)."""
        return self.filter(revoked_at__isnull=True)


class OwnLightLink(models.Model):
    """A link to the young person's "light door" (issue 19): without strong identification, a
    single-use link and a one-time code sent to the same address open only what is not
    sensitive (the next meeting, the open feedback survey). cases/light.py reads the links.

    Nothing usable is stored: the link carries this row's id and a random secret, signed with
    SECRET_KEY; the row keeps only a digest of the secret, of the code and of the browser it
    was opened in. A link is opened once (bound to that browser), then needs the code sent to
    the same address; three wrong codes end it. Turning the light door off (`revoked_at`)
    ends every link and light session of the young person at once; so does the end of the
    consent to messages, checked on every request."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    youth = models.ForeignKey(
        YouthClient,
        on_delete=models.CASCADE,
        related_name="light_links",
        verbose_name=_("young person"),
    )
    channel = models.CharField(_("sent by"), max_length=5, choices=Channel.choices)
    # The e-mail address or phone number (E.164) it was sent to: the code goes there too, and
    # the link ends if the record's address changes.
    # Emptied once the link can no longer be used (cases.services.light_links_forget).
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    # The worker who sent it; empty when the young person asked for a new link themselves.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    browser_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(_("code entered at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("turned off at"), null=True, blank=True)

    objects = OwnLightLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("light door link")
        verbose_name_plural = _("light door links")
        indexes = [models.Index(fields=["youth", "created_at"])]

    def __str__(self) -> str:
        return f"{self.youth_id} {self.created_at:%Y-%m-%d %H:%M} {self.channel}"

    @property
    def is_locked(self) -> bool:
        from .light import MAX_WRONG_CODES

        return self.wrong_codes >= MAX_WRONG_CODES

    def access_ended(self) -> bool:
        """The light door is closed for this link now: turned off by the worker, no valid
        consent covers messages to the young person, the record closed, or the address it was
        sent to is no longer on the record. Checked on every request of a light session."""
        youth = self.youth
        return (
            self.revoked_at is not None
            or youth.status != YouthClient.Status.ACTIVE
            or youth.light_address(self.channel) != self.address
            or not Consent.objects.covering(Scope.REMINDERS).filter(youth=youth.pk).exists()
        )
