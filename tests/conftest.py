"""Suite-wide settings.

Property tests never fail on timing (CI machines are shared and slow), and in
CI they draw the same examples every run, so a red build always reproduces.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("loadwatch", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", parent=settings.get_profile("loadwatch"), derandomize=True, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "loadwatch")

# A throwaway PostgreSQL server for the store tests that need one (see tests/pgserver.py).
from pgserver import postgres_db, postgres_server, postgres_url  # noqa: E402, F401
