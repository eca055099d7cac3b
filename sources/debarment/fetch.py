"""Where OFLC publishes its debarment lists.

The Program Debarments page URL itself serves the current PDF (seen by a public ingester; an
underlying file name under /sites/dolgov/files/ETA/ was not found). www.dol.gov has refused
non-browser clients; see the source notes. The expired H-2A list's URL is UNVERIFIED: no stored
source showed it; the one below follows OFLC's file folder convention and must be checked before
relying on it (a wrong URL fails the fetch, it cannot load wrong data).
"""

from __future__ import annotations

from sources.common.fetch import RemoteFile

PROGRAM_DEBARMENTS_URL = "https://www.dol.gov/agencies/eta/foreign-labor/program-debarments"
# Unverified guess (OFLC's PDF folder); the old list lived at foreignlaborcert.doleta.gov.
EXPIRED_H2A_URL = "https://www.dol.gov/sites/dolgov/files/ETA/oflc/pdfs/Expired_H-2A_Debarments.pdf"
# The list was once at https://www.foreignlaborcert.doleta.gov/pdf/Debarment_List_Revisions.pdf (retired).


def program_remote_files() -> list[RemoteFile]:
    return [RemoteFile(PROGRAM_DEBARMENTS_URL, "program_debarments.pdf")]


def expired_remote_files() -> list[RemoteFile]:
    return [RemoteFile(EXPIRED_H2A_URL, "expired_h2a_debarments.pdf")]
