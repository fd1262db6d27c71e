import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .formats import DATE_INPUT_FORMATS, TIME_INPUT_FORMATS
from .models import (
    County,
    KelaAbsence,
    KelaContactProfile,
    Language,
    LocalizedName,
    Organisation,
    User,
    active_language,
)
from .sms import PHONE_INVALID, phone_normalize


class DateInput(forms.TextInput):
    """A date typed as 22.11.2026 whatever the browser's locale (issue 19).

    Not `<input type=date>`: its format follows the browser (12/03/2026 in an English one) and
    cannot be set by the page. No calendar pop-up either: a typed date with a visible example
    works the same with the keyboard, a screen reader and speech input (GOV.UK's date pattern);
    a pop-up would be a dialog of its own (focus, grid navigation, announcements in three
    languages) for a saving of a few keystrokes. The weekday and holiday of a meeting's date are
    shown after saving, as before."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value.day}.{value.month}.{value.year}"
        return super().format_value(value)


class TimeInput(forms.TextInput):
    """A time typed as 14:00 (24 h) whatever the browser's locale (issue 19)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.time):
            return f"{value:%H:%M}"
        return super().format_value(value)


class _FormatHint:
    """Show the format as an example beside the field, also when a form sets help text of its
    own afterwards (`field.help_text = ...`): the example is kept first."""

    hint: Promise

    @property
    def help_text(self):
        own = getattr(self, "_own_help_text", "")
        return format_lazy("{} – {}", self.hint, own) if own else self.hint

    @help_text.setter
    def help_text(self, value):
        self._own_help_text = value


class DateField(_FormatHint, forms.DateField):
    """The date field of every professional form: 22.11.2026, 1.12.26 or 2026-11-22."""

    widget = DateInput
    input_formats = DATE_INPUT_FORMATS
    hint = _("e.g. 22.11.2026")
    default_error_messages = {
        "invalid": _("Enter the date as day.month.year, for example 22.11.2026."),
    }


class TimeField(_FormatHint, forms.TimeField):
    """The time field of every professional form: 14:00, 9.00 or 9 (24-hour clock)."""

    widget = TimeInput
    input_formats = TIME_INPUT_FORMATS
    hint = _("e.g. 14:00")
    default_error_messages = {
        "invalid": _("Enter the time as hours:minutes on the 24-hour clock, for example 14:00."),
    }


class PhoneNumberField(forms.CharField):
    """A phone number for text messages: Finnish (040 123 4567) or international (+46 70…),
    stored in E.164 (+358401234567) as the SMS gateway takes it (kelayhteistyo.sms)."""

    default_error_messages = {"invalid": PHONE_INVALID}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("inputmode", "tel")

    def to_python(self, value):
        value = super().to_python(value)
        return phone_normalize(value) if value not in self.empty_values else value


class NamesInUserLanguageMixin:
    """Lists of counties and languages in alphabetical order of the user's language.

    Form fields are built once, at import; the order has to be set per request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = active_language()
        order = F(f"name_{lang}")
        if connection.vendor == "postgresql":  # ICU: ä and ö after z in Finnish, å ä ö in
            order = Collate(order, f"{lang}-x-icu")  # Swedish, Sámi among the S in English
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and issubclass(queryset.model, LocalizedName):
                field.queryset = queryset.order_by(order)


class DirectorySearchForm(NamesInUserLanguageMixin, forms.Form):
    """Filters for the Kela contact directory (a GET form, also part of the booking form)."""

    county = forms.ModelChoiceField(
        label=_("Area served"),
        queryset=County.objects.all(),
        required=False,
        empty_label=_("All areas"),
    )
    language = forms.ModelChoiceField(
        label=_("Language"),
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("All languages"),
    )


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class KelaProfileForm(NamesInUserLanguageMixin, forms.ModelForm):
    """A Kela contact's directory entry: by themselves (with "about me"), or by a coordinator
    (`about=False`: the words are the contact's own)."""

    class Meta:
        model = KelaContactProfile
        fields = [
            "title",
            "areas",
            "languages",
            "offers_face_to_face",
            "offers_video",
            "offers_phone",
            "about",
        ]
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "about": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, about: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not about:
            del self.fields["about"]


class KelaAbsenceForm(forms.ModelForm):
    """An absence from–to with a substitute (the checks are KelaAbsence.clean)."""

    class Meta:
        model = KelaAbsence
        fields = ["starts_on", "ends_on", "substitute"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, profile: KelaContactProfile, **kwargs):
        kwargs.setdefault("instance", KelaAbsence(profile=profile))
        super().__init__(*args, **kwargs)
        substitute = self.fields["substitute"]
        substitute.queryset = (
            User.objects.filter(kela_profile__in=KelaContactProfile.objects.active())
            .exclude(pk=profile.user_id)
            .order_by("last_name", "first_name")
        )
        substitute.empty_label = _("No substitute")


class KelaContactAddForm(forms.ModelForm):
    """A coordinator adds a Kela contact person: the person; the entry is KelaProfileForm."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "preferred_language", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        organisation.queryset = Organisation.objects.filter(kind=Organisation.Kind.KELA)
        organisation.required = True
        organisation.empty_label = None

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Someone already uses this e-mail address."))
        return email
