"""The byte scan of plain GPX files gives exactly what the tree path gives.

The scan (loadwatch.ingest.gpxscan) is a hand-written fast path; the lxml
tree walk (with gpxpy behind it) is the reference here. Every GPX test and
corpus file goes through both: the scan either declines the file or yields
the identical summaries (every field, exact floats) and refusals. Files of
the common export shapes must not be declined, so a scan that quietly
stopped working fails. Hand-built variants then probe each rule: what the
scan reads itself, and what it must leave to the tree path.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from corpus import REALWORLD, manifest_rows, params
from hypothesis import given, settings
from hypothesis import strategies as st

from loadwatch.errors import LoadwatchError
from loadwatch.ingest import gpxscan
from loadwatch.ingest.gpx import FastPathDeclined, read_gpx

DATA = Path(__file__).resolve().parent / "data" / "gpx"
SUBSET = sorted(DATA.glob("*.gpx"))
CORPUS = manifest_rows("gpx/")
CORPUS_PARAMS = params(list(CORPUS), [r["relpath"] for r in CORPUS])

#: Exports of the usual shapes (Garmin Connect, Strava, gpxpy's test tracks): the
#: scan must read these itself.
SCANNED = {
    "run.gpx",
    "run_gpxtpx.gpx",
    "activity_5039744860.gpx",
    "missing_hr.gpx",
    "track-with-less-sec-time.gpx",
    "4801048867_strava.gpx",
    "activity_4801048867.gpx",
    "4078723797_strava.gpx",
    "activity_4078723797.gpx",
}


def _outcome(data: bytes, name: str, parser: str) -> object:
    try:
        return [dataclasses.asdict(s) for s in read_gpx(data, name, parser=parser)]  # type: ignore[arg-type]
    except LoadwatchError as e:
        return f"{type(e).__name__}: {e}"


def _check_scan_equals_tree(path: Path) -> None:
    data = path.read_bytes()
    tree = _outcome(data, path.name, "tree")
    try:
        scanned = _outcome(data, path.name, "scan")
    except FastPathDeclined:
        assert path.name not in SCANNED, f"the scan declined {path.name}"
        return
    assert scanned == tree


@pytest.mark.parametrize("path", SUBSET, ids=[p.name for p in SUBSET])
def test_scan_equals_tree_path_on_subset(path: Path) -> None:
    _check_scan_equals_tree(path)


@pytest.mark.parametrize("row", CORPUS_PARAMS)
def test_scan_equals_tree_path_on_corpus(row: dict[str, str] | None) -> None:
    assert row is not None
    _check_scan_equals_tree(REALWORLD / row["relpath"])


# --- hand-built variants -------------------------------------------------------------

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="Test &amp; Co" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
    "<metadata><time>2020-01-01T00:00:00Z</time></metadata>"
    "<trk><name>Lunch &lt;Run&gt;</name><type>running</type><trkseg>\n"
)
TAIL = "</trkseg></trk></gpx>\n"


def _point(i: int, *, time: str | None = None, ele: str | None = None, hr: str = "") -> str:
    when = time if time is not None else f"2024-03-05T06:{30 + i // 60:02d}:{i % 60:02d}Z"
    height = ele if ele is not None else f"{100 + i * 0.5:.1f}"
    ext = (
        f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
        "</gpxtpx:TrackPointExtension></extensions>"
        if hr
        else ""
    )
    return (
        f'<trkpt lat="{45 + i * 3e-5:.7f}" lon="{7 + i * 1e-5:.7f}">'
        f"<ele>{height}</ele><time>{when}</time>{ext}</trkpt>\n"
    )


def _doc(points: list[str], head: str = HEAD, tail: str = TAIL) -> bytes:
    return (head + "".join(points) + tail).encode()


BASE = [_point(i, hr=str(120 + i % 30)) for i in range(120)]


def _replace(i: int, text: str) -> list[str]:
    return [*BASE[:i], text, *BASE[i + 1 :]]


#: Read by the scan itself (and equal to the tree path).
READ = {
    "plain": _doc(BASE),
    "lon before lat": _doc(
        [
            p.replace('lat="', 'LAT="').replace('lon="', 'lat="').replace('LAT="', 'lon="')
            for p in BASE
        ]
    ),
    "fractional seconds": _doc(
        [_point(i, time=f"2024-03-05T06:30:{i % 60:02d}.{i:03d}Z") for i in range(60)]
    ),
    "offsets, one at a time": _doc(
        [_point(i, time=f"2024-03-05T08:30:{i:02d}+02:00") for i in range(60)]
    ),
    "mixed time widths": _doc(
        [_point(i, time="2024-03-05T06:30:00.5Z" if i == 3 else None) for i in range(60)]
    ),
    "times before 1990": _doc(_replace(5, _point(5, time="1901-12-13T20:45:52Z"))),
    "an untimed point": _doc(_replace(5, '<trkpt lat="45.1" lon="7.1"><ele>3</ele></trkpt>\n')),
    "blank and empty values": _doc(
        _replace(7, '<trkpt lat="45.1" lon="7.1"><ele> </ele><time></time></trkpt>\n')
    ),
    "no elevation": _doc(
        [
            f'<trkpt lat="{45 + i * 3e-5}" lon="7"><time>2024-03-05T06:30:{i:02d}Z</time></trkpt>'
            for i in range(60)
        ]
    ),
    "two elevations, the last counts": _doc(
        _replace(9, _point(9).replace("</time>", "</time><ele>333.5</ele>"))
    ),
    "two heart rates, the first counts": _doc(
        _replace(
            9, _point(9, hr="150").replace("</gpxtpx:hr>", "</gpxtpx:hr><gpxtpx:hr>90</gpxtpx:hr>")
        )
    ),
    "empty heart rate, the next counts": _doc(
        _replace(
            9,
            _point(9, hr="150").replace("<gpxtpx:hr>150", "<gpxtpx:hr></gpxtpx:hr><gpxtpx:hr>150"),
        )
    ),
    "heart rate 0 and 300": _doc([*BASE[:3], _point(3, hr="0"), _point(4, hr="300"), *BASE[5:]]),
    "heart rate as text": _doc(_replace(3, _point(3, hr="high"))),
    "heartrate and ns3:hr": _doc(
        [p.replace("gpxtpx:hr", "heartrate") for p in BASE[:60]]
        + [p.replace("gpxtpx:", "ns3:") for p in BASE[60:]]
    ).replace(b"xmlns:gpxtpx=", b'xmlns:ns3="urn:x" xmlns:gpxtpx='),
    "outside a point": _doc(["<ele>999</ele><time>2030-01-01T00:00:00Z</time>\n", *BASE]),
    "two segments": _doc([*BASE[:60], "</trkseg><trkseg>\n", *BASE[60:]]),
    "two tracks, one split": _doc(
        BASE[:60]
        + ["</trkseg></trk><trk><trkseg>\n"]
        + [_point(i, time=f"2024-03-09T06:30:{i % 60:02d}Z") for i in range(60)]
    ),
    "positions off the Earth": _doc(
        _replace(4, '<trkpt lat="95" lon="7"><time>2024-03-05T06:30:04Z</time></trkpt>\n')
    ),
    "exponents and a plus sign": _doc(
        _replace(
            4,
            '<trkpt lat="4.5e1" lon="+7.0"><ele>1e2</ele>'
            "<time>2024-03-05T06:30:04Z</time></trkpt>\n",
        )
    ),
    "sixteen digits": _doc(
        _replace(
            4,
            '<trkpt lat="45.00012345678912" lon="7.000123456789123">'
            "<time>2024-03-05T06:30:04Z</time></trkpt>\n",
        )
    ),
    "no namespace": _doc(BASE, head=HEAD.replace(' xmlns="http://www.topografix.com/GPX/1/1"', "")),
    "GPX 1.0": _doc(
        BASE, head=HEAD.replace("GPX/1/1", "GPX/1/0").replace('version="1.1"', 'version="1.0"')
    ),
    "a big file in chunks": _doc(
        [
            _point(
                i % 3600,
                time=f"2024-03-05T{6 + i // 3600:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z",
                hr="140",
            )
            for i in range(30_000)
        ]
    ),
}

#: Left to the tree path (the scan declines; the outcome must still be the tree's).
DECLINED = {
    "a comment in a point": _doc(_replace(4, _point(4).replace("<ele>", "<!-- x --><ele>"))),
    "CDATA": _doc(
        _replace(4, _point(4).replace("<ele>", "<ele><![CDATA[").replace("</ele>", "]]></ele>"))
    ),
    "a character reference": _doc(_replace(4, _point(4).replace("<ele>1", "<ele>&#49;"))),
    "a prefixed GPX element": _doc(
        _replace(4, _point(4).replace("<ele>", "<g:ele>").replace("</ele>", "</g:ele>")),
        head=HEAD.replace("<gpx ", '<gpx xmlns:g="http://www.topografix.com/GPX/1/1" '),
    ),
    "a namespace declared inside": _doc(
        _replace(4, _point(4, hr="150").replace("<extensions>", '<extensions xmlns="urn:other">'))
    ),
    "an attribute on ele": _doc(_replace(4, _point(4).replace("<ele>", '<ele unit="m">'))),
    "single quotes": _doc(
        _replace(4, _point(4).replace('lat="', "lat='").replace('" lon', "' lon"))
    ),
    "an extra attribute": _doc(_replace(4, _point(4).replace("<trkpt ", '<trkpt id="4" '))),
    "a processing instruction": _doc(_replace(4, _point(4).replace("<ele>", "<?pi x?><ele>"))),
    "a processing instruction, no declaration": _doc(
        _replace(4, _point(4).replace("<ele>", "<?pi x?><ele>")),
        head=HEAD.split("\n", 1)[1],
    ),
    "an undeclared prefix": _doc(
        _replace(4, _point(4, hr="150").replace("<extensions>", "<extensions><q:x>1</q:x>"))
    ),
    "truncated": _doc(BASE)[:-200],
    "not UTF-8": _doc(BASE, head=HEAD.replace("Lunch", "Caf\xe9")).replace(
        b"Caf\xc3\xa9", b"Caf\xe9"
    ),
    "Latin-1 declared": _doc(BASE, head=HEAD.replace("UTF-8", "ISO-8859-1")),
    "a byte-order mark": b"\xef\xbb\xbf" + _doc(BASE),
    "a one-digit month": _doc(_replace(4, _point(4, time="2024-3-05T06:30:04Z"))),
    "an impossible date": _doc(_replace(4, _point(4, time="2024-02-30T06:30:04Z"))),
    "a number that is not one": _doc(_replace(4, _point(4, ele="1,5"))),
    "a segment with an attribute": _doc(BASE, head=HEAD.replace("<trkseg>", '<trkseg id="1">')),
    "a self-closed segment": _doc(["</trkseg><trkseg/><trkseg>", *BASE]),
    "a point without attributes": _doc(
        _replace(4, "<trkpt><time>2024-03-05T06:30:04Z</time></trkpt>")
    ),
    "a > in an attribute": _doc(_replace(4, _point(4).replace('">', '" x=">">', 1))),
    "hr with an attribute": _doc(
        _replace(4, _point(4, hr="150").replace("<gpxtpx:hr>", '<gpxtpx:hr a="1">'))
    ),
    "an element named xhr": _doc(
        _replace(4, _point(4, hr="150").replace("gpxtpx:hr", "gpxtpx:xhr"))
    ),
}


@pytest.mark.parametrize("data", READ.values(), ids=READ.keys())
def test_scan_reads_these_itself(data: bytes) -> None:
    assert _outcome(data, "x.gpx", "scan") == _outcome(data, "x.gpx", "tree")


@pytest.mark.parametrize("data", DECLINED.values(), ids=DECLINED.keys())
def test_scan_leaves_these_to_the_tree_path(data: bytes) -> None:
    with pytest.raises(FastPathDeclined) as declined:
        read_gpx(data, "x.gpx", parser="scan")
    assert "declined" in str(declined.value)
    assert _outcome(data, "x.gpx", "auto") == _outcome(data, "x.gpx", "tree")


def test_plain_variant_values_by_hand() -> None:
    """The base track's figures, from the way it was built (not from either path)."""
    (s,) = read_gpx(READ["plain"], "x.gpx", parser="scan")
    assert s.elapsed_s == 119.0
    assert s.max_hr == 149.0
    assert s.avg_hr == pytest.approx(sum(120 + i % 30 for i in range(120)) / 120)
    assert s.name == "Lunch <Run>" and s.device == "test & co"


# --- the scan's number reader against float() -------------------------------------


def _texts_as_bytes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = b"<" + b"<".join(t.encode() for t in texts) + b"<"
    a = np.frombuffer(data, dtype=np.uint8)
    lt = np.flatnonzero(a == ord("<"))
    return a, lt[:-1] + 1, lt[1:]


@settings(max_examples=300)
@given(
    st.lists(
        st.floats(-1e4, 1e4, allow_nan=False, exclude_min=True, exclude_max=True),
        min_size=1,
        max_size=40,
    ),
    st.data(),
)
def test_decimals_are_read_as_float_reads_them(values: list[float], data: st.DataObject) -> None:
    places = data.draw(st.integers(0, 10))  # at most 15 digits in all
    texts = [f"{v:.{places}f}" for v in values]
    a, starts, ends = _texts_as_bytes(texts)
    expected = np.array([float(t) for t in texts])
    general = gpxscan._plain_decimals(a, starts, ends)
    assert general is not None and general.tolist() == expected.tolist()
    same_shape = gpxscan._uniform_decimals(a, starts, ends)
    if same_shape is not None:
        assert same_shape.tolist() == expected.tolist()
    for i, t in enumerate(texts):  # one at a time: the sign of zero too
        (one,) = gpxscan._plain_decimals(a, starts[i : i + 1], ends[i : i + 1])  # type: ignore[misc]
        assert math.copysign(1, one) == math.copysign(1, float(t))


@pytest.mark.parametrize(
    "text",
    [
        "-",
        ".",
        "-.",
        "1.2.3",
        "1e5",
        "+1",
        " 1",
        "1 ",
        "--1",
        "1-2",
        "0x1",
        "1,5",
        "1234567890123456",
    ],
)
def test_other_number_forms_are_left_to_float(text: str) -> None:
    a, starts, ends = _texts_as_bytes([text])
    assert gpxscan._plain_decimals(a, starts, ends) is None
    assert gpxscan._uniform_decimals(a, starts, ends) is None
