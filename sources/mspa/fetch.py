"""Where WHD publishes the MSPA farm labor contractor list.

The landing page (https://www.dol.gov/agencies/whd/agriculture/mspa/farm-labor-contractors) once
offered "Download Worksheet (XLS, CSV)"; it is now a Tableau view whose export URL and column names
were not found in any stored source. No URL is fetched automatically: download the export by hand
and drop it into the raw archive under a name the file pattern accepts (e.g.
``FLCWksht.csv``, the export's own name). An unknown export header fails the parse naming its columns.
"""

from __future__ import annotations

from sources.common.fetch import RemoteFile

LANDING_PAGE = "https://www.dol.gov/agencies/whd/agriculture/mspa/farm-labor-contractors"


def remote_files() -> list[RemoteFile]:
    return []
