"""Reading one published cell of a debarment list: dates in their several spellings, durations,
names with footnote markers, entity types and "City, State" locations. Pure functions of text."""

from __future__ import annotations

import difflib
import re
from datetime import date

from sources.common.reference import STATE_BY_NAME, STATE_CODES

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


# "May 13, 2020", "Sept. 5, 2020"; tolerated: a comma after the month or a period after the day, as
# in the real "September, 24, 2022" and "September, 24. 2022".
_LONG_DATE = re.compile(r"([A-Za-z]+)\.?\s*(,)?\s*(\d{1,2})\s*([,.])?\s*(\d{4})")


_DATEISH = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*,?\s*\d|\d{1,2}/\d{1,2}/\d|\bpermanent\b"
)


PERMANENT = "permanent"


# Entity types the lists use; a value cut short in its PDF cell ('Labor Contracto') is completed.
ENTITY_TYPES = ("Employer", "Agent", "Attorney", "Labor Contractor")


_SHORT_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")


_DURATION = re.compile(r"(?:(\d+)\s*(?:years?|yrs?))?\s*(?:(\d+)\s*(?:months?|mos?))?\.?", re.IGNORECASE)


_DASHES = "[-\u2010\u2011\u2012\u2013]"


def clean(cell: str | None) -> str:
    """Collapse whitespace (wrapped cells arrive with newlines) and strip."""
    return " ".join((cell or "").split())


def header_key(cell: str | None) -> str:
    """A header cell by meaning: case, whitespace and punctuation dropped ('Start ofDebarment',
    'Start of\nDebarment' and 'START OF DEBARMENT' -> 'startofdebarment')."""
    return re.sub(r"[\W_]+", "", (cell or "").casefold())


def parse_date(text: str | None) -> date | None:
    """'May 13, 2020', 'Sept. 5, 2020', '1/19/2014' or '7/17/19' -> date; anything else -> None."""
    return read_date(text)[0]


def read_date(text: str | None) -> tuple[date | None, str | None]:
    """The date a cell gives, and why it had to be read tolerantly (None when it was as published)."""
    text = clean(text)
    if match := _LONG_DATE.fullmatch(text):
        tolerated = match.group(2) is not None or match.group(4) == "."
        parsed = _date_or_none(_MONTHS.get(match.group(1).lower()), int(match.group(3)), int(match.group(5)))
        return parsed, ("stray punctuation in the published date" if tolerated and parsed else None)
    return _short_date(text), None


def _date_or_none(month: int | None, day: int, year: int) -> date | None:
    try:
        return date(year, month, day) if month else None
    except ValueError:
        return None


def _short_date(text: str) -> date | None:
    if match := _SHORT_DATE.fullmatch(text):
        month, day, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if len(match.group(3)) == 2:  # the strptime pivot: 00-68 -> 20xx, 69-99 -> 19xx
            year += 2000 if year < 69 else 1900
        return _date_or_none(month, day, year)
    return None


def looks_like_a_date(text: str | None) -> bool:
    """A month name, a m/d/y group or 'Permanent': the cell was meant as a date, readable or not."""
    return bool(_DATEISH.search(clean(text)))


def duration_months(text: str | None) -> int | None:
    """'2 years' -> 24, '18 months' -> 18, '1 year 6 months' -> 18; None when not a duration."""
    match = _DURATION.fullmatch(clean(text))
    if not match or not any(match.groups()):
        return None
    years, months = (int(g) if g else 0 for g in match.groups())
    return years * 12 + months


def split_footnote(published: str) -> tuple[str, str | None]:
    """A name and its footnote marker: trailing '*' or '**', or a digit glued to the last word ('Global1')."""
    name = clean(published)
    if match := re.fullmatch(r"(.*?)\s*(\*+)", name):
        return match.group(1), match.group(2)
    if match := re.fullmatch(r"(.*[A-Za-z])(\d)", name):
        return match.group(1), match.group(2)
    return name, None


def entity_type(published: str) -> tuple[str, str | None]:
    """The list's entity type, completing a value cut short in its cell; (value, why it was corrected)."""
    text = clean(published)
    for known in ENTITY_TYPES:
        if text.lower() == known.lower():
            return known, None
    completions = [k for k in ENTITY_TYPES if len(text) >= 4 and k.lower().startswith(text.lower())]
    if len(completions) == 1:
        return completions[0], "entity type cut short in the PDF cell"
    return text, None


def split_location(published: str) -> tuple[str | None, str | None, bool]:
    """'Immokalee, Florida' -> ('Immokalee', 'FL', True); the flag is False when the state is not recognised."""
    city, state, known, _ = read_location(published)
    return city, state, known


def read_location(published: str) -> tuple[str | None, str | None, bool, str | None]:
    """Like split_location, plus why the state was read tolerantly ('Kentucy' is Kentucky), if it was."""
    text = clean(published)
    if not text:
        return None, None, True, None
    city, _, state = text.rpartition(",") if "," in text else ("", "", text)
    city, state = city.strip() or None, state.strip()
    if state.upper() in STATE_BY_NAME:
        return city, STATE_BY_NAME[state.upper()].code, True, None
    close = difflib.get_close_matches(state.upper(), STATE_BY_NAME, n=1, cutoff=0.85) if len(state) > 3 else []
    if close:
        return city, STATE_BY_NAME[close[0]].code, True, f"misspelt state name, read as {close[0].title()}"
    return (*_state_code_or_city(text, city, state), None)


def _state_code_or_city(text: str, city: str | None, state: str) -> tuple[str | None, str | None, bool]:
    if re.fullmatch(r"[A-Za-z]{2}", state):
        return city, state.upper(), state.upper() in STATE_CODES
    if "," not in text:  # no state at all: keep the text as the city
        return text, None, False
    return city, None, False
