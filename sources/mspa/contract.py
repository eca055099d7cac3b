"""Contract of the MSPA farm labor contractor registry (`raw_mspa__farm_labor_contractors`).

WHD's list of farm labor contractors (FLCs) holding a certificate under the Migrant and Seasonal
Agricultural Worker Protection Act, one row per certificate, as exported (CSV or Excel) from
https://www.dol.gov/agencies/whd/agriculture/mspa/farm-labor-contractors. Column names are the
published ones in snake_case; the Y/N authorization flags become booleans.
"""

from __future__ import annotations

from sources.common.contract import Column, TableContract, make_contract

# Published header (legacy XLS/CSV download) -> canonical column, in file order.
PUBLISHED_COLUMNS: dict[str, str] = {
    "Cert Num": "cert_num",
    "FLC Business or FLC Individual": "flc_name",
    "FLC Address": "flc_address",
    "FLC City": "flc_city",
    "FLC State": "flc_state",
    "FLC Zip": "flc_zip",
    "FLC Phone Number": "flc_phone_number",
    "Flc Bus Desc": "flc_business_description",
    "Driving Authorization": "has_driving_authorization",
    "Housing Authorization": "has_housing_authorization",
    "Transportation Authorization": "has_transportation_authorization",
    "FLC Certificate Start Date": "certificate_start_date",
    "FLC Certificate Valid Until": "certificate_valid_until_date",
}

FARM_LABOR_CONTRACTORS = make_contract(
    "mspa",
    "farm_labor_contractors",
    "MSPA-certificated farm labor contractors as published by WHD: one row per certificate (cert_num).",
    [
        Column("cert_num", "string", "Certificate number (text; leading zeros kept).", False),
        Column("flc_name", "string", "Name of the FLC business or individual, as published."),
        Column("flc_address", "string", "Street address."),
        Column("flc_city", "string", "City."),
        Column("flc_state", "string", "State (two-letter code as published)."),
        Column("flc_zip", "string", "ZIP code as text; 3-4 digit numbers from Excel cells are zero-padded to 5."),
        Column("flc_phone_number", "string", "Phone number as published."),
        Column("flc_business_description", "string", "'Flc Bus Desc' as published."),
        Column("has_driving_authorization", "bool", "Authorized to drive workers (Y/N)."),
        Column("has_housing_authorization", "bool", "Authorized to house workers (Y/N)."),
        Column("has_transportation_authorization", "bool", "Authorized to transport workers (Y/N)."),
        Column("certificate_start_date", "date", "Certificate start date (published M/D/YYYY or M/D/YY)."),
        Column("certificate_valid_until_date", "date", "Certificate valid until (published M/D/YYYY or M/D/YY)."),
    ],
    primary_key=("cert_num",),
)

CONTRACTS: tuple[TableContract, ...] = (FARM_LABOR_CONTRACTORS,)
