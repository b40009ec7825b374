"""Mail that SES (moto) accepted: read it back, and save each message as an .eml file a developer can
open (``<state dir>/mail/``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from newsdigest_local.queues import Poller
from newsdigest_local.template import ACCOUNT, REGION


@dataclass(frozen=True)
class SentMail:
    message_id: str
    source: str
    destinations: list[str]
    raw: bytes


def _raw(message: Any) -> bytes:
    raw = getattr(message, "raw_data", None)
    if raw is not None:
        return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    simple = EmailMessage()  # SendEmail with Simple content: rebuild a message from its parts
    simple["From"] = message.source
    simple["To"] = ", ".join(message.destinations.get("ToAddresses", []))
    simple["Subject"] = message.subject
    simple.set_content(message.body)
    return simple.as_bytes()


def _destinations(message: Any) -> list[str]:
    value = message.destinations
    if isinstance(value, dict):
        return [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in value.get(key, [])]
    return list(value)


def _accepted() -> list[Any]:
    from moto.ses.models import ses_backends

    return ses_backends[ACCOUNT][REGION].sent_messages  # type: ignore[no-any-return]


def sent_mail(start: int = 0) -> list[SentMail]:
    """The messages moto's SES accepted so far, oldest first, from the ``start``-th on (in-process moto
    or the stack's server). Only those are rebuilt: the archive asks for the new ones five times a
    second, and rebuilding every message each time grew with the mail sent."""
    return [SentMail(m.id, m.source, _destinations(m), _raw(m)) for m in _accepted()[start:]]


class MailArchive(Poller):
    name_prefix = "mail"

    def __init__(self, folder: Path, log: Any, *, poll_interval: float = 0.2) -> None:
        super().__init__("archive", log, poll_interval)
        self.folder = folder
        # Mail moto accepted before this stack started (same process, earlier stack) is not this stack's.
        self.skipped = len(_accepted())
        self.saved = 0

    def poll_once(self) -> int:
        fresh = sent_mail(self.skipped + self.saved)
        if fresh:
            self.folder.mkdir(parents=True, exist_ok=True)
        for number, message in enumerate(fresh, start=self.saved + 1):
            safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", message.message_id)[:80]
            (self.folder / f"{number:05d}-{safe_id}.eml").write_bytes(message.raw)
        self.saved += len(fresh)
        return len(fresh)
