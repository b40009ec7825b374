"""Helpers shared by the digest-email tests (integration and e2e)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newsdigest.subscriptions.models import Preferences
from newsdigest.subscriptions.periods import period_starting
from newsdigest_local.mail import SentMail, sent_mail


def parse(mail: SentMail) -> EmailMessage:
    message = email.message_from_bytes(mail.raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def mail_to(address: str, since: int = 0) -> list[EmailMessage]:
    return [parse(m) for m in sent_mail()[since:] if address in " ".join(m.destinations)]


def digests_to(address: str, since: int = 0) -> list[EmailMessage]:
    return [m for m in mail_to(address, since) if "List-Unsubscribe" in m]


def link_token(message: EmailMessage, path: str) -> str:
    text, _ = parts(message)
    match = re.search(rf"https?://\S+{re.escape(path)}\?token=\S+", text)
    assert match, f"no {path} link in:\n{text}"
    return parse_qs(urlsplit(match.group(0)).query)["token"][0]


def due_time_covering(prefs: Preferences, instant: datetime, minutes: int = 5) -> datetime:
    """A run time at which the period containing ``instant`` is the one due."""
    return period_starting(prefs, instant.astimezone(prefs.zone).date()).due_at + timedelta(minutes=minutes)


def subscription(address: str, **extra: Any) -> dict[str, Any]:
    return {"email": address, "frequency": "daily", "timezone": "Europe/Paris", "send_hour": 7} | extra


class ScriptedMailer:
    """The real mailer (SES on moto), with a script run before each send: ``script(n)`` for the n-th send
    (from 1) may raise to make that send crash or fail."""

    def __init__(self, script: Callable[[int], None]) -> None:
        from newsdigest import wiring

        self.real = wiring.services.mailer
        self.script = script
        self.sends = 0

    @property
    def calls(self) -> int:
        return int(self.real.calls)

    def send(self, raw: bytes) -> str:
        self.sends += 1
        self.script(self.sends)
        return str(self.real.send(raw))
