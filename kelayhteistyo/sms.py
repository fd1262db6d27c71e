"""Text messages (issue 19), the way Django sends e-mail: a backend chosen by `SMS_BACKEND`,
one interface, `send_sms(to, body)`.

Backends:
- `ConsoleBackend` – prints each message (development; `make run`);
- `FileBackend` – appends each message to a file under `SMS_FILE_PATH` (development);
- `MemoryBackend` – keeps the messages in `kelayhteistyo.sms.outbox` (tests);
- `HttpGatewayBackend` – posts to an SMS gateway over HTTP(S): `SMS_GATEWAY_URL`, with
  `SMS_GATEWAY_USER` and `SMS_GATEWAY_PASSWORD` (HTTP Basic) or `SMS_GATEWAY_TOKEN` (Bearer),
  `SMS_SENDER` as the sender name, `SMS_GATEWAY_TIMEOUT` seconds. The request is one JSON
  object `{"from": sender, "to": ["+358401234567"], "text": body}`; any 2xx answer is a sent
  message. A gateway with another format is another small backend class.

Numbers are validated and sent in E.164 (+358401234567): `phone_normalize` reads Finnish ways of
writing (040 123 4567, 00358…) and international ones (+46 70…). Nothing here logs a number or
a message text (the logs never hold personal data)."""

from __future__ import annotations

import base64
import json
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

PHONE_INVALID = _("Enter a phone number such as 040 123 4567 or +358 40 123 4567.")


def phone_normalize(value: str, *, region: str = "FI") -> str:
    """A phone number in E.164 (+358401234567); a number without a country code is Finnish.
    Raises ValidationError (code "invalid") for anything that is not a valid number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_INVALID, code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_INVALID, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SmsError(Exception):
    """A message could not be handed to the gateway (the caller may retry)."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str


class BaseSmsBackend:
    def __init__(self, *, fail_silently: bool = False):
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Send the messages; return how many were sent."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    stream = None  # sys.stdout at the time of sending

    def send_messages(self, messages):
        stream = self.stream or sys.stdout
        for m in messages:
            stream.write(f"SMS to {m.to}\n{m.body}\n{'-' * 40}\n")
        stream.flush()
        return len(messages)


class FileBackend(BaseSmsBackend):
    """One file per process and day under SMS_FILE_PATH, the messages appended."""

    def send_messages(self, messages):
        folder = Path(getattr(settings, "SMS_FILE_PATH", "") or "sms-messages")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{timezone.localdate():%Y%m%d}.log"
        with path.open("a", encoding="utf-8") as out:
            for m in messages:
                out.write(f"SMS to {m.to}\n{m.body}\n{'-' * 40}\n")
        return len(messages)


outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class MemoryBackend(BaseSmsBackend):
    """For tests: the messages are kept in `kelayhteistyo.sms.outbox`."""

    def send_messages(self, messages):
        with _outbox_lock:
            outbox.extend(messages)
        return len(messages)


class HttpGatewayBackend(BaseSmsBackend):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.url = getattr(settings, "SMS_GATEWAY_URL", "")
        if not self.url:
            raise ImproperlyConfigured("SMS_GATEWAY_URL is needed by HttpGatewayBackend.")
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) address.")
        self.timeout = getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)
        self.sender = getattr(settings, "SMS_SENDER", "")
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        user = getattr(settings, "SMS_GATEWAY_USER", "")
        token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user:
            pair = f"{user}:{getattr(settings, 'SMS_GATEWAY_PASSWORD', '')}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()

    def send_messages(self, messages):
        sent = 0
        for m in messages:
            try:
                self._post(m)
            except SmsError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _post(self, message: SmsMessage) -> None:
        body = json.dumps({"from": self.sender, "to": [message.to], "text": message.body})
        request = urllib.request.Request(  # noqa: S310 — the scheme is checked in __init__
            self.url, data=body.encode(), headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as error:
            error.close()  # it holds the connection
            # The status only: the gateway's answer may repeat the number or the text.
            raise SmsError(f"The SMS gateway answered {error.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsError(f"The SMS gateway could not be reached: {reason}.") from None


def get_backend(backend: str | None = None, **kwargs) -> BaseSmsBackend:
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)


def send_sms(to: str, body: str, *, fail_silently: bool = False) -> int:
    """Send one text message to `to` (any way of writing a valid number; sent as E.164).
    Returns 1 if sent; raises ValidationError for a number that is not one, SmsError when the
    gateway refuses or cannot be reached (unless fail_silently)."""
    message = SmsMessage(to=phone_normalize(to), body=body)
    return get_backend(fail_silently=fail_silently).send_messages([message])
