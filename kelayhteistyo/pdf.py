"""HTML to PDF with WeasyPrint, in one place for every document of the app.

- Only the project's own static files can be fetched (`static:///css/print.css`): text typed by
  users can never make the renderer read a local file or a remote address.
- Fonts: Debian's fonts-dejavu (Latin, Cyrillic, Arabic script) and fonts-sil-abyssinica
  (Ethiopic: Tigrinya, Amharic), installed by .ci/run and the Dockerfile.
- A time limit: rendering runs in a worker thread and the request stops waiting after
  PDF_TIMEOUT seconds with RenderTimeout, which views turn into a clear message.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher

STATIC_PREFIX = "static:///"
_renderers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pdf")


class ForbiddenResource(ValueError):
    pass


class RenderTimeout(Exception):
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


def _fetcher():
    return StaticOnlyFetcher(allowed_protocols={"file"})


def render_pdf(template: str, context: dict, *, pdf_variant=None, attachments=()) -> bytes:
    """Render `template` to PDF (in the active language), waiting at most PDF_TIMEOUT seconds."""
    html = render_to_string(template, context)
    language = translation.get_language()

    def write():
        with translation.override(language):
            files = [
                Attachment(
                    string=content,
                    name=name,
                    description=description,
                    relationship="Data",
                    url_fetcher=_fetcher(),
                )
                for name, content, description in attachments
            ]
            document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetcher())
            return document.write_pdf(pdf_variant=pdf_variant, attachments=files)

    future = _renderers.submit(write)
    try:
        return future.result(timeout=settings.PDF_TIMEOUT)
    except FutureTimeout as exc:
        raise RenderTimeout from exc
