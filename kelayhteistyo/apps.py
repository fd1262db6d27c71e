from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KelayhteistyoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kelayhteistyo"
    verbose_name = _("People and organisations")

    def ready(self):
        from . import reference

        post_migrate.connect(reference.load, sender=self)
