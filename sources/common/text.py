"""How short published text compares: the Python twin of the dbt macro `text_key`.

Upper case, every run of punctuation and spaces as one space: 'CERTIFIED - FULL' and
'Certified-Full' are one value. tests/unit/test_text_key.py holds the macro and this function equal.
"""

from __future__ import annotations

import re


def text_key(text: str | None) -> str | None:
    key = re.sub(r"[^A-Z0-9]+", " ", (text or "").upper()).strip()
    return key or None
