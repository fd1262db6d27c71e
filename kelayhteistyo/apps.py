from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KelayhteistyoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kelayhteistyo"
    verbose_name = _("People and organisations")

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in

        from . import account, reference
        from .models import KelaAbsence, KelaContactProfile, User

        post_migrate.connect(reference.load, sender=self)
        _make_queue_folders()
        user_logged_in.connect(account.start_session_clock)
        # Change history of what gives a user access, and nothing else (no password hash, no
        # login times): who made whom an admin, moved them to another organisation, or let
        # them in again.
        auditlog.register(
            User,
            include_fields=["role", "organisation", "is_superuser", "is_staff", "is_active"],
        )
        # Who took a Kela contact out of the directory, and who named whom as substitute.
        auditlog.register(KelaContactProfile, include_fields=["active"])
        auditlog.register(KelaAbsence)


def _make_queue_folders() -> None:
    """The quick start's broker is a folder (kombu's filesystem transport); made when the app
    starts, not when the settings are read."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_out", "data_folder_processed", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
