"""EventBridge Scheduler schedules of the template, fired by hand: the event is the schedule's ``Input``
with Scheduler's context attributes filled in, as Scheduler would deliver it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

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
