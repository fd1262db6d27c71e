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


class Tally(models.Model):
    """One number of the dashboard for one cell of a month (of the meeting, in Finnish time) ×
    organisation × client group × modality, kept by `overview.rollups`. `key` names what is
    counted; `day` (a due or agreed date) and `number` (a day count, a review round) split it
    where a figure needs them: open items by due date tell "overdue" on any later day, and
    percentiles are exact from the summed day-count histogram. Aggregates only."""

    month = models.DateField()
    organisation = models.ForeignKey(
        "kelayhteistyo.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    client_group = models.CharField(max_length=20)
    modality = models.CharField(max_length=20)
    key = models.CharField(max_length=40)
    day = models.DateField(null=True)
    number = models.IntegerField(null=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["month", "key"],
                include=["organisation", "client_group", "modality", "day", "number", "n"],
                name="tally_month_cover",
            ),
            # One organisation's or county's rows (a filter of the dashboard): a range of
            # the index, not the whole country's rows of the period.
            models.Index(
                fields=["organisation", "month"],
                include=["key", "client_group", "modality", "day", "number", "n"],
                name="tally_org_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.key} {self.n}"


class YouthMonth(models.Model):
    """The distinct young people of a cell (month × organisation × client group × modality):
    a young person met in several cells is counted once over any choice of cells. `new`: the
    cell holds their first meeting ever (not cancelled)."""

    month = models.DateField()
    organisation = models.ForeignKey(
        "kelayhteistyo.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    client_group = models.CharField(max_length=20)
    modality = models.CharField(max_length=20)
    youth = models.ForeignKey("cases.YouthClient", on_delete=models.CASCADE, related_name="+")
    new = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["month"],
                include=["organisation", "client_group", "modality", "youth", "new"],
                name="youthmonth_month_cover",
            ),
            models.Index(fields=["youth"], name="youthmonth_youth"),
            models.Index(
                fields=["organisation", "month"],
                include=["client_group", "modality", "youth", "new"],
                name="youthmonth_org_cover",
            ),
            # The new young people of a period: a tenth of the rows.
            models.Index(
                fields=["month"],
                include=["organisation", "client_group", "modality", "youth"],
                condition=models.Q(new=True),
                name="youthmonth_new_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.youth_id}"


class RollupMark(models.Model):
    """When the rollups were last brought up to date (one row): the next refresh looks at
    what changed since then, with a margin."""

    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"
