"""Matching a council's name across publishers: Ofsted, DfE and MHCLG spell the same council
differently ("Bristol, City of", "Worcestershire CC")."""
from __future__ import annotations

import re


def council_key(name: str) -> str:
    """Loose key for matching LA names across publishers (Ofsted, DfE and MHCLG spellings: MHCLG
    names county councils "Worcestershire CC")."""
    s = name.casefold().replace("&", " and ")
    s = re.sub(r",\s*(city|county) of\s*$", "", s)
    s = re.sub(r"\s+(cc|county council)\s*$", "", s)
    s = re.sub(r"[^a-z0-9 ]", " ", s)
    s = " ".join(s.split())
    return re.sub(r"^county ", "", s)
