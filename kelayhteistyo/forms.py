from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

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


class DateInput(forms.DateInput):
    """A native date picker; browsers send and expect ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


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
