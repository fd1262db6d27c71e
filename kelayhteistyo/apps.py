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
        from django.contrib.auth.signals import user_logged_in

        from . import account, reference

        post_migrate.connect(reference.load, sender=self)
        _make_queue_folders()
        user_logged_in.connect(account.start_session_clock)


def _make_queue_folders() -> None:
    """The quick start's broker is a folder (kombu's filesystem transport); made when the app
    starts, not when the settings are read."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_out", "data_folder_processed", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
