from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

from .models import County, Language, LocalizedName, active_language


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
