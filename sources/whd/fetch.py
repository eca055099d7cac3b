"""Where WHD publishes the compliance-actions data (no API key is needed for the bulk zip)."""

from __future__ import annotations

from sources.common.fetch import RemoteFile

BULK_ZIP_URL = "https://data.dol.gov/data-catalog/WHD/enforcement/WHD_enforcement.zip"
# Legacy catalog (eras 1-2), dated by publication day; it now redirects to the bulk zip.
# The legacy dated zips (whd_whisard_YYYYMMDD.csv.zip) were served from
# https://enfxfr.dol.gov/data_catalog/WHD/ (now redirected); they load from a folder or the drop folder.


def remote_files() -> list[RemoteFile]:
    return [RemoteFile(BULK_ZIP_URL, "WHD_enforcement.zip")]
