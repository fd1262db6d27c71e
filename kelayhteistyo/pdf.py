"""HTML to PDF with WeasyPrint. Only the project's own static files can be fetched: text typed by
users can never make the renderer read a local file or a remote address."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

STATIC_PREFIX = "static:///"


class ForbiddenResource(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """`static:///css/print.css` → the app's own file; anything else is refused."""

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise ForbiddenResource(f"not fetched: {url[:60]}")
        path = url.removeprefix(STATIC_PREFIX)
        try:
            found = ".." not in path.split("/") and finders.find(path)
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise ForbiddenResource(f"no such static file: {url[:60]}")
        return super().fetch(Path(found).resolve().as_uri(), headers)


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    fetcher = StaticOnlyFetcher(allowed_protocols={"file"})
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=fetcher).write_pdf()
