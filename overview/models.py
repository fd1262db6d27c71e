from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The numbers of the dashboard's default view (the last 12 months of a coordinator's
    scope), computed ahead by the beat task so that the page opens at once at national scale.
    Aggregates only, as on the page: no personal data. One row per scope, overwritten."""

    scope = models.CharField(
        _("scope"), max_length=20, unique=True, help_text=_("A county's code; empty: the country.")
    )
    day = models.DateField(_("day the figures are for"))
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self) -> str:
        return f"{self.scope or '–'} {self.computed_at:%Y-%m-%d %H:%M}"
