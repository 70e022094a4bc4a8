"""Write python/admsim/data/scenario.schema.json (JSON Schema for editors) from the engine's names.

The C++ parser is the authority; this schema mirrors it so editors can complete and check files.
A test fails if the shipped schema differs from what this script writes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from admsim import _core

NUM = {"type": "number"}
RATE = {"type": "number", "minimum": 0, "maximum": 1}


def _dist() -> dict:
    return {"oneOf": [
        {"type": "object", "required": ["dist", "value"],
         "properties": {"dist": {"const": "fixed"}, "value": NUM, "rationale": {"type": "string"}},
         "additionalProperties": False},
        {"type": "object", "required": ["dist", "low", "high"],
         "properties": {"dist": {"const": "uniform"}, "low": NUM, "high": NUM, "rationale": {"type": "string"}},
         "additionalProperties": False},
        {"type": "object", "required": ["dist", "low", "mode", "high"],
         "properties": {"dist": {"const": "triangular"}, "low": NUM, "mode": NUM, "high": NUM,
                        "rationale": {"type": "string"}}, "additionalProperties": False},
        {"type": "object", "required": ["dist", "mean", "sd"],
         "properties": {"dist": {"const": "normal"}, "mean": NUM, "sd": {"type": "number", "minimum": 0},
                        "rationale": {"type": "string"}}, "additionalProperties": False},
        {"type": "object", "required": ["dist", "p"],
         "properties": {"dist": {"const": "bernoulli"}, "p": RATE, "rationale": {"type": "string"}},
         "additionalProperties": False},
        {"type": "object", "required": ["dist", "median", "sigma"],
         "properties": {"dist": {"const": "lognormal"}, "median": {"type": "number", "exclusiveMinimum": 0},
                        "sigma": {"type": "number", "minimum": 0}, "rationale": {"type": "string"}},
         "additionalProperties": False},
    ]}


def _profile() -> dict:
    placements = list(_core.placement_names)
    by_type = {"type": "object", "required": placements,
               "properties": {p: {"type": "number", "minimum": 0} for p in placements}}
    demand = ["referrals_per_10k", "rereferral_rate", "no_further_action_rate", "cin_per_10k",
              "cpp_per_10k", "cpp_starts_per_10k", "cpp_repeat_rate", "cla_per_10k",
              "cla_starts_per_10k", "cla_ceased_per_10k"]
    workforce = ["in_post_fte", "agency_fte", "vacancy_rate", "turnover_rate", "caseload",
                 "case_holding_share", "weekly_cost_employed", "weekly_cost_agency"]
    return {
        "type": "object",
        "required": ["name", "as_of", "population", "demand", "placements", "workforce", "finance", "ofsted"],
        "properties": {
            "name": {"type": "string"},
            "as_of": {"type": "string", "format": "date"},
            "population": {"type": "object", "required": ["children_0_17"],
                           "properties": {"children_0_17": {"type": "number", "minimum": 1},
                                          "growth_per_year": {"type": "number", "minimum": -0.2, "maximum": 0.2}}},
            "demand": {"type": "object", "required": demand,
                       "properties": {k: (RATE if k.endswith("rate") else {"type": "number", "minimum": 0})
                                      for k in demand}},
            "placements": {"type": "object", "required": ["mix", "weekly_cost"],
                           "properties": {"mix": by_type, "weekly_cost": by_type}},
            "workforce": {"type": "object", "required": workforce,
                          "properties": {k: {"type": "number", "minimum": 0} for k in workforce}},
            "finance": {"type": "object", "required": ["budget_per_year", "overheads_share"],
                        "properties": {"budget_per_year": {"type": "number", "minimum": 0},
                                       "overheads_share": {"type": "number", "minimum": 0},
                                       "budget_path": {"oneOf": [
                                           {"enum": ["flat_real", "demand_led"]},
                                           {"type": "array", "minItems": 1,
                                            "items": {"type": "number", "minimum": 0},
                                            "description": "one budget (GBP) a year"}]}}},
            "ofsted": {"type": "object", "required": ["last_grade", "last_inspection"],
                       "properties": {"last_grade": {"enum": ["outstanding", "good", "requires_improvement", "inadequate"]},
                                      "last_inspection": {"type": "string", "format": "date"}}},
        },
    }


def schema() -> dict:
    params = {r["name"]: {"type": "number", "minimum": r["min"], "maximum": r["max"],
                          "description": f"{r['meaning']} Default {r['default']:g} ({r['unit']}). Source: {r['source']}"}
              for r in _core.parameter_table()}
    model = {"oneOf": [
        {"type": "string", "description": "a catalogue id (admsim catalogue)"},
        {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "group": {"enum": ["in_house", "partnership", "new_vehicle", "commissioning"]},
            "attributes": {"type": "object"},
            "effects": {"type": "object", "properties": {h: _dist() for h in _core.hook_names},
                        "additionalProperties": False}}},
    ]}
    intervention = {"type": "object", "required": ["type", "start_month", "size"], "additionalProperties": False,
                    "properties": {"type": {"enum": list(_core.intervention_names)},
                                   "start_month": {"type": "integer", "minimum": 0},
                                   "duration_months": {"type": "integer", "minimum": 1},
                                   "size": NUM, "note": {"type": "string"},
                                   "models": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                              "description": "limit it to these delivery models (default: all)"}}}
    grades = {"enum": ["outstanding", "good", "requires_improvement", "inadequate"]}
    months = {"type": "integer", "minimum": 1}
    rule = {"type": "object", "required": ["when", "then"], "additionalProperties": False,
            "description": "start an intervention when a condition on the simulated state has held for_months",
            "properties": {
                "id": {"type": "string"}, "note": {"type": "string"},
                "when": {"oneOf": [
                    {"type": "object", "required": ["metric"], "additionalProperties": False,
                     "properties": {"metric": {"enum": list(_core.metric_names)}, "above": NUM, "below": NUM,
                                    "for_months": months}},
                    {"type": "object", "required": ["latest_grade"], "additionalProperties": False,
                     "properties": {"latest_grade": {"type": "array", "items": grades, "minItems": 1},
                                    "for_months": months}}]},
                "then": {"type": "object", "required": ["type", "size", "duration_months"], "additionalProperties": False,
                         "properties": {"type": {"enum": list(_core.intervention_names)}, "size": NUM,
                                        "duration_months": months}},
                "max_times": months, "cooldown_months": {"type": "integer", "minimum": 0},
                "from_month": months,
                "models": {"type": "array", "items": {"type": "string"}, "minItems": 1}}}
    vocab = _core.risk_vocabulary
    text = {"type": "string"}
    risk = {"type": "object", "additionalProperties": False,
            "required": ["id", "likelihood", "impact", "applies_to", "window", "effect"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                **{k: text for k in ("category", "risk", "consequence", "mitigation", "passage", "rationale")},
                "likelihood": {"enum": ["H", "M", "L"]}, "impact": {"enum": ["H", "M", "L"]},
                "applies_to": {"enum": list(vocab["applies_to"])}, "window": {"enum": list(vocab["window"])},
                "window_months": {"type": "array", "items": {"type": "integer", "minimum": 0},
                                  "minItems": 2, "maxItems": 2},
                "effect": {"type": "object", "required": ["type", "size"], "additionalProperties": False,
                           "properties": {"type": {"enum": list(vocab["effect"])},
                                          "size": {"type": "number", "minimum": 0},
                                          "months": {"type": "integer", "minimum": 1, "maximum": 120}}}}}
    risks = {"oneOf": [
        {"type": "array", "items": risk, "description": "the whole register ([]: no risk events)"},
        {"type": "object", "additionalProperties": False,
         "description": "edits of the shipped register (admsim.risks.edit)",
         "properties": {"remove": {"type": "array", "items": {"type": "string"}},
                        "add": {"type": "array", "items": risk},
                        "update": {"type": "object"}, "base": {"type": "array", "items": risk}}}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "admsim scenario",
        "type": "object",
        "required": ["profile", "models", "years", "replicates"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"}, "description": {"type": "string"},
            "profile": {"oneOf": [{"type": "string", "description": "a shipped profile slug or a path"}, _profile()]},
            "models": {"type": "array", "minItems": 1, "items": model},
            "years": {"type": "integer", "minimum": 1, "maximum": 50},
            "replicates": {"type": "integer", "minimum": 1, "maximum": 100000000},
            "seed": {"type": "integer", "minimum": 0},
            "decision_month": {"type": "integer", "minimum": 0},
            "interventions": {"type": "array", "items": intervention},
            "rules": {"type": "array", "items": rule},
            "risks": risks,
            "parameters": {"type": "object", "properties": params, "additionalProperties": False},
            "output": {"enum": ["full", "summary"]},
            "baseline": {"type": "string"},
            "common_random_numbers": {"type": "boolean"},
        },
    }


def render() -> str:
    return json.dumps(schema(), indent=1) + "\n"


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "python" / "admsim" / "data" / "scenario.schema.json"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
