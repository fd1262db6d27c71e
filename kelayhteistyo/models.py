"""People and organisations: users with a role, organisations, counties, the Kela directory."""

import datetime
import os

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _


def choice_label(choices: type[models.Choices], value):
    """The label of a value of `choices`, or the value itself if it is not one. Django's own
    get_FOO_display hashes every translated choice on each call (≈0.1 ms): too slow for lists
    that show a status on each of 50 rows."""
    try:
        return choices(value).label
    except ValueError:
        return value


def active_language() -> str:
    """The active language as a two-letter code (fi, sv, en); Finnish outside a request."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]


class LocalizedName(models.Model):
    """A fixed reference row with its name in Finnish, Swedish and English."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["name_fi"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{active_language()}", None) or self.name_fi


class County(LocalizedName):
    """One of the 21 wellbeing services counties, or the City of Helsinki (a fixed list)."""

    class Meta(LocalizedName.Meta):
        verbose_name = _("wellbeing services county")
        verbose_name_plural = _("wellbeing services counties")


class Language(LocalizedName):
    """A language a young person speaks or a Kela contact serves in (ISO 639 code)."""

    class Meta(LocalizedName.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        AFTERCARE = "aftercare", _("Aftercare unit of a wellbeing services county")
        KELA = "kela", _("Kela")
        PARTNER = "partner", _("Other partner (e.g. immigrant services)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    county = models.ForeignKey(
        County,
        verbose_name=_("wellbeing services county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for a national organisation."),
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email):
        # People type their address with capitals now and then; addresses are stored lowercase.
        return self.get(email__iexact=email)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", User.Role.ADMIN)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def kela_contacts(self, county=None, language=None):
        """The directory of named Kela contacts, by area served and language spoken, each with
        their absences that are not over (`kela_profile.open_absences`)."""
        profiles = KelaContactProfile.objects.search(county=county, language=language)
        return (
            self.filter(kela_profile__in=profiles)
            .prefetch_related(
                "kela_profile__areas",
                "kela_profile__languages",
                Prefetch(
                    "kela_profile__absences",
                    queryset=KelaAbsence.objects.not_over().select_related("substitute"),
                    to_attr="open_absences",
                ),
            )
            .select_related("organisation", "kela_profile")
            .order_by("last_name", "first_name")
        )


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address; the role decides what they may see."""

    class Role(models.TextChoices):
        AFTERCARE_WORKER = "aftercare_worker", _("Aftercare worker")
        KELA_CONTACT = "kela_contact", _("Kela contact person")
        COORDINATOR = "coordinator", _("Coordinator")
        ADMIN = "admin", _("Administrator")

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    muted_reminders = models.JSONField(_("reminders turned off"), default=list, blank=True)
    email_problem = models.CharField(
        _("problem with the e-mail address"),
        max_length=300,
        blank=True,
        help_text=_(
            "Set when e-mail to this address was refused; cleared when the address changes."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
        default="fi",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Everyone but an administrator belongs to an organisation: access follows it.
            models.CheckConstraint(
                condition=Q(role="admin") | Q(organisation__isnull=False),
                name="user_has_organisation_unless_admin",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_aftercare_worker(self) -> bool:
        return self.role == self.Role.AFTERCARE_WORKER

    @property
    def is_kela_contact(self) -> bool:
        return self.role == self.Role.KELA_CONTACT

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def requires_second_factor(self) -> bool:
        """Coordinators see the whole practice and admins everything: both need a second
        factor. Everyone else may set one up."""
        return self.role in (self.Role.COORDINATOR, self.Role.ADMIN) or self.is_superuser


class KelaContactQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, user__is_active=True)

    def search(self, *, county=None, language=None):
        qs = self.active().select_related("user", "user__organisation")
        if county:
            qs = qs.filter(areas=county)
        if language:
            qs = qs.filter(languages=language)
        return qs.distinct().order_by("user__last_name", "user__first_name")


class KelaContactProfile(models.Model):
    """An entry of the directory of named Kela contact persons that workers pick from."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="kela_profile", verbose_name=_("user")
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    areas = models.ManyToManyField(County, verbose_name=_("areas served"), blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages spoken"), blank=True)
    offers_face_to_face = models.BooleanField(_("meets face to face"), default=True)
    offers_video = models.BooleanField(_("meets by video"), default=True)
    offers_phone = models.BooleanField(_("meets by phone"), default=True)
    active = models.BooleanField(_("active"), default=True)
    about = models.TextField(
        _("about me"),
        max_length=500,
        blank=True,
        help_text=_("A few words for aftercare workers, e.g. what you can help with. No photo."),
    )

    objects = KelaContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kela contact person")
        verbose_name_plural = _("Kela contact directory")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def next_absence(self) -> "KelaAbsence | None":
        """The current or next absence, from the directory's prefetch (`open_absences`)."""
        absences = getattr(self, "open_absences", None)
        if absences is None:
            absences = list(self.absences.not_over().select_related("substitute"))
        return absences[0] if absences else None

    def absence_on(self, *days: datetime.date) -> "KelaAbsence | None":
        """The absence that covers any of `days`, or None."""
        covering = Q()
        for day in days:
            covering |= Q(starts_on__lte=day, ends_on__gte=day)
        return self.absences.filter(covering).select_related("substitute").first()


class KelaAbsenceQuerySet(models.QuerySet):
    def not_over(self, today: datetime.date | None = None):
        return self.filter(ends_on__gte=today or timezone.localdate()).order_by("starts_on")


class KelaAbsence(models.Model):
    """A Kela contact is away from–to (both days included); new invitations go to the
    substitute meanwhile (meetings.services.meeting_invite), and pending ones are passed on to
    them when the absence is recorded (meetings.services.kela_absence_record)."""

    profile = models.ForeignKey(
        KelaContactProfile, on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField(_("away from"))
    ends_on = models.DateField(_("away until"))
    substitute = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
        verbose_name=_("substitute"),
        help_text=_(
            "Another Kela contact person who gets your invitations while you are away. "
            "Without one, workers are warned that you are away."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = KelaAbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="kela_absence_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    @property
    def period(self) -> str:
        return f"{date_format(self.starts_on, 'SHORT_DATE_FORMAT')}–" + date_format(
            self.ends_on, "SHORT_DATE_FORMAT"
        )

    def summary(self) -> str:
        """What workers are told: "away 1.12.2026–12.12.2026, substitute Anna Virta"."""
        if self.substitute is None:
            return gettext("away %(period)s, no substitute") % {"period": self.period}
        return gettext("away %(period)s, substitute %(name)s") % {
            "period": self.period,
            "name": self.substitute.get_full_name(),
        }

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The absence cannot end before it starts.")
        if self.ends_on and self.ends_on < timezone.localdate():
            errors["ends_on"] = _("The absence is already over.")
        if self.substitute_id is not None:
            if self.substitute_id == self.profile.user_id:
                errors["substitute"] = _("Choose another Kela contact person as your substitute.")
            elif not KelaContactProfile.objects.active().filter(user=self.substitute_id).exists():
                errors["substitute"] = _("The substitute must be an active Kela contact person.")
        if not errors and self.starts_on and self.ends_on:
            overlapping = self.profile.absences.filter(
                starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                errors["starts_on"] = _("You already have an absence on these days.")
        if errors:
            raise ValidationError(errors)


class AccessLog(models.Model):
    """One access to a young person's data: who, whose, what, when and on what basis.

    Rows are only ever added (see services.access_log_write); the admin shows them read-only.
    """

    class Action(models.TextChoices):
        READ = "read", _("Read")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DISCLOSE = "disclose", _("Disclosed to Kela")
        EXPORT = "export", _("Exported")
        DENIED = "denied", _("Access refused")

    class Basis(models.TextChoices):
        OWN_CLIENT = "own_client", _("Client of own organisation")
        CONSENT = "consent", _("Invited to a joint meeting, with consent")
        COORDINATOR = "coordinator", _("Coordinator, aggregate figures only")
        # An outside owner of an action item (no account) used the signed link sent to them.
        SIGNED_LINK = "signed_link", _("Own action item, by a signed link")
        # The young person on their own page, after strong identification (issue 19).
        OWN_DATA = "own_data", _("Own data")
        REQUEST = "request", _("Cooperation request from Kela, contact agreed by the young person")
        NONE = "none", _("No basis")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Empty for someone without an account: an outside owner by a signed link (`actor` names
    # them then), or the young person themselves on their own page (basis OWN_DATA).
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("who")
    )
    actor = models.CharField(
        _("who, without an account"), max_length=200, blank=True, db_default=""
    )
    role = models.CharField(_("role"), max_length=20, choices=User.Role.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    youth = models.ForeignKey(
        "cases.YouthClient",
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("whose data"),
        # The index on (youth, at) serves every lookup by young person: a second index on the
        # young person alone cost every page's log insert a random page write a row.
        db_index=False,
        # Empty only for a cooperation request from Kela about a young person who has no
        # record yet: the row names the request (object_type, object_id), and the young
        # person's report finds it once the request is linked (YouthClient.access_log_entries).
        null=True,
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=64)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["youth", "at"])]
        constraints = [
            models.CheckConstraint(
                # A user; someone without an account, named; or the young person themselves.
                condition=Q(user__isnull=False) | ~Q(actor="") | Q(basis="own_data"),
                name="access_log_names_who",
            )
        ]

    def __str__(self) -> str:
        who = self.user if self.user_id else (self.actor or "own")
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type}"


class Heartbeat(models.Model):
    """When a periodic job last succeeded (the reminder sweep); `/health/` reads it. An
    operator's record: no personal data, not shown in the app."""

    NOTIFICATION_SWEEP = "notification_sweep"

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": timezone.now()})


class OrganisationIdentityProvider(models.Model):
    """An organisation's own login service (OpenID Connect): its users log in there instead of
    (or beside) a password of this service (kelayhteistyo/oidc.py). A person is matched by
    e-mail address to an existing active user of this organisation; nobody is ever created or
    given a role by logging in."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name=_("organisation"),
    )
    enabled = models.BooleanField(_("in use"), default=True)
    issuer = models.URLField(
        _("issuer"),
        max_length=300,
        help_text=_(
            "The issuer URL of the login service, exactly as in its ID tokens, e.g. "
            "https://login.microsoftonline.com/<tenant>/v2.0. Its addresses are read from "
            "<issuer>/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret = models.CharField(
        _("client secret"),
        max_length=500,
        blank=True,
        help_text=_("Leave empty if the secret is in an environment variable (below)."),
    )
    client_secret_env = models.CharField(
        _("environment variable of the client secret"),
        max_length=100,
        blank=True,
        help_text=_("The name of the environment variable that holds the secret, if any."),
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    email_claim = models.CharField(
        _("e-mail claim"),
        max_length=50,
        default="email",
        help_text=_("The claim that holds the work e-mail address (e.g. email, upn)."),
    )
    mfa_satisfies_second_factor = models.BooleanField(
        _("the login service's multi-factor authentication counts as the second factor"),
        default=False,
        help_text=_(
            "If on, a login that the service says used multi-factor authentication (below) "
            "needs no code of this service. Otherwise users who must use two-factor "
            "authentication still give a code after logging in."
        ),
    )
    mfa_amr_values = models.CharField(
        _("amr values that mean multi-factor authentication"),
        max_length=200,
        default="mfa otp",
        blank=True,
        help_text=_("Separated by spaces; any of them in the ID token's amr claim is enough."),
    )
    mfa_acr_values = models.CharField(
        _("acr values that mean multi-factor authentication"),
        max_length=300,
        blank=True,
        help_text=_("Separated by spaces; the ID token's acr claim equal to one is enough."),
    )
    allow_local_passwords = models.BooleanField(
        _("passwords of this service still allowed"),
        default=True,
        help_text=_(
            "Turn off once the login service works: the organisation's users can then log in "
            "only through it."
        ),
    )

    class Meta:
        verbose_name = _("identity provider of an organisation")
        verbose_name_plural = _("identity providers of organisations")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.issuer}"

    def clean(self):
        super().clean()
        if self.issuer:
            self.issuer = self.issuer.strip()
        if "openid" not in self.scopes.split():
            raise ValidationError({"scopes": _("The scopes must include openid.")})

    def secret(self) -> str:
        """The client secret: the environment variable named, else the one stored here."""
        if self.client_secret_env:
            return os.environ.get(self.client_secret_env, "")
        return self.client_secret

    def mfa_claimed(self, claims: dict) -> bool:
        """Whether the verified ID token's claims say the login used more than one factor,
        as this provider is configured to express it."""
        amr = claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        if set(amr) & set(self.mfa_amr_values.split()):
            return True
        acr = claims.get("acr")
        return bool(acr) and acr in self.mfa_acr_values.split()
