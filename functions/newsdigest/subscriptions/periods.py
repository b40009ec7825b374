"""Digest periods in the subscriber's own time zone.

A daily digest covers one complete local day and goes out at ``send_hour`` the next local morning; a
weekly digest covers one ISO week (Monday-Sunday) and goes out on the following Monday at ``send_hour``.
Covering *complete* periods means consecutive digests neither overlap nor leave gaps.

Local times become UTC instants through ``zoneinfo``, which knows each zone's DST rules: the due instant of
each day is computed from that day's own offset, so a subscriber's 07:00 stays 07:00 across DST changes.
A ``send_hour`` that does not exist on a spring-forward day resolves (fold=0) to the instant one hour later
in wall time; a repeated hour on a fall-back day resolves to its first occurrence. Either way there is
exactly one due instant per period, and the period key - not the instant - is what makes a send unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from newsdigest.articles.timeline import window_bounds
from newsdigest.subscriptions.models import Preferences


@dataclass(frozen=True)
class Period:
    key: str  # "daily:2026-11-28" or "weekly:2026-W48": unique per subscriber and period
    label: str
    first_day: date
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    due_at: datetime  # UTC instant the digest is sent

    def key_bounds(self) -> tuple[str, str]:
        """Bounds for the Timeline index's ``ingested_key``: [start, end)."""
        return window_bounds(self.start, self.end)


def local_instant(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _day_label(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _days(prefs: Preferences) -> int:
    return 7 if prefs.frequency == "weekly" else 1


def period_starting(prefs: Preferences, first_day: date) -> Period:
    zone = prefs.zone
    after = first_day + timedelta(days=_days(prefs))
    if prefs.frequency == "weekly":
        year, week, _ = first_day.isocalendar()
        key = f"weekly:{year}-W{week:02d}"
        label = f"Week of {_day_label(first_day)}"
    else:
        key = f"daily:{first_day.isoformat()}"
        label = _day_label(first_day)
    return Period(
        key=key,
        label=label,
        first_day=first_day,
        start=local_instant(first_day, 0, zone),
        end=local_instant(after, 0, zone),
        due_at=local_instant(after, prefs.send_hour, zone),
    )


def latest_due(prefs: Preferences, now: datetime) -> Period:
    """The most recent period whose digest is due at or before ``now``."""
    local_day = now.astimezone(prefs.zone).date()
    weekly = prefs.frequency == "weekly"
    send_day = local_day - timedelta(days=local_day.weekday()) if weekly else local_day  # weekly: Monday
    if local_instant(send_day, prefs.send_hour, prefs.zone) > now:
        send_day -= timedelta(days=_days(prefs))
    return period_starting(prefs, send_day - timedelta(days=_days(prefs)))


def following(prefs: Preferences, period: Period) -> Period:
    return period_starting(prefs, period.first_day + timedelta(days=_days(prefs)))


def next_due_after(prefs: Preferences, now: datetime) -> datetime:
    """The first due instant strictly after ``now``."""
    return following(prefs, latest_due(prefs, now)).due_at
