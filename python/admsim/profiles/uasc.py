"""Councils with many unaccompanied asylum-seeking children (UASC): the national placement mix
re-weighted so the engine's calibration can hold them (:func:`fit_uasc`).

Why it is needed. The engine sends a share ``uasc_share_of_starts`` (default 0.1) of each
council's entries to care straight into supported accommodation (16-17) or agency foster care
(10-15), where they stay until 18; the other entries are then apportioned so the stock matches
the profile's placement mix. A council whose children in care turn over fast (CLA starts close to
its stock: Kent, Hillingdon, the central London boroughs, the City of London, all ports of entry
or arrival points with many UASC) gets more UASC in its stock than the national mix has room
for in supported accommodation, and the calibration refuses it
(``/parameters/uasc_share_of_starts: more UASC enter supported than the profile's placement mix
has room for``). That is the mix being wrong, not the council: its UASC live in supported
accommodation, so its supported share is above England's.

What is done. The DfE LA panels hold no placement or UASC counts by council, so the mix cannot be
read; it is re-weighted instead. England's mix is split into its UASC part (5,570 of 82,090
children in care at 31 March 2022, placed as the engine places UASC) and the rest; a council's
mix is ``(1 - q) * rest + q * UASC placements``, where ``q`` is its UASC share of children in
care. At England's share the mix is England's, unchanged; a council the engine accepts at the
national mix keeps it. For one it refuses, ``q`` is the smallest share (to 0.1 percentage point)
at which the engine's own calibration holds the UASC it sends there -- an estimate implied by the
council's flows and the engine's assumptions, said so in the profile's ``sources``, not a count.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from .. import _core, validation
from .loader import PLACEMENT_TYPES

#: UASC looked after at 31 March, England. Source: DfE, Children looked after in England
#: including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data), as
#: quoted for the engine parameter uasc_share_of_starts.
NATIONAL_UASC_IN_CARE = {2022: 5570}
UASC_SOURCE = ("DfE, Children looked after in England including adoptions, year ending 31 March "
               "2022 (national tables): 5,570 unaccompanied asylum-seeking children in care")

_UASC_POINTER = "/parameters/uasc_share_of_starts"
_DEFAULTS = {p["name"]: p["default"] for p in _core.parameter_table()}


def uasc_placements(share_16_17: float | None = None) -> dict[str, float]:
    """Where the engine places UASC: 16-17 in supported accommodation, the rest in agency foster
    care (``uasc_share_aged_16_17``, default the engine's)."""
    a = _DEFAULTS["uasc_share_aged_16_17"] if share_16_17 is None else float(share_16_17)
    return {t: (a if t == "supported" else 1.0 - a if t == "foster_agency" else 0.0)
            for t in PLACEMENT_TYPES}


def reweighted_mix(national: Mapping[str, float], q: float, q_national: float) -> dict[str, float]:
    """The mix of a council whose UASC share of children in care is ``q``, from England's mix
    (whose UASC share is ``q_national``); rounded to 6 places, summing to 1 exactly."""
    if not 0.0 <= q_national < 1.0 or not 0.0 <= q <= 1.0:
        raise ValueError(f"UASC shares must lie in [0, 1): got q={q!r}, national {q_national!r}")
    u = uasc_placements()
    rest = {t: (national[t] - q_national * u[t]) / (1.0 - q_national) for t in PLACEMENT_TYPES}
    bad = [t for t, v in rest.items() if v < -1e-12]
    if bad:
        raise ValueError(f"the national mix has less {', '.join(bad)} than England's UASC need "
                         f"(UASC share {q_national:.4f})")
    mix = {t: round(max(0.0, (1.0 - q) * rest[t] + q * u[t]), 6) for t in PLACEMENT_TYPES}
    biggest = max(mix, key=mix.get)
    mix[biggest] = round(1.0 - sum(v for k, v in mix.items() if k != biggest), 6)
    return mix


def _engine_error(profile: Mapping[str, Any]) -> str | None:
    """None if the engine accepts the profile, "uasc" if its calibration cannot hold the UASC,
    "other" for any other error (not this module's to fix: the caller's check reports it)."""
    try:
        validation.validate({"profile": dict(profile), "models": ["in_house"], "years": 1, "replicates": 1})
    except _core.ScenarioError as err:
        return "uasc" if getattr(err, "pointer", None) == _UASC_POINTER else "other"
    return None


def fit_uasc(profile: dict[str, Any], year: int) -> dict[str, Any]:
    """``profile`` unchanged if the engine holds its UASC at its placement mix (assumed England's);
    otherwise (and only for that error) a copy whose mix is re-weighted to the smallest UASC share of children in care
    (0.1 pp steps) that holds them, with ``sources`` and ``description`` saying so.

    Raises ValueError naming the council if no share does (the mix is not the problem then).
    """
    if _engine_error(profile) != "uasc":
        return profile
    from .reference import NATIONAL_PLACEMENTS, nearest_year

    y = nearest_year(year, NATIONAL_UASC_IN_CARE)
    q_nat = NATIONAL_UASC_IN_CARE[y] / NATIONAL_PLACEMENTS[y]["Total"]
    national = dict(profile["placements"]["mix"])

    def with_q(q: float) -> dict[str, Any]:
        out = dict(profile)
        out["placements"] = dict(profile["placements"], mix=reweighted_mix(national, q, q_nat))
        return out

    name = profile.get("name", "the council")
    if _engine_error(with_q(1.0)) is not None:
        raise ValueError(f"{name}: the engine cannot hold its UASC (uasc_share_of_starts "
                         f"{_DEFAULTS['uasc_share_of_starts']}) even if every child in care were one")
    lo, hi = q_nat, 1.0  # refused at lo, held at hi
    while hi - lo > 1e-4:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _engine_error(with_q(mid)) is not None else (lo, mid)
    q = min(1.0, math.ceil(hi * 1000 - 1e-9) / 1000)
    out = with_q(q)
    if _engine_error(out) is not None:  # not monotone in q: keep the share the bisection found
        q, out = hi, with_q(hi)
    demand = profile.get("demand", {})
    why = (f"{name}'s placement mix re-weighted for unaccompanied asylum-seeking children: England's "
           f"mix ({UASC_SOURCE}, {q_nat:.1%} of {NATIONAL_PLACEMENTS[y]['Total']:,}, taken out as "
           f"the engine places UASC: {_DEFAULTS['uasc_share_aged_16_17']:.0%} supported, the rest "
           f"agency foster care) with UASC put back at {q:.1%} of children in care, the smallest "
           f"share (0.1 pp steps) at which the engine's calibration holds the UASC its "
           f"uasc_share_of_starts ({_DEFAULTS['uasc_share_of_starts']}) brings at {name}'s CLA "
           f"starts {demand.get('cla_starts_per_10k')} and stock {demand.get('cla_per_10k')} per "
           f"10k; an estimate (the LA panels hold no UASC or placement counts by council), "
           f"not a count")
    sources = dict(profile.get("sources") or {})
    for t in PLACEMENT_TYPES:
        sources[f"placements.mix.{t}"] = why
    out["sources"] = {k: sources[k] for k in sorted(sources)}
    said = f"placement mix national re-weighted for UASC ({q:.1%} of children in care)"
    text = str(profile.get("description", ""))
    out["description"] = (text.replace("placement mix national", said) if "placement mix national" in text
                          else f"{text} The {said}.".strip())
    return out
