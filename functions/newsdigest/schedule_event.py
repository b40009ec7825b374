"""The event a scheduled function receives, whichever way it was scheduled.

The template's schedules send ``{"scheduled_time": "<aws.scheduler.scheduled-time>", "execution_id": ...}``:
a retried or duplicated event has the same time. A raw scheduled event (a schedule without Input, an
EventBridge rule) carries its time as ``time`` and its id as ``id``: used the same way. Only an event with
neither falls back to the clock.
"""

from datetime import datetime

from pydantic import BaseModel


class ScheduleEvent(BaseModel):
    scheduled_time: datetime | None = None
    execution_id: str = ""
    time: datetime | None = None  # a raw EventBridge/Scheduler event
    id: str = ""

    @property
    def run_time(self) -> datetime | None:
        return self.scheduled_time or self.time

    @property
    def run_id(self) -> str:
        return self.execution_id or self.id
