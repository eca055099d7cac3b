"""The next week's input folder, written from a sample folder: what an operator receives in a realistic week.

    .venv/bin/python benchmarks/week.py <sample folder> <week folder> [--seed N]

- WHD republishes its whole bulk zip (`WHD_enforcement.zip`, the same chunk CSVs): every row as it was,
  ~0.5 % of the cases revised (back wages raised, a later findings end date, a new load time) and ~1 %
  new cases (an existing case's employer and findings under a new case id) appended to the last chunk.
- OFLC publishes the first quarter of a new fiscal year: `H-2A_Disclosure_Data_FY<next>_Q1.xlsx`, laid
  out as the newest year's workbook (same header and sheet naming, a spelling the parser reads), with
  the newest year's first-quarter decisions moved one year on (dates + 365 days, case numbers' year too).

Every other file is linked (or copied) unchanged. Deterministic for a seed. Unchanged WHD rows keep their
exact bytes; a revised or new row is written with Python's csv module in the same minimal quoting.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

WHD_ZIP = "WHD_enforcement.zip"
NEW_SHARE = 0.01
CHANGED_SHARE = 0.005
WEEK_LOAD_DT = "2026-10-04 22:14:03+00:00"  # a week after the sample's load (sources/whd/sample.py)
ZIP_TIME = (2026, 10, 4, 22, 14, 3)
H2A_MAIN = re.compile(r"H-2A_Disclosure_Data_FY(\d{4})(?:_Q4)?\.xlsx")
QUARTER_SHIFT = timedelta(days=365)
CASE_NUMBER = re.compile(r"^(H-300-)(\d{2})(\d{3}-\d+)$")
DEFAULT_SEED = 20261204


@dataclass(frozen=True)
class WeekSummary:
    whd_rows: int
    whd_new: int
    whd_changed: int
    h2a_file: str
    h2a_rows: int


def write_week(sample: Path, out: Path, *, seed: int = DEFAULT_SEED) -> WeekSummary:
    """Write `out` as `sample` one week later; returns what changed."""
    sample, out = Path(sample), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(sample.iterdir()):
        if path.is_file() and path.name != WHD_ZIP and path.suffix != ".json":
            _link(path, out / path.name)
    rng = random.Random(seed)
    rows, new, changed = republish_whd(sample / WHD_ZIP, out / WHD_ZIP, rng)
    h2a_file, h2a_rows = add_h2a_quarter(sample, out)
    return WeekSummary(rows, new, changed, h2a_file, h2a_rows)


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# ------------------------------------------------------------------------------------------------
# WHD: the whole file republished
# ------------------------------------------------------------------------------------------------


def republish_whd(source: Path, target: Path, rng: random.Random) -> tuple[int, int, int]:
    """(rows written, new cases, revised cases)."""
    with zipfile.ZipFile(source) as archive:
        members = [(info.filename, archive.read(info).decode("latin-1")) for info in archive.infolist()]
    header = next(csv.reader(io.StringIO(members[0][1].split("\n", 1)[0])))
    column = {name: i for i, name in enumerate(header)}
    chunks = [_lines(text) for _, text in members]
    total = sum(len(lines) for lines in chunks)
    picked = set(rng.sample(range(total), max(1, round(total * CHANGED_SHARE))))
    max_case = 0
    written, number = [], 0
    for lines in chunks:
        body = []
        for line in lines:
            fields = _fields(line, len(header))
            max_case = max(max_case, int(fields[column["CASE_ID"]]))
            body.append(_format(_revised(fields, column, rng)) if number in picked else line)
            number += 1
        written.append(body)
    donors = rng.sample(range(total), max(1, round(total * NEW_SHARE)))
    flat = [line for lines in chunks for line in lines]
    for offset, donor in enumerate(sorted(donors), start=1):
        fields = _fields(flat[donor], len(header))
        fields[column["CASE_ID"]] = str(max_case + offset)
        fields[column["LOAD_DT"]] = WEEK_LOAD_DT
        written[-1].append(_format(fields))
    header_line = members[0][1].split("\n", 1)[0]
    _write_zip(target, [(name, header_line, body) for (name, _), body in zip(members, written, strict=True)])
    return total + len(donors), len(donors), len(picked)


def _lines(text: str) -> list[str]:
    """The data lines of one chunk (the header and the final newline left out)."""
    lines = text.split("\n")[1:]
    return lines[:-1] if lines and lines[-1] == "" else lines


def _fields(line: str, width: int) -> list[str]:
    (fields,) = list(csv.reader([line]))
    if len(fields) != width:
        raise ValueError(f"a WHD line of {len(fields)} fields, header has {width} (a quoted newline?): {line[:80]}")
    return fields


def _format(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def _revised(fields: list[str], column: dict[str, int], rng: random.Random) -> list[str]:
    """Back wages raised (the total and the FLSA amount, which sum to it) and a later findings end."""
    fields = list(fields)
    raise_by = rng.randint(50, 5000)
    for name in ("BW_ATP_AMT", "FLSA_BW_ATP_AMT"):
        fields[column[name]] = _plus(fields[column[name]], raise_by)
    end = fields[column["FINDINGS_END_DATE"]]
    if end:
        day, rest = end[:10], end[10:]
        later = min(date.fromisoformat(day) + timedelta(days=rng.randint(7, 90)), date(2026, 9, 30))
        fields[column["FINDINGS_END_DATE"]] = max(later, date.fromisoformat(day)).isoformat() + rest
    fields[column["LOAD_DT"]] = WEEK_LOAD_DT
    return fields


def _plus(amount: str, add: int) -> str:
    value = (float(amount) if amount else 0.0) + add
    return str(int(value)) if value == int(value) else f"{value:.2f}"


def _write_zip(target: Path, members: list[tuple[str, str, list[str]]]) -> None:
    tmp = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, body in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, ("\n".join([header, *body]) + "\n").encode("latin-1"))
    tmp.replace(target)


# ------------------------------------------------------------------------------------------------
# H-2A: the first quarter of the next fiscal year
# ------------------------------------------------------------------------------------------------


def add_h2a_quarter(sample: Path, out: Path) -> tuple[str, int]:
    """Write FY<newest+1> Q1 from the newest year's Q1 decisions; (file name, rows)."""
    from python_calamine import CalamineWorkbook

    from sources.h2a.sample import write_xlsx

    newest = max((int(m.group(1)), path) for path in sample.iterdir() if (m := H2A_MAIN.fullmatch(path.name)))
    year, path = newest
    book = CalamineWorkbook.from_path(str(path))
    sheet = book.sheet_names[0]
    header, *rows = book.get_sheet_by_index(0).to_python()
    decided = header.index("DECISION_DATE")
    first_quarter_end = date(year - 1, 12, 31)
    quarter = [row for row in rows if _day(row[decided]) and _day(row[decided]) <= first_quarter_end]
    next_year = year + 1
    name = f"H-2A_Disclosure_Data_FY{next_year}_Q1.xlsx"
    records = ({h: _moved(h, v) for h, v in zip(header, row, strict=True)} for row in quarter)
    write_xlsx(out / name, sheet.replace(str(year), str(next_year)), tuple(header), records)
    return name, len(quarter)


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _moved(column: str, value):
    """A value one year on: dates shifted, the year in an H-300 case number advanced."""
    if isinstance(value, date):
        return value + QUARTER_SHIFT
    if column == "CASE_NUMBER" and isinstance(value, str) and (m := CASE_NUMBER.match(value)):
        return f"{m.group(1)}{int(m.group(2)) + 1:02d}{m.group(3)}"
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(write_week(args.sample, args.out, seed=args.seed))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
