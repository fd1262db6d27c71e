"""A figure: a table with a title and how it is counted, drawn as a chart and downloaded as CSV."""

import csv

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class Figure:
    """A table with a title and how it is counted; `chart` draws it too, from the first
    `series` columns after the label (all of them by default)."""

    def __init__(self, key, title, how, columns, rows, chart=False, series=None, across=False):
        self.key, self.title, self.how, self.columns, self.rows = key, title, how, columns, rows
        self.chart = self.chart_data(series or len(columns) - 1, across) if chart else None
        # Rows, but every number of the chart withheld ("< 5"): the page says why, not a blank.
        self.too_few_to_draw = bool(
            self.chart
            and rows
            and all(value is None for series in self.chart["datasets"] for value in series["data"])
        )

    def chart_data(self, series: int, across: bool = False) -> dict:
        """A stacked bar chart of the table: one bar per row, one series per column.
        Suppressed cells ("< 5") are left out of the chart; the table beside it says why."""
        return {
            "across": across,  # bars across the page: for long labels such as questions
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": str(column),
                    "data": [row[i] if isinstance(row[i], int) else None for row in self.rows],
                }
                for i, column in enumerate(self.columns[1 : series + 1], start=1)
            ],
        }


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def filters_invalid(form) -> bool:
    return form.is_bound and not form.is_valid()


def filter_query(request, form) -> str:
    """The filters for the page's links (the CSVs): only valid ones, so that a CSV holds the
    figures shown on the page."""
    return "" if filters_invalid(form) else request.GET.urlencode()


def figure_csv(all_figures, key, form, period):
    """One figure as CSV. With filters that are not valid the download is refused: a file
    does not show the message next to the field, and unfiltered numbers would pass for
    filtered ones."""
    if filters_invalid(form):
        return HttpResponseBadRequest(
            _("The filters are not valid. Correct them on the page and download again."),
            content_type="text/plain; charset=utf-8",
        )
    figure = next((f for f in all_figures if f.key == key), None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    if figure is None:
        response.status_code = 404
        return response
    # The period in the file name: a downloaded file says what it covers.
    name = f"yhteistyo-{figure.key}-{period['start']:%Y%m%d}-{period['end']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # For the spreadsheet a coordinator opens it in: Excel in Finnish and Swedish separates
    # columns with a semicolon (the comma is the decimal sign: "3,5"), and reads UTF-8 (ä, ö, å)
    # only after a byte order mark.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_cell(c) for c in figure.columns])
    for row in figure.rows:
        writer.writerow([_cell(c) for c in row])
    return response
