"""The column dictionary of the MSPA farm labor contractor registry: every spelling a real export gave each column.

Only one real header is known: WHD's legacy download ``FLCWksht.csv`` (13 columns), as reported in
issue #14 and ``shared/data-notes.md`` §4 (``tests/fixtures/real/mspa/PROVENANCE.md`` says what was
searched: no public copy of the export was found). The current Tableau view may export other names
and two more expiry dates; no such header has been seen, so none of its names are here, and a file
using them fails naming what matched, what is missing and the unrecognised columns.

The core is what a certificate cannot do without: its number, the contractor's name and state, and
the certificate's validity dates (start and valid-until). Address, phone, business description and
the three authorization flags are optional (NULL when a header lacks them).
"""

from __future__ import annotations

from sources.common.columns import ColumnDictionary

# The one real header read (see PROVENANCE.md).
FLC_WKSHT = "FLCWksht.csv (WHD legacy FLC list download; header as reported in issue #14 and data-notes §4)"

FLC_COLUMNS = ColumnDictionary(
    "MSPA farm labor contractor registry",
    {
        "cert_num": {"Cert Num": (FLC_WKSHT,)},
        "flc_name": {"FLC Business or FLC Individual": (FLC_WKSHT,)},
        "flc_address": {"FLC Address": (FLC_WKSHT,)},
        "flc_city": {"FLC City": (FLC_WKSHT,)},
        "flc_state": {"FLC State": (FLC_WKSHT,)},
        "flc_zip": {"FLC Zip": (FLC_WKSHT,)},
        "flc_phone_number": {"FLC Phone Number": (FLC_WKSHT,)},
        "flc_business_description": {"Flc Bus Desc": (FLC_WKSHT,)},
        "has_driving_authorization": {"Driving Authorization": (FLC_WKSHT,)},
        "has_housing_authorization": {"Housing Authorization": (FLC_WKSHT,)},
        "has_transportation_authorization": {"Transportation Authorization": (FLC_WKSHT,)},
        "certificate_start_date": {"FLC Certificate Start Date": (FLC_WKSHT,)},
        "certificate_valid_until_date": {"FLC Certificate Valid Until": (FLC_WKSHT,)},
    },
    core=(
        ("cert_num",),
        ("flc_name",),
        ("flc_state",),
        ("certificate_start_date",),
        ("certificate_valid_until_date",),
    ),
    table="raw_mspa__farm_labor_contractors",
)
