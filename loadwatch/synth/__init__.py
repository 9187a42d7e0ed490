"""Synthetic activity files: a run model, a FIT encoder and GPX/TCX writers.

Used by ``sample_activities/generate.py`` (the bundled demo athletes), by the
import benchmark and by tests that build Garmin- or Strava-shaped archives::

    run = synth_run(start_utc, 10.0, utc_offset_s=7200, lat=52.52, lon=13.40,
                    pace_s_per_km=340, hr_rest=50, hr_max=188, seed=1)
    fit_bytes, gpx_bytes = to_fit(run), to_gpx(run)

Nothing here reads files or touches the rest of loadwatch.
"""

from loadwatch.synth.fit import FIT_EPOCH_UNIX, SEMICIRCLES_PER_DEG, fit_crc, to_fit
from loadwatch.synth.gpx import to_gpx
from loadwatch.synth.run import EARTH_RADIUS_M, FR255, FR965, GARMIN, SynthRun, synth_run
from loadwatch.synth.tcx import to_tcx

__all__ = [
    "EARTH_RADIUS_M",
    "FIT_EPOCH_UNIX",
    "FR255",
    "FR965",
    "GARMIN",
    "SEMICIRCLES_PER_DEG",
    "SynthRun",
    "fit_crc",
    "synth_run",
    "to_fit",
    "to_gpx",
    "to_tcx",
]
