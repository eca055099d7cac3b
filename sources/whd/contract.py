"""Contract of the WHD compliance-actions table (`raw_whd__compliance_actions`).

Canonical column names are the published lower-case names of the catalog file
(`whd_whisard.csv`), in file order; descriptions come from DOL's own data dictionary
(`whd_data_dictionary.csv`, committed beside this module). One row per concluded case.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from sources.common.contract import Column, TableContract, make_contract

DICTIONARY = Path(__file__).with_name("whd_data_dictionary.csv")

# The 109 columns of the catalog CSV in publication order (era 1); era 2 appends `ld_dt`.
WHISARD_COLUMNS: tuple[str, ...] = tuple(
    """
case_id trade_nm legal_name street_addr_1_txt cty_nm st_cd zip_cd naic_cd naics_code_description
case_violtn_cnt cmp_assd_cnt ee_violtd_cnt bw_atp_amt ee_atp_cnt findings_start_date findings_end_date
flsa_violtn_cnt flsa_repeat_violator flsa_bw_atp_amt flsa_ee_atp_cnt flsa_mw_bw_atp_amt flsa_ot_bw_atp_amt
flsa_15a3_bw_atp_amt flsa_cmp_assd_amt sca_violtn_cnt sca_bw_atp_amt sca_ee_atp_cnt mspa_violtn_cnt
mspa_bw_atp_amt mspa_ee_atp_cnt mspa_cmp_assd_amt h1b_violtn_cnt h1b_bw_atp_amt h1b_ee_atp_cnt
h1b_cmp_assd_amt fmla_violtn_cnt fmla_bw_atp_amt fmla_ee_atp_cnt fmla_cmp_assd_amt flsa_cl_violtn_cnt
flsa_cl_minor_cnt flsa_cl_cmp_assd_amt dbra_cl_violtn_cnt dbra_bw_atp_amt dbra_ee_atp_cnt h2a_violtn_cnt
h2a_bw_atp_amt h2a_ee_atp_cnt h2a_cmp_assd_amt flsa_smw14_violtn_cnt flsa_smw14_bw_amt
flsa_smw14_ee_atp_cnt cwhssa_violtn_cnt cwhssa_bw_amt cwhssa_ee_cnt osha_violtn_cnt osha_bw_atp_amt
osha_ee_atp_cnt osha_cmp_assd_amt eppa_violtn_cnt eppa_bw_atp_amt eppa_ee_cnt eppa_cmp_assd_amt
h1a_violtn_cnt h1a_bw_atp_amt h1a_ee_atp_cnt h1a_cmp_assd_amt crew_violtn_cnt crew_bw_atp_amt
crew_ee_atp_cnt crew_cmp_assd_amt ccpa_violtn_cnt ccpa_bw_atp_amt ccpa_ee_atp_cnt flsa_smwpw_violtn_cnt
flsa_smwpw_bw_atp_amt flsa_smwpw_ee_atp_cnt flsa_hmwkr_violtn_cnt flsa_hmwkr_bw_atp_amt
flsa_hmwkr_ee_atp_cnt flsa_hmwkr_cmp_assd_amt ca_violtn_cnt ca_bw_atp_amt ca_ee_atp_cnt pca_violtn_cnt
pca_bw_atp_amt pca_ee_atp_cnt flsa_smwap_violtn_cnt flsa_smwap_bw_atp_amt flsa_smwap_ee_atp_cnt
flsa_smwft_violtn_cnt flsa_smwft_bw_atp_amt flsa_smwft_ee_atp_cnt flsa_smwl_violtn_cnt
flsa_smwl_bw_atp_amt flsa_smwl_ee_atp_cnt flsa_smwmg_violtn_cnt flsa_smwmg_bw_atp_amt
flsa_smwmg_ee_atp_cnt flsa_smwsl_violtn_cnt flsa_smwsl_bw_atp_amt flsa_smwsl_ee_atp_cnt eev_violtn_cnt
h2b_violtn_cnt h2b_bw_atp_amt h2b_ee_atp_cnt sraw_violtn_cnt sraw_bw_atp_amt sraw_ee_atp_cnt
""".split()
)
LOAD_COLUMN = "ld_dt"
TEXT_COLUMNS = frozenset(
    {
        "trade_nm",
        "legal_name",
        "street_addr_1_txt",
        "cty_nm",
        "st_cd",
        "zip_cd",
        "naic_cd",
        "naics_code_description",
        "flsa_repeat_violator",
    }
)
DATE_COLUMNS = frozenset({"findings_start_date", "findings_end_date"})

# Acts with their back-wage, employees-due and penalty columns (None where WHD publishes none).
# Per-act back wages add up to `bw_atp_amt`; the FLSA mw/ot/15a3 split is a breakdown, not an act.
ACTS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    # act: (violations, back wages, employees due back wages, civil money penalties)
    "flsa": ("flsa_violtn_cnt", "flsa_bw_atp_amt", "flsa_ee_atp_cnt", "flsa_cmp_assd_amt"),
    "flsa_cl": ("flsa_cl_violtn_cnt", None, None, "flsa_cl_cmp_assd_amt"),
    "sca": ("sca_violtn_cnt", "sca_bw_atp_amt", "sca_ee_atp_cnt", None),
    "mspa": ("mspa_violtn_cnt", "mspa_bw_atp_amt", "mspa_ee_atp_cnt", "mspa_cmp_assd_amt"),
    "h1b": ("h1b_violtn_cnt", "h1b_bw_atp_amt", "h1b_ee_atp_cnt", "h1b_cmp_assd_amt"),
    "fmla": ("fmla_violtn_cnt", "fmla_bw_atp_amt", "fmla_ee_atp_cnt", "fmla_cmp_assd_amt"),
    "dbra": ("dbra_cl_violtn_cnt", "dbra_bw_atp_amt", "dbra_ee_atp_cnt", None),
    "h2a": ("h2a_violtn_cnt", "h2a_bw_atp_amt", "h2a_ee_atp_cnt", "h2a_cmp_assd_amt"),
    "h2b": ("h2b_violtn_cnt", "h2b_bw_atp_amt", "h2b_ee_atp_cnt", None),
    "flsa_smw14": ("flsa_smw14_violtn_cnt", "flsa_smw14_bw_amt", "flsa_smw14_ee_atp_cnt", None),
    "cwhssa": ("cwhssa_violtn_cnt", "cwhssa_bw_amt", "cwhssa_ee_cnt", None),
    "osha": ("osha_violtn_cnt", "osha_bw_atp_amt", "osha_ee_atp_cnt", "osha_cmp_assd_amt"),
    "eppa": ("eppa_violtn_cnt", "eppa_bw_atp_amt", "eppa_ee_cnt", "eppa_cmp_assd_amt"),
    "h1a": ("h1a_violtn_cnt", "h1a_bw_atp_amt", "h1a_ee_atp_cnt", "h1a_cmp_assd_amt"),
    "crew": ("crew_violtn_cnt", "crew_bw_atp_amt", "crew_ee_atp_cnt", "crew_cmp_assd_amt"),
    "ccpa": ("ccpa_violtn_cnt", "ccpa_bw_atp_amt", "ccpa_ee_atp_cnt", None),
    "flsa_smwpw": ("flsa_smwpw_violtn_cnt", "flsa_smwpw_bw_atp_amt", "flsa_smwpw_ee_atp_cnt", None),
    "flsa_hmwkr": (
        "flsa_hmwkr_violtn_cnt",
        "flsa_hmwkr_bw_atp_amt",
        "flsa_hmwkr_ee_atp_cnt",
        "flsa_hmwkr_cmp_assd_amt",
    ),
    "ca": ("ca_violtn_cnt", "ca_bw_atp_amt", "ca_ee_atp_cnt", None),
    "pca": ("pca_violtn_cnt", "pca_bw_atp_amt", "pca_ee_atp_cnt", None),
    "flsa_smwap": ("flsa_smwap_violtn_cnt", "flsa_smwap_bw_atp_amt", "flsa_smwap_ee_atp_cnt", None),
    "flsa_smwft": ("flsa_smwft_violtn_cnt", "flsa_smwft_bw_atp_amt", "flsa_smwft_ee_atp_cnt", None),
    "flsa_smwl": ("flsa_smwl_violtn_cnt", "flsa_smwl_bw_atp_amt", "flsa_smwl_ee_atp_cnt", None),
    "flsa_smwmg": ("flsa_smwmg_violtn_cnt", "flsa_smwmg_bw_atp_amt", "flsa_smwmg_ee_atp_cnt", None),
    "flsa_smwsl": ("flsa_smwsl_violtn_cnt", "flsa_smwsl_bw_atp_amt", "flsa_smwsl_ee_atp_cnt", None),
    "eev": ("eev_violtn_cnt", None, None, None),
    "sraw": ("sraw_violtn_cnt", "sraw_bw_atp_amt", "sraw_ee_atp_cnt", None),
}


def column_type(name: str) -> str:
    if name in TEXT_COLUMNS:
        return "string"
    if name in DATE_COLUMNS:
        return "date"
    if name == LOAD_COLUMN:
        return "timestamp"
    if name.endswith("_amt") or name == "cmp_assd_cnt":  # cmp_assd_cnt holds dollars
        return "double"
    return "int"


@cache
def dictionary_definitions() -> dict[str, str]:
    """column_name -> definition, from DOL's published data dictionary (HTML tags removed)."""
    with open(DICTIONARY, encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {
            r["column_name"]: " ".join(
                r["definition"].replace("<br>", " ").replace("<b>", "").replace("</b>", "").split()
            )
            for r in rows
        }


def _description(name: str) -> str:
    extra = {
        "cmp_assd_cnt": " In dollars despite the name (published as CMP_ASSD since the bulk-zip era).",
        "dbra_cl_violtn_cnt": " Published as DBRA_VIOLTN_CNT since the bulk-zip era.",
        "ld_dt": " Published as LOAD_DT since the bulk-zip era (with a UTC offset); absent from the oldest catalog "
        "files. Stored in UTC (era 2 wrote US time zone abbreviations such as EST).",
        "zip_cd": " Text: leading zeros kept.",
        "naic_cd": " Text: leading zeros kept; 2-6 digits.",
    }
    return dictionary_definitions().get(name, name).rstrip(".") + "." + extra.get(name, "")


COMPLIANCE_ACTIONS = make_contract(
    "whd",
    "compliance_actions",
    "WHD compliance actions as published: one row per concluded case (case_id), with totals and "
    "per-act violations, back wages agreed to pay, employees due back wages and civil money penalties.",
    [
        Column(name, column_type(name), _description(name), nullable=name != "case_id")
        for name in (*WHISARD_COLUMNS, LOAD_COLUMN)
    ],
    primary_key=("case_id",),
)

CONTRACTS: tuple[TableContract, ...] = (COMPLIANCE_ACTIONS,)
