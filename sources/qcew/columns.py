"""The column dictionary of the QCEW annual table: every spelling a real annual file gave each column.

A spelling enters only with the real file(s) whose header shows it; ``tests/fixtures/real/qcew/PROVENANCE.md``
says where each header was read. Every header seen so far uses BLS's own lower-case names; the one
variation is the establishment count, ``annual_avg_estabs`` in the open-data slices and singlefiles,
``annual_avg_estabs_count`` in the by_area / by_industry files (which also add five ``*_title`` columns).

The core is what the table cannot do without: the key columns of the contract (area, ownership,
industry, aggregation level, size class, year), the disclosure code (the suppression rule: a cell
BLS suppressed is published as 0 and must become NULL) and annual average employment (the
denominator the marts use). Establishments, wages, pay and ``qtr`` are optional: a header without
them loads with NULLs there. A quarterly slice (``qtrly_estabs``, ``month1_emplvl``...) lacks the
annual employment column and is told apart before matching (``sources.common.file_kinds``).
"""

from __future__ import annotations

from sources.common.columns import ColumnDictionary

# Real files whose headers were read (tests/fixtures/real/qcew/PROVENANCE.md says where).
SLICE_2023 = "api/2023/a/industry/10.csv (BLS open-data annual slice, quoted)"
SLICE_2025 = "api/2025/a/industry/10.csv and 3351.csv (BLS open-data annual slices, unquoted recording)"
SINGLEFILE_2017 = "2017_annual_singlefile.zip member 2017.annual.singlefile.csv (DC and DE excerpts)"
BY_AREA_2024 = "2024_annual_by_area.zip member '2024.annual 01029 Cleburne County, Alabama.csv'"
PLAIN = (SLICE_2023, SLICE_2025, SINGLEFILE_2017)  # annual_avg_estabs, no titles
EVERY = (*PLAIN, BY_AREA_2024)


def _in_every(*names: str) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(names, EVERY)


ANNUAL_COLUMNS = ColumnDictionary(
    "BLS QCEW annual",
    {
        "area_fips": {"area_fips": EVERY},
        "own_code": {"own_code": EVERY},
        "industry_code": {"industry_code": EVERY},
        "agglvl_code": {"agglvl_code": EVERY},
        "size_code": {"size_code": EVERY},
        "year": {"year": EVERY},
        "qtr": {"qtr": EVERY},
        "disclosure_code": {"disclosure_code": EVERY},
        "annual_avg_estabs": {"annual_avg_estabs": PLAIN, "annual_avg_estabs_count": (BY_AREA_2024,)},
        "annual_avg_emplvl": {"annual_avg_emplvl": EVERY},
        "total_annual_wages": {"total_annual_wages": EVERY},
        "annual_avg_wkly_wage": {"annual_avg_wkly_wage": EVERY},
        "avg_annual_pay": {"avg_annual_pay": EVERY},
    },
    core=(
        ("area_fips",),
        ("own_code",),
        ("industry_code",),
        ("agglvl_code",),
        ("size_code",),
        ("year",),
        ("disclosure_code",),
        ("annual_avg_emplvl",),
    ),
    # Seen in real annual files, not loaded: dropped without a warning.
    known={
        **_in_every(
            "taxable_annual_wages",
            "annual_contributions",
            "lq_disclosure_code",
            "lq_annual_avg_emplvl",
            "lq_total_annual_wages",
            "lq_taxable_annual_wages",
            "lq_annual_contributions",
            "lq_annual_avg_wkly_wage",
            "lq_avg_annual_pay",
            "oty_disclosure_code",
            "oty_annual_avg_emplvl_chg",
            "oty_annual_avg_emplvl_pct_chg",
            "oty_total_annual_wages_chg",
            "oty_total_annual_wages_pct_chg",
            "oty_taxable_annual_wages_chg",
            "oty_taxable_annual_wages_pct_chg",
            "oty_annual_contributions_chg",
            "oty_annual_contributions_pct_chg",
            "oty_annual_avg_wkly_wage_chg",
            "oty_annual_avg_wkly_wage_pct_chg",
            "oty_avg_annual_pay_chg",
            "oty_avg_annual_pay_pct_chg",
        ),
        **dict.fromkeys(("lq_annual_avg_estabs", "oty_annual_avg_estabs_chg", "oty_annual_avg_estabs_pct_chg"), PLAIN),
        **dict.fromkeys(
            (
                "area_title",
                "own_title",
                "industry_title",
                "agglvl_title",
                "size_title",
                "lq_annual_avg_estabs_count",
                "oty_annual_avg_estabs_count_chg",
                "oty_annual_avg_estabs_count_pct_chg",
            ),
            (BY_AREA_2024,),
        ),
    },
    table="raw_qcew__annual_employment",
)
