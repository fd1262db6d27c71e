"""What operators see of a running service (issue 21): one JSON object a line in the log, with
a request id, the user id, the view, the status and the duration of every request.

Never a path (survey links carry their token there), a query string, a name, an identity code,
a message typed by a user or an exception's message: a request's line is built from ids and
names of code only, and a record's exception is reduced to its type.
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

from django.utils.functional import empty

logger = logging.getLogger("kelayhteistyo.request")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# A request id set by our own proxy is kept (one id across the proxy's log and ours); anything
# else a client sends is replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
# The fields a record may add to its line; anything else attached to a record is left out.
FIELDS = ("request_id", "user_id", "view", "method", "status", "duration_ms")


class RequestLogMiddleware:
    """One line for every request: id, user id, view name, method, status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = request_id  # for Django's own records about it (RequestIdFilter)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            logger.info(
                "request",
                extra={
                    "user_id": _user_id(request),
                    "view": match.view_name if match is not None else "-",
                    "method": request.method
                    if request.method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
                    else "other",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            response["X-Request-ID"] = request_id
            return response
        finally:
            _request_id.reset(token)


def _user_id(request) -> int | None:
    """The user's id if the request already knew its user (never an extra query for it)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestIdFilter(logging.Filter):
    """Every record written while a request is answered carries its id; so do Django's records
    about the answer, written after the middleware returned (before RequestLogFilter on the
    handler: that one takes the request off the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message and the known fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__  # never the message or traceback
        return json.dumps(line, ensure_ascii=False)
