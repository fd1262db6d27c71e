"""Joint meetings are handled in the app, where every access is logged; the admin shows only
the notification rows (failed messages, by status)."""

from django.contrib import admin

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
