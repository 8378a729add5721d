"""Publication dates as pages write them -> ISO 8601.

A date alone stays a date ("2025-05-14"); a date with a time keeps its time
and zone ("2025-05-14T09:12:00+00:00"). What cannot be read is None, never a guess.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

ISO = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?")
MONTHS = {
    m: i for i, names in enumerate((
        ("jan", "january", "janvier", "januar", "enero", "gennaio", "janeiro", "januari", "jänner"),
        ("feb", "february", "février", "fevrier", "februar", "febrero", "febbraio", "fevereiro", "februari"),
        ("mar", "march", "mars", "märz", "maerz", "marzo", "março", "maart"),
        ("apr", "april", "avril", "abril", "aprile"),
        ("may", "mai", "mayo", "maggio", "maio", "mei"),
        ("jun", "june", "juin", "juni", "junio", "giugno", "junho"),
        ("jul", "july", "juillet", "juli", "julio", "luglio", "julho"),
        ("aug", "august", "août", "aout", "agosto", "augustus"),
        ("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"),
        ("oct", "october", "octobre", "oktober", "octubre", "ottobre", "outubro"),
        ("nov", "november", "novembre", "noviembre", "novembro"),
        ("dec", "december", "décembre", "decembre", "dezember", "diciembre", "dicembre", "dezembro"),
    ), 1) for m in names
}
MONTH = r"([^\W\d_]{3,10})\.?"
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?{MONTH},?\s+(?:de\s+)?(\d{{4}})\b", re.I)
MONTH_DAY_YEAR = re.compile(rf"\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})\b")  # 14.05.2025 (day first, as in Europe)
URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|\.html?|$)")
SLASHED_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})\b")
EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
RFC_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?\s+(GMT|UT|UTC|[+-]\d{4})$")  # "... 09:12:00 GMT"
MIN_YEAR, MAX_YEAR = 1990, 2100


def _valid(d: date) -> bool:
    return MIN_YEAR <= d.year <= MAX_YEAR


def _ymd(y: str, m: str | int, d: str) -> str | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return value.isoformat() if _valid(value) else None


def iso_date(raw: str | None) -> str | None:
    if not raw:
        return None
    text = " ".join(str(raw).split())
    if not text or len(text) > 100:
        return None
    if EPOCH.match(text):  # seconds (or milliseconds) since 1970
        value = datetime.fromtimestamp(int(text[:10]), tz=timezone.utc)
        return value.isoformat() if _valid(value) else None
    m = ISO.match(text)
    if m:
        y, mo, d, hh, mm, ss, zone = m.groups()
        day = _ymd(y, mo, d)
        if day is None or hh is None:
            return day
        stamp = f"{day}T{hh}:{mm}:{ss or '00'}"
        if zone:
            zone = "+00:00" if zone == "Z" else (zone if ":" in zone or len(zone) == 3 else zone[:3] + ":" + zone[3:])
            stamp += zone if len(zone) > 3 else zone + ":00"
        try:
            return datetime.fromisoformat(stamp).isoformat()
        except ValueError:
            return day
    if "," in text[:5] or RFC_TIME.search(text):
        try:
            value = parsedate_to_datetime(text)  # RFC 2822: "Wed, 14 May 2025 09:12:00 GMT"
            if _valid(value):
                return value.isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    for pattern, order in ((SLASHED_YMD, "ymd"), (DOTTED, "dmy")):
        m = pattern.search(text)
        if m:
            a, b, c = m.groups()
            return _ymd(a, b, c) if order == "ymd" else _ymd(c, b, a)
    m = DAY_MONTH_YEAR.search(text)
    if m and m.group(2).lower() in MONTHS:
        return _ymd(m.group(3), MONTHS[m.group(2).lower()], m.group(1))
    m = MONTH_DAY_YEAR.search(text)
    if m and m.group(1).lower() in MONTHS:
        return _ymd(m.group(3), MONTHS[m.group(1).lower()], m.group(2))
    return None


def url_date(url: str | None) -> str | None:
    """A date written in an address's path: /2025/05/14/ or /2025-05-14-headline."""
    m = URL_DATE.search(url or "")
    return _ymd(*m.groups()) if m else None
