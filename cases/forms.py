import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu

from kelayhteistyo.forms import DateField, NamesInUserLanguageMixin, PhoneNumberField
from kelayhteistyo.models import County, User
from kelayhteistyo.sms import phone_normalize

from .models import (
    AFTERCARE_END_AGE,
    AFTERCARE_MIN_AGE,
    Consent,
    CooperationRequest,
    SpecialServiceReferral,
    YouthClient,
    age_on,
)


class YouthForm(NamesInUserLanguageMixin, forms.ModelForm):
    confirm_warning = forms.BooleanField(
        label=_("I have checked the age and the aftercare end date, and want to save anyway"),
        required=False,
    )
    clear_identity_code = forms.BooleanField(
        label=_("Remove the stored identity code"), required=False
    )

    class Meta:
        model = YouthClient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "identity_code",
            "client_group",
            "language",
            "needs_interpreter",
            "email",
            "phone",
            "responsible_worker",
            "aftercare_ends_on",
            "status",
        ]
        field_classes = {
            "date_of_birth": DateField,
            "aftercare_ends_on": DateField,
            "phone": PhoneNumberField,
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["aftercare_ends_on"].required = False
        self.fields["responsible_worker"].queryset = User.objects.filter(
            organisation_id=user.organisation_id,
            role=User.Role.AFTERCARE_WORKER,
            is_active=True,
        )
        self.fields["responsible_worker"].initial = user.pk
        code = self.fields["identity_code"]
        code.widget.attrs["autocomplete"] = "off"
        # Room for spaces around a pasted code: the browser cuts input at maxlength, and a cut
        # code would only be refused (the stripped code is checked against 11 characters).
        code.widget.attrs["maxlength"] = "20"
        if self.instance.identity_code:
            # The stored code is never sent back to the browser, not even in a form.
            self.initial["identity_code"] = ""
            code.help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.masked_identity_code
            }
        else:
            del self.fields["clear_identity_code"]
        if self.instance._state.adding:
            del self.fields["status"]
        else:
            # A new responsible worker is a hand-over, with its own page (meetings move too).
            del self.fields["responsible_worker"]

    def clean_identity_code(self):
        value = self.cleaned_data["identity_code"].strip().upper()
        if not value:
            return self.instance.identity_code
        try:
            return hetu.validate(value, allow_temporary=True)
        except StdnumError:
            raise forms.ValidationError(
                _("This is not a valid personal identity code. Check the digits and the mark.")
            ) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_identity_code"):
            cleaned["identity_code"] = ""
        born = cleaned.get("date_of_birth")
        code = cleaned.get("identity_code")
        changed = "identity_code" in self.changed_data
        if born and code and changed and hetu.compact(code)[:6] != born.strftime("%d%m%y"):
            self.add_error(
                "identity_code", _("The identity code does not match the date of birth.")
            )
        if born:
            self._check_age(born, cleaned.get("aftercare_ends_on"))
        if self.warnings and not cleaned.get("confirm_warning"):
            self.add_error("confirm_warning", _("Check the warning above and confirm it."))
        return cleaned

    def _check_age(self, born, ends_on):
        today = timezone.localdate()
        if born > today:
            self.add_error("date_of_birth", _("The date of birth is in the future."))
            return
        age = age_on(born, today)
        if age < AFTERCARE_MIN_AGE or age >= AFTERCARE_END_AGE:
            self.warnings.append(
                _(
                    "The young person is %(age)s years old. Joint meetings are for young "
                    "people aged 16–24; aftercare ends at 25."
                )
                % {"age": age}
            )
        if ends_on and ends_on < today:
            self.warnings.append(_("The aftercare end date has already passed."))

    def save(self, commit=True):
        if self.cleaned_data.get("clear_identity_code"):
            self.instance.identity_code = ""
        return super().save(commit=commit)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = [*Consent.SCOPES, "how_given", "given_at", "valid_until"]
        widgets = {"how_given": forms.RadioSelect}
        field_classes = {"valid_until": DateField}

    given_at = DateField(label=_("Given on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_at"].initial = timezone.localdate()
        # Consent is an active choice: nothing is ticked in advance.
        self.initial.update(dict.fromkeys(Consent.SCOPES, False))
        # A radio list needs no empty "-----" choice: nothing is chosen until the worker picks.
        self.fields["how_given"].choices = Consent.HowGiven.choices
        self.fields["valid_until"].help_text = _(
            "Leave empty if the consent is valid until withdrawn."
        )

    def clean_given_at(self):
        day = self.cleaned_data["given_at"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The consent cannot be given in the future."))
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(scope) for scope in Consent.SCOPES):
            raise forms.ValidationError(_("Choose at least one thing the young person agrees to."))
        if cleaned.get(Consent.Scope.NETWORK_PLAN) and not cleaned.get(Consent.Scope.NETWORK):
            self.add_error(
                Consent.Scope.NETWORK_PLAN,
                _("The plan is sent to the network members only with the messages to them."),
            )
        valid_until, given_at = cleaned.get("valid_until"), cleaned.get("given_at")
        if valid_until and given_at and valid_until < timezone.localdate(given_at):
            self.add_error("valid_until", _("The end of validity cannot be before the consent."))
        if valid_until and valid_until < timezone.localdate():
            self.add_error("valid_until", _("The end of validity has already passed."))
        return cleaned


class HandOverForm(forms.Form):
    """The new responsible worker: an active aftercare worker of the young person's own
    organisation (cases.services.handover_check says why another is refused)."""

    to_worker = forms.ModelChoiceField(
        label=_("New responsible worker"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the new responsible worker."),
            "invalid_choice": _(
                "Choose an active aftercare worker of your own organisation: a young person "
                "cannot be handed over to a worker of another organisation."
            ),
        },
    )

    def __init__(self, *args, youth: YouthClient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].queryset = (
            User.objects.filter(
                organisation_id=youth.organisation_id,
                role=User.Role.AFTERCARE_WORKER,
                is_active=True,
            )
            .exclude(pk=youth.responsible_worker_id)
            .order_by("last_name", "first_name")
        )


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        help_text=_("For example how the young person told about the withdrawal."),
    )


class UnitSearchForm(NamesInUserLanguageMixin, forms.Form):
    """The directory of aftercare units, by wellbeing services county (a GET form)."""

    county = forms.ModelChoiceField(
        label=_("Wellbeing services county"),
        queryset=County.objects.all(),
        required=False,
        empty_label=_("All counties"),
    )


class CooperationRequestForm(forms.ModelForm):
    """What a Kela contact sends to an aftercare unit: no more than the unit needs."""

    confirm_warning = forms.BooleanField(
        label=_("I have checked the date of birth and want to send anyway"), required=False
    )

    class Meta:
        model = CooperationRequest
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "noticed",
            "asked",
            "contact_agreed",
        ]
        field_classes = {"date_of_birth": DateField}
        widgets = {
            "noticed": forms.Textarea(attrs={"rows": 3}),
            "asked": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        for name in self.Meta.fields:  # blank in the model only so that they can be erased
            self.fields[name].required = True

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."))
        return born

    def clean(self):
        cleaned = super().clean()
        born = cleaned.get("date_of_birth")
        if born:
            age = age_on(born, timezone.localdate())
            if age < AFTERCARE_MIN_AGE or age >= AFTERCARE_END_AGE:
                self.warnings.append(
                    _(
                        "The young person is %(age)s years old. Aftercare is for young people "
                        "aged 16–24."
                    )
                    % {"age": age}
                )
        if self.warnings and not cleaned.get("confirm_warning"):
            self.add_error("confirm_warning", _("Check the warning above and confirm it."))
        return cleaned


class CooperationDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kela sees this, e.g. “The young person is not our client”."),
        error_messages={"required": _("Tell Kela why the request is declined.")},
    )


class CooperationLinkForm(forms.Form):
    youth = forms.ModelChoiceField(
        label=_("Young person"),
        queryset=YouthClient.objects.none(),
        error_messages={"required": _("Choose the young person.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["youth"].queryset = YouthClient.objects.visible_to(user)


def _kela_contacts():
    return User.objects.filter(
        role=User.Role.KELA_CONTACT, is_active=True, kela_profile__active=True
    ).order_by("last_name", "first_name")


class SpecialReferralForm(forms.ModelForm):
    """The worker asks Kela to assess the need for the special service."""

    class Meta:
        model = SpecialServiceReferral
        fields = ["reason", "tried", "youth_view", "named_contact"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "tried": forms.Textarea(attrs={"rows": 3}),
            "youth_view": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_contact"].queryset = _kela_contacts()
        self.fields["named_contact"].empty_label = _("Any Kela contact person of the county")


class SpecialAssessmentForm(forms.Form):
    """Kela's assessment: what it needs depends on the outcome."""

    outcome = forms.ChoiceField(
        label=_("Assessment"),
        choices=SpecialServiceReferral.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome of the assessment.")},
    )
    outcome_reason = forms.CharField(
        label=_("Reason, or the service advised"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the young person is not taken into the special service."),
    )
    special_contact = forms.ModelChoiceField(
        label=_("Special-service contact person"),
        queryset=User.objects.none(),
        required=False,
    )
    goals = forms.CharField(
        label=_("Goals"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    pace = forms.CharField(
        label=_("Pace"),
        max_length=200,
        required=False,
        help_text=_("E.g. “a meeting every two weeks”."),
    )
    planned_end = DateField(label=_("Planned end"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["special_contact"].queryset = _kela_contacts()

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        needed = _("Needed when the young person is taken into the special service.")
        if outcome == SpecialServiceReferral.Outcome.ACCEPTED:
            for name in ("special_contact", "goals", "planned_end"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, needed)
            end = cleaned.get("planned_end")
            if end and end < timezone.localdate():
                self.add_error("planned_end", _("The planned end has already passed."))
        elif outcome and not cleaned.get("outcome_reason", "").strip():
            self.add_error(
                "outcome_reason", _("Give the reason, or the service advised, for the worker.")
            )
        return cleaned


class SpecialEndForm(forms.Form):
    handover = forms.CharField(
        label=_("Hand-over to a suitable service"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the young person continues, e.g. “TE services, a named adviser”."),
        error_messages={"required": _("Say where the young person continues.")},
    )


# The light door's forms speak to the young person: each message is a youth text (Django's own
# "This field is required." has no Somali or Tigrinya), listed by light_youth_texts.
CODE_MISSING = _("Write the code you got.")
CODE_FORMAT = _("The code has 6 digits.")
ADDRESS_MISSING = _("Write your e-mail address or phone number.")
ADDRESS_INVALID = _("Enter an e-mail address or a phone number.")


class LightCodeForm(forms.Form):
    """The one-time code of the light door (issue 19)."""

    code = forms.CharField(
        label=_("Code (6 digits)"),
        max_length=12,
        error_messages={"required": CODE_MISSING, "max_length": CODE_FORMAT},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        """Spaces left out; Arabic-Indic digits (an Arabic or Dari keyboard: ١٢٣, ۱۲۳) read as
        0–9."""
        code = "".join(
            str(unicodedata.decimal(c)) if c.isdecimal() else c
            for c in "".join(self.cleaned_data["code"].split())
        )
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(CODE_FORMAT, code="format")
        return code


class LightNewLinkForm(forms.Form):
    """ "Send me a new link": the young person's e-mail address or phone number (issue 19)."""

    address = forms.CharField(
        label=_("Your e-mail address or phone number"),
        max_length=254,
        help_text=_("The one your aftercare worker has, e.g. 040 123 4567."),
        error_messages={"required": ADDRESS_MISSING, "max_length": ADDRESS_INVALID},
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_address(self):
        """("email", address) or ("sms", the number in E.164)."""
        value = self.cleaned_data["address"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(ADDRESS_INVALID, code="invalid") from None
            return ("email", value.lower())
        try:
            return ("sms", phone_normalize(value))
        except ValidationError:
            raise ValidationError(ADDRESS_INVALID, code="invalid") from None


def light_youth_texts() -> list:
    """The texts of the light door's forms: youth texts (kelayhteistyo/youth.py)."""
    texts = [CODE_MISSING, CODE_FORMAT, ADDRESS_MISSING, ADDRESS_INVALID]
    for form in (LightCodeForm, LightNewLinkForm):
        for field in form.base_fields.values():
            texts += [text for text in (field.label, field.help_text) if text]
    return texts
