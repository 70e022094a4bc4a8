"""`admsim appraise` from the command line, and its section of the report."""
import subprocess
import sys

import pandas as pd


def test_appraise_cli_writes_tables_and_report(tmp_path):
    out = tmp_path / "appraisal"
    proc = subprocess.run(
        [sys.executable, "-m", "admsim", "appraise", "--profile", "worcestershire-2017",
         "--models", "in_house", "strategic_partnership", "latc", "independent_trust",
         "--years", "3", "--replicates", "20", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ranks first" in proc.stdout or "share first place" in proc.stdout or "Robust" in proc.stdout
    gateway = pd.read_csv(out / "gateway.csv", index_col=0)
    assert not gateway.loc["in_house", "passed"]
    assert gateway.loc["latc", "passed"]
    table = pd.read_csv(out / "appraisal.csv", index_col=0)
    ranks = table[[c for c in table.columns if c.startswith("P(rank")]].dropna()
    assert (abs(ranks.sum(axis=0) - 1) < 1e-9).all()
    html = (out / "report.html").read_text()
    assert "Options appraisal" in html and "Critical success factors" in html
    for name in ["appraisal_ranks.png", "appraisal_heatmap.png", "csf.csv"]:
        assert (out / name).stat().st_size > 0


def test_appraise_cli_rejects_unknown_weight(tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text('{"no_such_criterion": 1}')
    proc = subprocess.run(
        [sys.executable, "-m", "admsim", "appraise", "--models", "in_house", "latc",
         "--years", "3", "--replicates", "5", "--weights", str(weights)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "no_such_criterion" in proc.stderr
