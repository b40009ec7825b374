"""Digest periods in the subscriber's time zone, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newsdigest.subscriptions.models import Preferences
from newsdigest.subscriptions.periods import following, latest_due, next_due_after, period_starting


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daily_digest_covers_yesterday_and_is_due_at_the_local_send_hour():
    prefs = Preferences(frequency="daily", timezone="Europe/Paris", send_hour=7)
    period = latest_due(prefs, utc("2026-11-28T06:00:00"))  # 07:00 in Paris (UTC+1)
    assert period.key == "daily:2026-11-27"
    assert period.start == utc("2026-11-26T23:00:00") and period.end == utc("2026-11-27T23:00:00")
    assert period.due_at == utc("2026-11-28T06:00:00")
    assert latest_due(prefs, utc("2026-11-28T05:59:59")).key == "daily:2026-11-26"


@pytest.mark.parametrize(
    ("zone", "day", "expected_due_utc"),
    [
        # Europe/Paris springs forward on 2026-03-29 (02:00 -> 03:00) and falls back on 2026-10-25.
        ("Europe/Paris", date(2026, 3, 28), "2026-03-29T05:00:00"),  # 07:00 CEST
        ("Europe/Paris", date(2026, 3, 27), "2026-03-28T06:00:00"),  # 07:00 CET
        ("Europe/Paris", date(2026, 10, 24), "2026-10-25T06:00:00"),  # 07:00 CET again
        ("America/New_York", date(2026, 3, 7), "2026-03-08T11:00:00"),  # 07:00 EDT
        ("Asia/Kolkata", date(2026, 3, 7), "2026-03-08T01:30:00"),  # half-hour offset, no DST
    ],
)
def test_the_send_hour_stays_local_across_dst(zone, day, expected_due_utc):
    prefs = Preferences(frequency="daily", timezone=zone, send_hour=7)
    assert period_starting(prefs, day).due_at == utc(expected_due_utc)


def test_dst_days_are_23_and_25_hours_long_and_periods_tile_without_gaps():
    prefs = Preferences(frequency="daily", timezone="Europe/Paris", send_hour=7)
    spring = period_starting(prefs, date(2026, 3, 29))
    autumn = period_starting(prefs, date(2026, 10, 25))
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    assert following(prefs, spring).start == spring.end


def test_a_send_hour_inside_the_spring_forward_gap_still_has_one_due_instant():
    prefs = Preferences(frequency="daily", timezone="Europe/Paris", send_hour=2)  # 02:00 does not exist
    period = period_starting(prefs, date(2026, 3, 28))
    assert period.due_at == utc("2026-03-29T01:00:00")  # i.e. 03:00 CEST
    assert latest_due(prefs, period.due_at).key == period.key


def test_a_weekly_digest_covers_the_iso_week_and_goes_out_on_monday():
    prefs = Preferences(frequency="weekly", timezone="America/New_York", send_hour=8)
    period = latest_due(prefs, utc("2026-11-30T13:00:00"))  # Monday 08:00 EST
    assert period.key == "weekly:2026-W48" and period.first_day == date(2026, 11, 23)
    assert period.due_at == utc("2026-11-30T13:00:00")
    assert latest_due(prefs, utc("2026-11-30T12:59:00")).key == "weekly:2026-W47"


ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia"]


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    frequency=st.sampled_from(["daily", "weekly"]),
    hour=st.integers(0, 23),
    instant=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
)
def test_each_instant_has_exactly_one_latest_due_period(zone, frequency, hour, instant):
    prefs = Preferences(frequency=frequency, timezone=zone, send_hour=hour)
    now = instant.replace(tzinfo=UTC)
    period = latest_due(prefs, now)
    assert period.due_at <= now < following(prefs, period).due_at
    assert period.end <= period.due_at  # a digest only ever covers a complete period
    assert next_due_after(prefs, now) == following(prefs, period).due_at
