from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import (
    AccessLog,
    County,
    KelaContactProfile,
    Language,
    Organisation,
    OrganisationIdentityProvider,
    User,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "county", "municipality"]
    list_filter = ["kind", "county"]
    search_fields = ["name", "municipality"]


_issuer = OrganisationIdentityProvider._meta.get_field("issuer")


class IdentityProviderForm(forms.ModelForm):
    issuer = forms.URLField(
        label=_issuer.verbose_name.capitalize(),
        help_text=_issuer.help_text,
        max_length=_issuer.max_length,
        assume_scheme="https",
    )

    class Meta:
        model = OrganisationIdentityProvider
        fields = [
            "organisation",
            "enabled",
            "issuer",
            "client_id",
            "client_secret",
            "client_secret_env",
            "scopes",
            "email_claim",
            "mfa_satisfies_second_factor",
            "mfa_amr_values",
            "mfa_acr_values",
            "allow_local_passwords",
        ]
        # The secret is never shown again; left empty on a change, the stored one is kept.
        widgets = {"client_secret": forms.PasswordInput(render_value=False)}

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and self.instance.pk:
            return self.instance.client_secret
        return secret


@admin.register(OrganisationIdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = [
        "organisation",
        "issuer",
        "enabled",
        "mfa_satisfies_second_factor",
        "allow_local_passwords",
    ]
    list_filter = ["enabled"]
    autocomplete_fields = ["organisation"]


@admin.register(County, Language)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_sv", "name_en"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]


class UserAddForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "organisation"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    def save_model(self, request, obj, form, change):
        if "email" in form.changed_data:
            obj.email_problem = ""  # a new address gets a new chance
        super().save_model(request, obj, form, change)

    add_form = UserAddForm
    form = UserEditForm
    ordering = ["last_name", "first_name"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "is_active",
        "email_problem",
    ]
    list_filter = ["role", "organisation", "is_active"]
    readonly_fields = ["email_problem"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "email_problem", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "phone", "preferred_language"]}),
        (
            _("Role"),
            {"fields": ["role", "organisation", "is_active", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "organisation",
                    "password1",
                    "password2",
                ]
            },
        ),
    ]


@admin.register(KelaContactProfile)
class KelaContactProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "active"]
    list_filter = ["active", "areas", "languages"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    filter_horizontal = ["areas", "languages"]
    autocomplete_fields = ["user"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and is never edited."""

    list_display = ["at", "user", "role", "organisation", "youth", "action", "object_type"]
    list_filter = ["action", "role"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
