from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KelayhteistyoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kelayhteistyo"
    verbose_name = _("People and organisations")
