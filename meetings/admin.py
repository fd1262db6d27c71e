"""Joint meetings are handled in the app, where every access is logged; the admin shows only
the notification rows (failed messages, by status)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kelayhteistyo.admin import UserAdmin as BaseUserAdmin
from kelayhteistyo.admin import UserEditForm
from kelayhteistyo.models import User

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed messages are visible here (filter by status); rows are not edited by hand."""

    list_display = [
        "kind",
        "recipient",
        "recipient_email",
        "status",
        "due_at",
        "sent_at",
        "attempts",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "recipient_email"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Deactivating an aftercare worker (the admin's "active" box) hands their young people and
# open meetings over first (services.worker_deactivate): the users' admin lives in the bottom
# layer, which knows nothing of young people, so it is extended here.
class WorkerDeactivateForm(UserEditForm):
    successor = forms.ModelChoiceField(
        label=_("Hand the young people and open meetings over to"),
        queryset=User.objects.filter(role=User.Role.AFTERCARE_WORKER, is_active=True),
        required=False,
        help_text=_(
            "Needed when an aftercare worker who has young people or open meetings is made "
            "inactive: an active aftercare worker of the same organisation."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        worker = self.instance
        deactivating = worker.pk and worker.is_aftercare_worker and not cleaned.get("is_active")
        if not deactivating or not User.objects.filter(pk=worker.pk, is_active=True).exists():
            return cleaned
        successor = cleaned.get("successor")
        if successor is None and services.worker_has_work(worker):
            self.add_error(
                "successor",
                _("This worker has young people or open meetings: choose who takes them over."),
            )
        elif successor is not None and successor.organisation_id != worker.organisation_id:
            self.add_error(
                "successor",
                _(
                    "Choose a worker of the same organisation: young people cannot be handed "
                    "over to another organisation."
                ),
            )
        elif successor is not None and successor.pk == worker.pk:
            self.add_error("successor", _("Choose another worker."))
        return cleaned


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = WorkerDeactivateForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_aftercare_worker:
            return fieldsets
        return [*fieldsets, (_("Deactivation"), {"fields": ["successor"]})]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        deactivating = (
            change
            and "is_active" in form.changed_data
            and not obj.is_active
            and obj.is_aftercare_worker
        )
        if deactivating:
            services.worker_deactivate(
                worker=obj, successor=form.cleaned_data.get("successor"), by=request.user
            )
        super().save_model(request, obj, form, change)
