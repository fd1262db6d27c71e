from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The top layer: pages that read across the apps (home pages, the coordinator dashboard,
    feedback results, the subject-access export) and the demo data. Only this app may import
    every other one."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "overview"
    verbose_name = _("Overview")
