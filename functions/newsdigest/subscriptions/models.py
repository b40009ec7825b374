"""Digest-email data: what a subscriber sends, what is stored, the jobs the hourly run hands out."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from newsdigest.config import MAX_SOURCE_CHARS
from newsdigest.validation import NoLoneSurrogates

Frequency = Literal["daily", "weekly"]
SubscriberStatus = Literal["pending", "active", "unsubscribed", "suppressed"]
MAX_EMAIL_CHARS = 254
MAX_SOURCES = 20
DEFAULT_SEND_HOUR = 7

# Deliberately plain: one @, no spaces or control characters, a dotted domain. The confirmation email
# is the real test of an address.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf'^[^@\s\x00-\x1f\x7f-\x9f\ufeff<>()\[\],;:"\\]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$')
# Spaces, tabs and line breaks around an address are dropped (pasted addresses); the document's pattern
# says the same.
_AROUND = " \t\r\n"
EMAIL_PATTERN = rf"^[ \t\r\n]*{_EMAIL.pattern[1:-1]}[ \t\r\n]*$"
SourceName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SOURCE_CHARS), NoLoneSurrogates
]


def normalize_email(address: str) -> str:
    return address.strip(_AROUND).lower()


def subscriber_id(email: str) -> str:
    """Stable id of a normalized address (re-subscribing finds the same subscriber)."""
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


class Preferences(BaseModel):
    """What a subscriber asked for."""

    frequency: Frequency
    timezone: str
    sources: list[str] | None = None
    send_hour: int = Field(default=DEFAULT_SEND_HOUR, ge=0, le=23)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SubscriptionIn(BaseModel):
    """POST /subscriptions."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, NoLoneSurrogates] = Field(
        description="Where to send the digest; a confirmation email goes there first.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_EMAIL_CHARS, "pattern": EMAIL_PATTERN},
    )
    frequency: Frequency = Field(description="daily (each local day) or weekly (each ISO week, Monday).")
    timezone: Annotated[str, NoLoneSurrogates] = Field(
        description="IANA time zone such as Europe/Paris (unknown: 422); periods are local days/weeks.",
        json_schema_extra={"minLength": 1, "maxLength": 64},
    )
    sources: list[SourceName] | None = Field(
        default=None, max_length=MAX_SOURCES, description="Only articles from these sources."
    )
    send_hour: int = Field(
        default=DEFAULT_SEND_HOUR, ge=0, le=23, description="Local hour (0-23) the digest is sent at."
    )

    @field_validator("email")
    @classmethod
    def _email_is_an_address(cls, email: str) -> str:
        if len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email.strip(_AROUND)):
            raise PydanticCustomError("email_invalid", "not an email address such as ada@example.com")
        return normalize_email(email)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, timezone: str) -> str:
        try:
            if not timezone or len(timezone) > 64 or timezone.startswith(("/", ".")) or ".." in timezone:
                raise ValueError(timezone)
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PydanticCustomError(
                "timezone_unknown", "unknown time zone; use an IANA name such as Europe/Paris"
            ) from exc
        return timezone

    def preferences(self) -> Preferences:
        sources = sorted(set(self.sources)) if self.sources else None
        return Preferences(
            frequency=self.frequency, timezone=self.timezone, sources=sources, send_hour=self.send_hour
        )


class SubscriptionAccepted(BaseModel):
    status: Literal["pending_confirmation"] = "pending_confirmation"
    message: str = "If the address can receive mail, a confirmation link is on its way."


class ConfirmRequest(BaseModel):
    """The one subscription request whose confirmation email is out: its link carries ``id``."""

    id: str
    prefs: Preferences


class Subscriber(BaseModel):
    id: str
    email: str
    status: SubscriberStatus
    preferences: Preferences | None = None
    requested: Preferences | None = None
    confirm_request: ConfirmRequest | None = None
    confirmed_request: str | None = Field(default=None, description="id of the request last confirmed")
    next_due_at: datetime | None = None


class DigestJob(BaseModel):
    """One SQS message: send this subscriber the digest that is due at the run's time."""

    subscriber_id: str
    scheduled_time: datetime
    run_id: str = ""


DeliveryState = Literal["sending", "sent", "empty"]
ClaimOutcome = Literal["claimed", "done", "busy"]
