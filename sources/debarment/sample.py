"""Write the two OFLC debarment PDFs in their published layout, from the sample world's debarments.

``program_debarments.pdf`` mimics the current Program Debarments PDF: three ruled tables, each
opened by a merged heading row ("Permanent Labor Certification Debarment List", "H-2A ...",
"H-2B ..."); PERM has a spacer row, a header split over two rows ("Employer" / "Location") and a
CFR Citation column; H-2A and H-2B have six columns. Tables flow over pages without repeating
heading or header, so a page can end one list and start the next. Names of WHD-originated
debarments carry a trailing ``*``; locations spell the state out ("Immokalee, Florida"); dates
read "May 13, 2020". ``expired_h2a_debarments.pdf`` is one table ``Name | City, State | Violation |
Duration | Start date | End date`` with M/D/YYYY dates (a few M/D/YY, as in the real list).

Entries come from `planted_debarments(world)`: current H-2A/H-2B ones go to the program lists,
expired H-2A ones to the expired list; a handful of PERM entries are drawn from other employers.
The list sizes follow the real lists and do not grow with scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sources.common.sample_world import (
    STATES_BY_CODE,
    Employer,
    PlantedDebarment,
    World,
    name_variant,
    planted_debarments,
)
from sources.debarment.contract import expired_record_id, program_record_id
from sources.debarment.parse import EXPIRED_COLUMNS, PROGRAM_COLUMNS, PROGRAM_HEADINGS

PROGRAM_FILE = "program_debarments.pdf"
EXPIRED_FILE = "expired_h2a_debarments.pdf"
PERM_ENTRIES = 24  # about a page, as in the real PDF (its H-2A list ends on page 4)
_PERM_VIOLATIONS = [
    ("Failure to respond to an audit", "20 C.F.R. § 656.31(f)(1)(ii)"),
    ("Plea Agreement", "20 C.F.R. § 656.31(f)(1)(i)"),
    ("Failure to comply with the terms of a labor certification", "20 C.F.R. § 656.31(f)(1)(iii)"),
    ("Pattern or practice of failure to comply", "20 C.F.R. § 656.31(f)(1)(iv)"),
]
_TYPES = {"ag": "Employer", "flc": "Labor Contractor", "other": "Employer"}
_PUBLISHED = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
# Column widths in points (US Letter portrait, 540 points between the margins).
_WIDTHS = {7: (104, 52, 84, 64, 64, 86, 86), 6: (124, 62, 100, 72, 72, 110)}
_EXPIRED_WIDTHS = (132, 96, 142, 50, 60, 60)
_CELL_PADDING = 3


def write_sample(world: World, out_dir: Path) -> list[Path]:
    """Write both debarment PDFs into `out_dir`; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lists, expired = generate_lists(world)
    return [write_program_pdf(lists, out_dir / PROGRAM_FILE), write_expired_pdf(expired, out_dir / EXPIRED_FILE)]


def generate_lists(world: World) -> tuple[dict[str, list[tuple[str, ...]]], list[tuple[str, ...]]]:
    """The published cells of every list, and ground truth for each entry.

    Returns:
        (program -> rows of 7 (PERM) or 6 cells, sorted by name; expired rows of 6 cells by start date).
    """
    rng = world.child_rng("debarment")
    lists: dict[str, list[tuple[str, ...]]] = {program: [] for program in PROGRAM_HEADINGS}
    expired: list[tuple[date, tuple[str, ...]]] = []
    for debarment in planted_debarments(world):
        name = name_variant(debarment.employer, rng)
        if not debarment.is_expired_on(world.config.today):
            lists[debarment.program].append(_program_row(world, debarment, name))
        elif debarment.program == "H-2A":
            expired.append((debarment.start, _expired_row(world, debarment, name, rng)))
    for employer, start, years, (violation, citation) in _perm_entries(world, rng):
        name = name_variant(employer, rng)
        end = _anniversary(start, years) - timedelta(days=1)
        location = f"{employer.city}, {STATES_BY_CODE[employer.state].name}"
        lists["PERM"].append((name, "Employer", location, _long(start), _long(end), violation, citation))
        world.truth.add(employer, "debarment", program_record_id("PERM", name, start), name)
    for rows in lists.values():
        rows.sort(key=lambda row: row[0].lower())
    expired.sort(key=lambda item: item[0])
    return lists, [row for _, row in expired]


def _program_row(world: World, debarment: PlantedDebarment, name: str) -> tuple[str, ...]:
    employer = debarment.employer
    world.truth.add(employer, "debarment", program_record_id(debarment.program, name, debarment.start), name)
    location = f"{employer.city}, {STATES_BY_CODE[employer.state].name}"
    written = f"{name}*" if debarment.is_whd_debarment else name
    return (written, _TYPES[employer.kind], location, _long(debarment.start), _long(debarment.end), debarment.violation)


def _expired_row(world: World, debarment: PlantedDebarment, name: str, rng) -> tuple[str, ...]:
    employer = debarment.employer
    years = round((debarment.end - debarment.start).days / 365)
    duration = f"{years} year" if years == 1 else f"{years} years"
    record_id = expired_record_id(name, debarment.start, debarment.violation, duration)
    world.truth.add(employer, "debarment", record_id, name)
    # Older entries abbreviate the state ("Selby, SD"); later ones spell it out ("Sebring, Florida").
    state = STATES_BY_CODE[employer.state].name if debarment.start.year >= 2016 else employer.state
    two_digit = rng.random() < 0.06
    written = f"{name}*" if debarment.is_whd_debarment else name
    return (
        written,
        f"{employer.city}, {state}",
        debarment.violation,
        duration,
        _short(debarment.start, two_digit),
        _short(debarment.end, two_digit),
    )


def _perm_entries(world: World, rng) -> list[tuple[Employer, date, int, tuple[str, str]]]:
    others = world.of_kind("other")
    picks = rng.choice(len(others), size=min(PERM_ENTRIES, len(others)), replace=False)
    entries = []
    for index in picks.tolist():
        start = world.config.today - timedelta(days=int(rng.integers(30, 700)))
        violation = _PERM_VIOLATIONS[rng.integers(len(_PERM_VIOLATIONS))]
        entries.append((others[index], start, int(rng.choice([2, 3, 5])), violation))
    return entries


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _short(day: date, two_digit: bool = False) -> str:
    return f"{day.month}/{day.day}/{day.year % 100:02d}" if two_digit else f"{day.month}/{day.day}/{day.year}"


# --------------------------------------------------------------------------------------------
# PDF layout (also used by tests to typeset real published rows)
# --------------------------------------------------------------------------------------------


def new_document(title: str):
    """A US Letter document with the list's title on page 1, fonts set for the table rows."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="pt", format="letter")
    pdf.core_fonts_encoding = "windows-1252"  # en dashes, curly quotes and § as in the real PDFs
    pdf.set_margins(36, 36, 36)
    pdf.set_auto_page_break(True, margin=36)
    pdf.set_creation_date(_PUBLISHED)
    pdf.set_title(title)
    pdf.set_producer("Microsoft: Print To PDF")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 18, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=9)
    return pdf


def add_table(pdf, widths: Sequence[int], heading: str | None, header: Sequence[Sequence[str]], rows, spacer: bool):
    """A ruled table flowing over pages: merged heading row, optional spacer, header row(s), data rows."""
    from fpdf.fonts import FontFace

    bold = FontFace(emphasis="BOLD")
    _check_words_fit(pdf, widths, [*header, *rows])
    with pdf.table(
        width=sum(widths),
        col_widths=widths,
        first_row_as_headings=False,
        line_height=11,
        text_align="LEFT",
        align="LEFT",
        padding=_CELL_PADDING,
    ) as table:
        if heading:
            table.row().cell(heading, colspan=len(widths), style=bold, align="CENTER")
        if spacer:
            table.row().cell("", colspan=len(widths))
        for header_row in header:
            row = table.row()
            for text in header_row:
                row.cell(text, style=bold)
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)


def _check_words_fit(pdf, widths: Sequence[int], rows) -> None:
    """A word wider than its column would be split mid-word, which no real list does: refuse to typeset it."""
    for cells in rows:
        for width, text in zip(widths, cells, strict=False):
            for word in text.split():
                if pdf.get_string_width(word) > width - 2 * _CELL_PADDING:
                    raise ValueError(f"{word!r} does not fit a {width}-point column; widen the layout")


def write_program_pdf(lists: dict[str, list[tuple[str, ...]]], path: Path) -> Path:
    """Typeset the PERM, H-2A and H-2B lists (program -> rows of published cells) as the real PDF does."""
    pdf = new_document("Program Debarments")
    for program, heading in PROGRAM_HEADINGS.items():
        rows = lists.get(program, [])
        width = len(rows[0]) if rows else (7 if program == "PERM" else 6)
        if program == "PERM" and width == 7:
            # The real PERM header is split over two rows: "Employer" above "Location".
            header = [("Entity", "Entity Type", "Employer", *PROGRAM_COLUMNS[3:]), ("", "", "Location", "", "", "", "")]
        else:
            header = [PROGRAM_COLUMNS[:width]]
        add_table(pdf, _WIDTHS[width], heading, header, rows, spacer=program == "PERM")
        pdf.ln(14)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 10, "* Debarment originated by the Wage and Hour Division (WHD).")
    pdf.output(str(path))
    return path


def write_expired_pdf(rows: list[tuple[str, ...]], path: Path) -> Path:
    """Typeset the expired H-2A debarments (rows of 6 published cells) as one ruled table."""
    pdf = new_document("Expired H-2A Debarments")
    add_table(pdf, _EXPIRED_WIDTHS, None, [EXPIRED_COLUMNS], rows, spacer=False)
    pdf.output(str(path))
    return path
