"""Component ids of the dashboard, as constants.

Layout, callbacks and the browser tests all refer to components through these
names, so a renamed id breaks loudly at import time instead of silently in the
browser.
"""

from __future__ import annotations

# --- page frame
TABS = "tabs"
TAB_RUNNER = "runner"
TAB_COACH = "coach"
SELECTED_ATHLETE = "selected-athlete"  # dcc.Store: the athlete on screen (never in the URL)
DATA_VERSION = "data-version"  # dcc.Store bumped after every write, to refresh views

# --- runner view controls
ATHLETE_DROPDOWN = "athlete-dropdown"
DATE_RANGE = "date-range"
UNIT = "unit"
MEASURE = "measure"

# --- runner view output
STATUS = "status"
WEEKLY_GRAPH = "weekly-graph"
TIMELINE_GRAPH = "timeline-graph"
ALERTS_LIST = "alerts-list"

# --- log pain form
PAIN_DATE = "pain-date"
PAIN_SCORE = "pain-score"
PAIN_WHERE = "pain-where"
PAIN_WHEN = "pain-when"
PAIN_NOTE = "pain-note"
PAIN_SUBMIT = "pain-submit"
PAIN_MESSAGE = "pain-message"

# --- plan ahead
PLAN_DATE = "plan-date"
PLAN_DISTANCE = "plan-distance"
PLAN_WEEK = "plan-week"
PLAN_CHECK = "plan-check"
PLAN_SAVE = "plan-save"
PLAN_RESULT = "plan-result"
PLAN_MESSAGE = "plan-message"

# --- drag-and-drop import (the drop zone is wired by assets/upload.js)
UPLOAD_ZONE = "upload-zone"
UPLOAD_INPUT = "upload-input"  # the <input type=file> that upload.js adds to the zone
UPLOAD_DONE = "upload-done"  # dcc.Store set by upload.js when every chunk has arrived
UPLOAD_PROGRESS = "upload-progress"
IMPORT_PROGRESS = "import-progress"
IMPORT_SUMMARY = "import-summary"

# --- coach view
COACH_GRID = "coach-grid"
NEW_ATHLETE_NAME = "new-athlete-name"
ADD_ATHLETE = "add-athlete"
RENAME_FROM = "rename-from"
RENAME_TO = "rename-to"
RENAME_ATHLETE = "rename-athlete"
ATHLETE_MESSAGE = "athlete-message"
COACH_AS_OF = "coach-as-of"  # the date the coach table describes
COACH_CARDS = "coach-cards"  # the coach table as a list of cards (phones)
COACH_CARD = "coach-card"  # pattern-matching type of one card: {"type": COACH_CARD, "index": name}

# --- context next to load (wellness and rehab)
CONTEXT_GRAPH = "context-graph"
CHECKIN_DATE = "checkin-date"
CHECKIN_SLEEP = "checkin-sleep"
CHECKIN_QUALITY = "checkin-quality"
CHECKIN_STRESS = "checkin-stress"
CHECKIN_SORENESS = "checkin-soreness"
CHECKIN_FATIGUE = "checkin-fatigue"
CHECKIN_NOTE = "checkin-note"
CHECKIN_SUBMIT = "checkin-submit"
CHECKIN_MESSAGE = "checkin-message"
REHAB_DATE = "rehab-date"
REHAB_BUTTONS = "rehab-buttons"  # the one-click buttons, one per exercise
REHAB_LOG = "rehab-log"  # pattern-matching type of one button: {"type": REHAB_LOG, "index": key}
REHAB_MESSAGE = "rehab-message"

# --- the days ahead, calendars and notifications
UPCOMING = "upcoming"
ICS_UPLOAD = "ics-upload"
CALENDAR_URL = "calendar-url"
CALENDAR_SUBSCRIBE = "calendar-subscribe"
CALENDAR_MESSAGE = "calendar-message"
CALENDAR_LIST = "calendar-list"
NOTIFY_TEST = "notify-test"
NOTIFY_MESSAGE = "notify-message"
