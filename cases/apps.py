from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Young people and consent")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Consent, YouthClient

        # Change history; the identity code never enters it (kelayhteistyo/audit.py).
        auditlog.register(
            YouthClient,
            mask_fields=["identity_code"],
            mask_callable="kelayhteistyo.audit.mask_fully",
        )
        auditlog.register(Consent)
