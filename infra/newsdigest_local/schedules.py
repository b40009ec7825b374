"""EventBridge Scheduler schedules of the template: fired by hand (``newsdigest schedule fire``) or on time
by ``ScheduleRunner`` while ``newsdigest serve`` runs. The event is the schedule's ``Input`` with
Scheduler's context attributes filled in, as Scheduler would deliver it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdigest_local.queues import Poller
from newsdigest_local.template import ACCOUNT, LOCAL_PREFIX, REGION, Template


def schedule_names(template: Template) -> list[str]:
    return [str(s["name"]) for s in template.schedules]


def find_schedule(template: Template, name: str) -> dict[str, Any]:
    for schedule in template.schedules:
        if schedule["name"] == name:
            return schedule
    known = ", ".join(schedule_names(template)) or "none"
    raise KeyError(f"no schedule {name!r} in template.yaml; have {known}")


def schedule_event(schedule: dict[str, Any], at: datetime | None = None, attempt: int = 1) -> dict[str, Any]:
    at = (at or datetime.now(UTC)).astimezone(UTC)
    raw = schedule.get("Input")
    if raw is None:  # no Input: the target gets Scheduler's raw event, whose "time" is the scheduled time
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": ACCOUNT,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [
                f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{LOCAL_PREFIX}-{schedule['name']}"
            ],
            "detail": {},
        }
    if not isinstance(raw, str):
        return dict(raw)
    context = {
        "<aws.scheduler.scheduled-time>": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": str(uuid.uuid4()),
        "<aws.scheduler.attempt-number>": str(attempt),
        "<aws.scheduler.schedule-arn>": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/"
        f"{LOCAL_PREFIX}-{schedule['name']}",
    }
    for placeholder, value in context.items():
        raw = raw.replace(placeholder, value)
    event = json.loads(raw)
    return event if isinstance(event, dict) else {"input": event}


# ---------------------------------------------------------------- running them (newsdigest serve)
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_HOURLY = re.compile(r"^cron\(\s*(\d{1,2})\s+\*\s+\*\s+\*\s+\?\s+\*\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def next_fire(expression: str, after: datetime) -> datetime | None:
    """When a schedule fires next, strictly after ``after``: ``rate(N unit)`` on multiples of its period
    (as Scheduler spaces them), ``cron(M * * * ? *)`` at minute M of every hour. None: an expression the
    local runner does not run (fire it by hand)."""
    after = after.astimezone(UTC)
    if match := _RATE.match(expression.strip()):
        period = int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]
        if period <= 0:
            return None
        seconds = int(after.timestamp()) // period * period + period
        return datetime.fromtimestamp(seconds, UTC)
    if match := _HOURLY.match(expression.strip()):
        minute = int(match.group(1))
        candidate = after.replace(minute=minute, second=0, microsecond=0)
        return candidate if candidate > after else candidate + timedelta(hours=1)
    return None


class ScheduleRunner(Poller):
    """Fires the template's schedules on time, as EventBridge Scheduler would, while the stack runs."""

    name_prefix = "schedules"

    def __init__(
        self,
        runtime: Any,
        schedules: list[dict[str, Any]],
        log: Any,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__("template", log, poll_interval)
        self.runtime = runtime
        self.clock = clock
        now = clock()
        self.schedules = [s for s in schedules if next_fire(str(s.get("ScheduleExpression", "")), now)]
        self.due = {s["name"]: next_fire(str(s["ScheduleExpression"]), now) for s in self.schedules}
        skipped = {s["name"] for s in schedules} - set(self.due)
        if skipped:
            log(f"schedules not run automatically (fire them by hand): {', '.join(sorted(skipped))}")

    def poll_once(self) -> int:
        now = self.clock()
        fired = 0
        for schedule in self.schedules:
            due = self.due[schedule["name"]]
            if due is None or now < due:
                continue
            self.due[schedule["name"]] = next_fire(str(schedule["ScheduleExpression"]), now)
            fired += 1
            self.runtime.invoke(
                schedule["function"], schedule_event(schedule, due), f"schedule {schedule['name']}"
            )
        return fired
