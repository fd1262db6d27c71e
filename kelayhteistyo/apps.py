from django.apps import AppConfig
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
        user_logged_in.connect(account.start_session_clock)
