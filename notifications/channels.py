"""The channels a notification goes out on: e-mail, SMS (gateway interface), in-app.

E-mail uses Django's e-mail backend (``EMAIL_*`` settings: SMTP in
production). SMS goes through ``settings.SMS_BACKEND``: ``HttpSmsGateway``
posts JSON to ``SMS_GATEWAY_URL`` with a bearer token and the delivery key
as ``Idempotency-Key`` (so a gateway that honours it drops a repeat);
``FileSmsGateway`` appends one JSON line per message under ``SMS_FILE_DIR``
(development). In-app needs no sending: the row is the message.
"""
import json
import urllib.request
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape, linebreaks
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """A channel refused or failed to take the message; the delivery is retried."""


class SmsGateway:
    def send(self, *, to: str, text: str, key: str) -> None:
        raise NotImplementedError


class FileSmsGateway(SmsGateway):
    def __init__(self, directory=None):
        self.directory = Path(directory or settings.SMS_FILE_DIR)

    def send(self, *, to: str, text: str, key: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / "sms.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps({"to": to, "text": text, "key": key}, ensure_ascii=False) + "\n")


class HttpSmsGateway(SmsGateway):
    def __init__(self, url=None, token=None, sender=None, timeout=None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.sender = sender if sender is not None else settings.SMS_GATEWAY_SENDER
        self.timeout = timeout or settings.SMS_GATEWAY_TIMEOUT

    def send(self, *, to: str, text: str, key: str) -> None:
        if not self.url:
            raise DeliveryError("SMS_GATEWAY_URL is not set")
        body = json.dumps({"to": to, "text": text, "from": self.sender}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}", "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — URL from settings
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"SMS gateway answered {response.status}")
        except OSError as exc:
            raise DeliveryError(f"SMS gateway: {exc}") from exc


def sms_gateway() -> SmsGateway:
    return import_string(settings.SMS_BACKEND)()


def send_email(*, to: str, subject: str, text: str, key: str) -> None:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to],
                                     headers={"Message-ID": make_msgid(idstring=key.replace(":", "."), domain=domain),
                                              "X-Delivery-Key": key})
    message.attach_alternative(linebreaks(escape(text)), "text/html")
    try:
        message.send()
    except OSError as exc:
        raise DeliveryError(f"e-mail: {exc}") from exc


def send_sms(*, to: str, text: str, key: str) -> None:
    sms_gateway().send(to=to, text=text, key=key)
