"""Write `<staging model>.yml` for staging models whose columns are renames of a source contract.

Descriptions come from the contract (the single place of truth); a renamed column keeps its
source column's description. Run after changing a staging model: `python docs/dev/gen_staging_yml.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from sources import all_tables

STAGING = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"
GRAINS = {
    "stg_h2a__disclosure": (
        "one row per published row of an H-2A disclosure file (file_fiscal_year, case_number, case_row)"
    ),
    "stg_h2a__addendum_b_worksites": (
        "one row per additional worksite of an H-2A case (file_fiscal_year, case_number, worksite_row)"
    ),
    "stg_qcew__annual_employment": (
        "one row per QCEW area x ownership x industry x level x size x year (area_fips, ownership_code, "
        "industry_code, aggregation_level_code, size_code, calendar_year)"
    ),
    "stg_debarment__program_debarments": (
        "one row per entry of the current OFLC program debarment list (program, entity_name, debarment_start_date)"
    ),
    "stg_debarment__expired_h2a_debarments": (
        "one row per entry of the expired H-2A debarment list "
        "(entity_name, debarment_start_date, violation, duration_text)"
    ),
    "stg_mspa__farm_labor_contractors": "one row per MSPA farm labor contractor certificate (certificate_number)",
}
EXTRA = {
    "stg_debarment__expired_h2a_debarments.program": "Debarment program: always H-2A on the expired list.",
    "employer_zip_code": (
        "Employer ZIP code as text; 3-4 digit values (old files stored ZIPs as numbers) are left-padded to 5."
    ),
    "is_suppressed": (
        "True when BLS suppressed the cell (disclosure code N): employment and wages are unknown (NULL), not zero."
    ),
}
_ALIAS = re.compile(r"^\s+(?:(?P<expr>.+?)\s+as\s+(?P<alias>\w+)|(?P<bare>\w+)),?\s*$")


def staging_columns(sql: str) -> list[tuple[str, str | None]]:
    """(output column, source column or None) for each select item of the `renamed` CTE."""
    body = sql.split("renamed as (")[1].split("from source")[0]
    columns = []
    for line in body.splitlines():
        first_word = (line.split() or [""])[0]
        if first_word in ("select", "--", "case", "when", "else", "end") and " as " not in line:
            continue
        match = _ALIAS.match(line)
        if not match:
            continue
        if match["bare"]:
            columns.append((match["bare"], match["bare"]))
        else:
            sources = re.findall(r"\b([a-z_0-9]+)\b", match["expr"])
            columns.append((match["alias"], next((s for s in sources if s not in _SQL_WORDS), None)))
    return columns


_SQL_WORDS = {
    "upper",
    "trim",
    "lower",
    "nullif",
    "case",
    "when",
    "then",
    "else",
    "end",
    "regexp_matches",
    "lpad",
    "as",
    "and",
    "or",
    "is",
    "null",
    "not",
    "n",
}


def main() -> None:
    for spec, table in all_tables():
        model = f"stg_{spec.name}__{table.contract.name}"
        sql_path = STAGING / f"{model}.sql"
        if model not in GRAINS or not sql_path.exists():
            continue
        descriptions = {c.name: c.description for c in table.contract.columns}
        columns = []
        for name, source in staging_columns(sql_path.read_text()):
            description = (
                EXTRA.get(f"{model}.{name}")
                or EXTRA.get(name)
                or descriptions.get(source or name)
                or descriptions.get(name)
            )
            if not description:
                raise SystemExit(f"{model}.{name}: no description (source column {source})")
            columns.append({"name": name, "description": description})
        key = [c.strip() for c in GRAINS[model].split("(")[-1].rstrip(")").split(",")] if "(" in GRAINS[model] else []
        document = {
            "version": 2,
            "models": [
                {
                    "name": model,
                    "description": (
                        f"Staging of raw.{table.contract.table_name}: {GRAINS[model]}. Renames and light casts only."
                    ),
                    "columns": columns,
                }
            ],
        }
        if len(key) > 1:
            document["models"][0]["data_tests"] = [
                {"unique_combination_of_columns": {"arguments": {"combination_of_columns": key}}}
            ]
        for column in columns:
            if key and column["name"] in key:
                column["data_tests"] = ["not_null"] + (["unique"] if len(key) == 1 else [])
        (STAGING / f"{model}.yml").write_text(yaml.safe_dump(document, sort_keys=False, width=110), encoding="utf-8")
        print(f"wrote {model}.yml ({len(columns)} columns)")


if __name__ == "__main__":
    main()
