"""Write the MSPA farm labor contractor list as WHD's CSV (or Excel) download.

One row per certificate with the legacy 13-column header, Y/N authorization flags and dates that
mix ``2/26/2020`` and ``2/24/22``. Rows are every farm labor contractor of the sample world but the
`unlicensed_contractors` (names written via `name_variant`, recorded in the ground truth as dataset
``mspa``) plus individuals
certificated in their own name, ~9,000 rows at scale 1 as in the real list. The CSV is written as
WHD's export ``FLCWksht.csv`` is (issue #14): CRLF line endings, then a record-count trailer row
(``8962,,,,,...``) and a blank row. ``fmt="xlsx"`` writes ``mspa_farm_labor_contractors.xlsx``.
Quoting is minimal (an assumption).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sources.common.sample_world import (
    STATES_BY_CODE,
    World,
    address_variant,
    name_variant,
    typo,
    unlicensed_contractors,
    zip_variant,
)
from sources.mspa.contract import PUBLISHED_COLUMNS

ROWS_AT_SCALE_1 = 9_000
CSV_FILE = "FLCWksht.csv"
XLSX_FILE = "mspa_farm_labor_contractors.xlsx"
_FIRST_NAMES = [
    "Jose",
    "Juan",
    "Maria",
    "Luis",
    "Carlos",
    "Jesus",
    "Antonio",
    "Miguel",
    "Francisco",
    "Pedro",
    "Manuel",
    "Rosa",
    "Ana",
    "Guadalupe",
    "Javier",
    "Ramon",
    "Rafael",
    "Ricardo",
    "Roberto",
    "Alejandro",
    "Martin",
    "Raul",
    "Sergio",
    "Jorge",
    "Elena",
    "Patricia",
    "Daniel",
    "David",
    "John",
    "Michael",
    "James",
    "Robert",
    "William",
    "Mary",
    "Linda",
    "Thomas",
    "Charles",
    "Joseph",
]
_SURNAMES = [
    "Garcia",
    "Martinez",
    "Rodriguez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Torres",
    "Flores",
    "Rivera",
    "Gomez",
    "Diaz",
    "Reyes",
    "Cruz",
    "Morales",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ramos",
    "Ruiz",
    "Mendoza",
    "Castillo",
    "Jimenez",
    "Vasquez",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Vargas",
    "Castro",
    "Guzman",
    "Munoz",
    "Salazar",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
]
_STATE_ODDS = {"CA": 30, "FL": 12, "TX": 10, "WA": 8, "GA": 5, "NC": 4, "AZ": 4, "OR": 4, "MI": 3, "NY": 2}


def row_count(world: World) -> int:
    return max(40, round(ROWS_AT_SCALE_1 * world.config.scale))


def write_sample(world: World, out_dir: Path, *, fmt: str = "csv") -> list[Path]:
    """Write the FLC list into `out_dir` as CSV (default) or XLSX; return the written path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = generate_rows(world)
    if fmt == "xlsx":
        return [_write_xlsx(rows, out_dir / XLSX_FILE)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PUBLISHED_COLUMNS)
    writer.writerows(rows)
    writer.writerow([len(rows), *[""] * (len(PUBLISHED_COLUMNS) - 1)])  # the export's record-count trailer
    buffer.write("\r\n")  # and its blank last row
    path = out_dir / CSV_FILE
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return [path]


def generate_rows(world: World) -> list[tuple[str, ...]]:
    """The published cells, one tuple per certificate in the header's order, sorted by name."""
    rng = world.child_rng("mspa")
    unlicensed = {e.entity_id for e in unlicensed_contractors(world)}
    contractors = [e for e in world.of_kind("flc") if e.entity_id not in unlicensed]
    total = max(row_count(world), len(contractors))
    numbers = rng.permutation(np.arange(100_000, 100_000 + total * 40))[:total]
    rows = []
    for index in range(total):
        cert = f"{int(numbers[index]):07d}" if rng.random() < 0.1 else str(int(numbers[index]))
        if index < len(contractors):
            employer = contractors[index]
            name = name_variant(employer, rng)
            world.truth.add(employer, "mspa", cert, name)
            address, city, state = address_variant(employer, rng), employer.city, employer.state
            zip_code = zip_variant(employer, rng)
        else:
            name, address, city, state, zip_code = _individual(rng)
        place = (address, city, state, zip_code, _phone(rng))
        rows.append((cert, name, *place, "Farm Labor Contractor", *_flags(rng), *_dates(world, rng)))
    rows.sort(key=lambda row: row[1].lower())
    return rows


def _individual(rng: np.random.Generator) -> tuple[str, str, str, str, str]:
    first, last = _FIRST_NAMES[rng.integers(len(_FIRST_NAMES))], _SURNAMES[rng.integers(len(_SURNAMES))]
    name = f"{first} {last}"
    name = name.upper() if rng.random() < 0.3 else (typo(name, rng) if rng.random() < 0.05 else name)
    codes = list(STATES_BY_CODE)
    weights = np.array([_STATE_ODDS.get(c, 0.5 if STATES_BY_CODE[c].is_state else 0.0) for c in codes])
    state = codes[rng.choice(len(codes), p=weights / weights.sum())]
    street = f"{rng.integers(10, 9999)} {['Main', 'Oak', 'Ranch', 'Church', 'Valley'][rng.integers(5)]} St"
    prefix, place = ("San", "Santa", "Lake", "Fort", "Green"), ("Maria", "Rosa", "City", "Valley", "Grove")
    city = f"{prefix[rng.integers(5)]} {place[rng.integers(5)]}"
    return name, street, city, state, f"{STATES_BY_CODE[state].zip_prefix}{rng.integers(0, 100):02d}"


def _phone(rng: np.random.Generator) -> str:
    return f"({rng.integers(201, 990)}) {rng.integers(200, 999)}-{rng.integers(0, 10000):04d}"


def _flags(rng: np.random.Generator) -> tuple[str, str, str]:
    drive, house, transport = rng.random(3) < (0.6, 0.25, 0.5)
    return tuple("Y" if flag else "N" for flag in (drive, house, transport))


def _dates(world: World, rng: np.random.Generator) -> tuple[str, str]:
    start = world.config.today - timedelta(days=int(rng.integers(1, 3 * 365)))
    until = start + timedelta(days=int(rng.choice([365, 730, 1095])) - 1)
    return _written(start, rng.random() < 0.2), _written(until, rng.random() < 0.4)


def _written(day: date, two_digit_year: bool) -> str:
    return f"{day.month}/{day.day}/{day.year % 100:02d}" if two_digit_year else f"{day.month}/{day.day}/{day.year}"


def _write_xlsx(rows: list[tuple[str, ...]], path: Path) -> Path:
    """As Excel stores it: ZIPs typed as numbers (losing leading zeros), everything else as text."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as workbook:
        sheet = workbook.add_worksheet("FLC List")
        sheet.write_row(0, 0, list(PUBLISHED_COLUMNS))
        zip_column = list(PUBLISHED_COLUMNS).index("FLC Zip")
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if column == zip_column and value.isdigit():
                    sheet.write_number(number, column, int(value))
                else:
                    sheet.write_string(number, column, value)
    return path
