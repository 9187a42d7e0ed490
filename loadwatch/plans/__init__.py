"""Planned runs from calendars: ICS files and subscribed feeds.

- :func:`loadwatch.plans.text.read_amount` -> the distance (or duration) an event's words plan.
- :func:`loadwatch.plans.ics.parse_calendar` -> the event occurrences of an ICS file, as runs.
- :func:`loadwatch.plans.sync.import_calendar` -> the athlete's stored plans brought in step
  with one calendar, idempotent by event UID.
"""
