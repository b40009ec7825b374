"""The system clock: the one function that reads the time. Code below the handlers takes a clock (or the
instant) as an argument; ``newsdigest.wiring`` hands this one out, tests hand in their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)
