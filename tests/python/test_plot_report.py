"""Charts (results.plot), the HTML report, to_parquet, and the CLI's --out files."""
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import admsim  # noqa: E402
from admsim.report import FIGURES, output_files, write_report  # noqa: E402
from admsim.scenario import DEFAULT_MODELS  # noqa: E402
from admsim.simulate import METRICS  # noqa: E402

MODELS = ["in_house", "latc", "independent_trust"]
PLOTS = {
    "fan": lambda p: p.fan("caseload"),
    "fan_cost": lambda p: p.fan("cost"),
    "fan_share": lambda p: p.fan("agency_share", models=["latc"]),
    "grades": lambda p: p.grades(),
    "grades_subset": lambda p: p.grades(models=["latc", "in_house"]),
    "costs": lambda p: p.costs(),
    "costs_outcome": lambda p: p.costs("mean_turnover_rate"),
    "differences": lambda p: p.differences(),
    "differences_prob": lambda p: p.differences("good_by_year3"),
}


@pytest.fixture(scope="module", params=["full", "summary"])
def results(request):
    profile = json.loads((Path(__file__).parents[1] / "data" / "profile_small.json").read_text())
    return admsim.simulate(profile, MODELS, years=4, replicates=30, seed=4, output=request.param,
                           progress=False)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _title(fig: Figure) -> str:
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return suptitle or fig.axes[0].get_title()


@pytest.mark.parametrize("name", PLOTS)
def test_every_plot_returns_a_titled_figure_with_labelled_axes(results, name):
    fig = PLOTS[name](results.plot)
    assert isinstance(fig, Figure)
    assert _title(fig).strip()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert any(ax.get_xlabel() for ax in visible) and any(ax.get_ylabel() for ax in visible)
    assert all(ax.get_title() or fig._suptitle is not None for ax in visible)


def test_plot_details(results):
    fig = results.plot.fan("cla", models=["latc"])
    (line,) = [ln for ln in fig.axes[0].lines if ln.get_label() == "latc"]
    assert line.get_color() == results.plot.colours["latc"]  # same colour as with all models
    assert "Years" in fig.axes[0].get_xlabel()
    assert "£m" in results.plot.fan("cost").axes[0].get_ylabel()
    assert "paired, common random numbers" in _title(results.plot.differences())
    fig, ax = plt.subplots()
    assert results.plot.costs(ax=ax) is fig
    assert len(results.plot.grades(models=["latc"]).axes) == 1


@pytest.mark.parametrize("call", [
    lambda p: p.fan("no_such_metric"),
    lambda p: p.costs("no_such_outcome"),
    lambda p: p.differences("no_such_outcome"),
    lambda p: p.grades(models=["no_such_model"]),
    lambda p: p.fan("cla", models=["no_such_model"]),
])
def test_unknown_names_raise_key_error_listing_known_names(results, call):
    with pytest.raises(KeyError, match="known: "):
        call(results.plot)


def test_key_error_names_known_metrics(results):
    with pytest.raises(KeyError, match="caseload"):
        results.plot.fan("caseloads")


def test_to_parquet_round_trips(results, tmp_path):
    path = results.to_parquet(tmp_path / "metrics.parquet")
    back = pd.read_parquet(path)
    if results.summary_only:
        assert list(back.index.names) == ["model", "month"]
        assert list(back.columns) == METRICS
        for model in results.models:
            assert back.loc[model, "cla"].to_numpy() == pytest.approx(
                results.metric_mean("cla")[model].to_numpy())
    else:
        pd.testing.assert_frame_equal(back, results.to_pandas())


def _remote_references(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]*|url\(\s*["']?(?:https?:)?//""",
                      page, flags=re.I)


def test_write_report_writes_every_file_self_contained(results, tmp_path):
    page = write_report(results, tmp_path / "report", title="Test & report")
    assert page == tmp_path / "report" / "report.html"
    for path in output_files(tmp_path / "report"):
        assert path.is_file() and path.stat().st_size > 0, path
    text = page.read_text(encoding="utf-8")
    assert not _remote_references(text)
    sources = re.findall(r'<img src="([^"]*)"', text)
    assert len(sources) == len(FIGURES)
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert "<title>Test &amp; report</title>" in text
    assert "evidence that any delivery model improves outcomes is thin" in text
    assert "Test Shire" in text and "independent_trust" in text
    summary = pd.read_parquet(tmp_path / "report" / "summary.parquet")
    pd.testing.assert_frame_equal(summary, results.summary())
    assert plt.get_fignums() == []  # the report leaves no figures open


def test_remote_reference_check_catches_remote_resources():
    assert _remote_references('<img src="https://x.org/a.png">')
    assert _remote_references("<link href='//cdn.example/a.css'>")
    assert not _remote_references('<img src="data:image/png;base64,AAAA">')


# ---- command line ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "report"
    run = subprocess.run(
        [sys.executable, "-m", "admsim", "compare", "--replicates", "20", "--years", "2",
         "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return out, run.stdout


def test_cli_compare_out_writes_summary_charts_and_report(cli_report):
    out, stdout = cli_report
    assert "ΔNPV £m (90%)" in stdout  # the printed table is unchanged
    for path in output_files(out):
        assert path.is_file(), path
        assert str(path) in stdout  # the CLI names every file it wrote
    assert {p.name for p in out.glob("*.png")} == {name for name, _, _ in FIGURES}


def test_cli_and_python_api_give_identical_summaries(cli_report, tmp_path):
    out, _ = cli_report
    # with --out the CLI runs in full mode (the report's conclusion needs every replicate)
    res = admsim.simulate("example-county", list(DEFAULT_MODELS), years=2, replicates=20, seed=1,
                          output="full", progress=False)
    res.summary().to_csv(tmp_path / "api.csv")
    assert (tmp_path / "api.csv").read_text() == (out / "summary.csv").read_text()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), res.summary())


# ---- the report in a real browser -----------------------------------------------------------

_CHECK = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__errors.push(t && t !== window ? "failed to load " + (t.src || t.href) : "error: " + e.message);
}, true);
var __consoleError = console.error;
console.error = function () {
  window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
  __consoleError.apply(console, arguments);
};
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var verdict = document.createElement("pre");
  verdict.id = "verdict";
  verdict.textContent = JSON.stringify({
    images: images.length,
    broken: images.filter(function (i) { return !i.complete || i.naturalWidth === 0; })
                  .map(function (i) { return i.alt; }),
    errors: window.__errors});
  document.body.appendChild(verdict);
});
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI (Debian package 'chromium', see scripts/setup.sh)")
    pytest.skip("no chromium binary (install the Debian package 'chromium')")


def _browse(page: Path, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=5000",
         *flags, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60)


def _verdict(page: Path, tmp_path: Path) -> dict:
    """Load a copy of ``page`` with the checking script first in <head>; return its verdict."""
    checked = tmp_path / f"checked-{page.name}"
    checked.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + _CHECK, 1),
                       encoding="utf-8")
    run = _browse(checked, tmp_path)
    found = re.search(r'<pre id="verdict">(.*?)</pre>', run.stdout, flags=re.S)
    assert found, f"no verdict in the page (chromium rc {run.returncode}): {run.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def _console_lines(page: Path, tmp_path: Path) -> list[str]:
    run = _browse(page, tmp_path, "--enable-logging=stderr", "--v=0")
    assert run.returncode == 0, run.stderr[-2000:]
    return [line for line in run.stderr.splitlines()
            if "Uncaught" in line or ("CONSOLE" in line and page.name in line)]


def test_report_renders_in_headless_chromium(cli_report, tmp_path):
    out, _ = cli_report
    page = out / "report.html"
    verdict = _verdict(page, tmp_path)
    assert verdict == {"images": len(FIGURES), "broken": [], "errors": []}
    assert _console_lines(page, tmp_path) == []


def test_browser_check_catches_broken_pages(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body>'
                   '<img src="missing.png" alt="gone"><script>console.error("boom");'
                   'undefinedFunction();</script></body></html>')
    verdict = _verdict(bad, tmp_path)
    assert verdict["broken"] == ["gone"]
    assert any("boom" in e for e in verdict["errors"])
    assert any("undefinedFunction" in e for e in verdict["errors"])
    assert any("Uncaught" in line for line in _console_lines(bad, tmp_path))


# ---- many models: colours, legends inside the figure, 200 dpi PNG and SVG ---------------------

@pytest.fixture(scope="module", params=[6, 25], ids=["6-models", "25-models"])
def many(request):
    models = list(DEFAULT_MODELS) if request.param == 6 else list(admsim.catalogue().index)
    assert len(models) == request.param
    return admsim.simulate("example-county", models, years=3, replicates=12, seed=2,
                           progress=False)


def test_model_colours_never_repeat():
    from matplotlib.colors import to_hex

    from admsim.plot import model_colours

    for n in (6, 10, 25, 60, 80):
        colours = model_colours([f"m{i}" for i in range(n)])
        assert len({to_hex(c) for c in colours.values()}) == n, n
    # the first models keep their colours as more are added
    assert list(model_colours(["a", "b"]).values()) == list(model_colours(["a", "b", "c"]).values())[:2]


def _inside(fig: Figure) -> None:
    """Every legend, and everything drawn, lies within the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert legends or len(fig.axes) == 1
    for legend in legends:
        ext = legend.get_window_extent(renderer)
        assert (ext.x0 >= box.x0 - 1 and ext.y0 >= box.y0 - 1 and ext.x1 <= box.x1 + 1
                and ext.y1 <= box.y1 + 1), (ext, box)
    tight = fig.get_tightbbox(renderer)  # inches
    w, h = fig.get_size_inches()
    assert tight.x0 >= -0.02 and tight.y0 >= -0.02 and tight.x1 <= w + 0.02 and tight.y1 <= h + 0.02


def test_charts_for_many_models_are_distinct_and_fit(many):
    from matplotlib.colors import to_hex

    p = many.plot
    n = len(many.models)
    fan = p.fan("caseload")
    medians = [ln for ax in fan.axes for ln in ax.lines if ln.get_label() in many.models]
    assert len(medians) == n and len({to_hex(ln.get_color()) for ln in medians}) == n
    assert len([ax for ax in fan.axes if ax.get_visible()]) == n  # small multiples, one a model
    _inside(fan)
    grades = p.grades()
    assert len([ax for ax in grades.axes if ax.get_visible()]) == n
    _inside(grades)
    for fig in (p.costs(order="best"), p.differences(order="best"),
                p.differences("good_by_year3", order="best"), p.costs("overspend_any")):
        _inside(fig)
    costs = p.costs()
    assert [t.get_text() for t in costs.axes[0].get_yticklabels()] == list(reversed(many.models))
    dots = [ln for ln in costs.axes[0].lines if ln.get_marker() == "o"]
    assert len({to_hex(ln.get_color()) for ln in dots}) == n
    plt.close("all")


def test_probability_differences_use_a_paired_bootstrap_interval(results):
    from admsim.intervals import probability_stats as _probability_stats

    fig = results.plot.differences("good_by_year3")
    mean, lo, hi = _probability_stats(results, "good_by_year3", paired=True)
    drawn = fig.axes[0].collections[0].get_segments()  # the first row drawn is the last model
    (x0, _), (x1, _) = drawn[0]
    m = results.models.index(results.models[-1])
    assert (x0, x1) == pytest.approx((lo[m], hi[m]))
    assert "percentage points" in fig.axes[0].get_xlabel()


def test_report_charts_are_200_dpi_png_and_svg(results, tmp_path):
    from PIL import Image

    write_report(results, tmp_path / "r", sensitivity=False)
    for name, _, _ in FIGURES:
        png = tmp_path / "r" / name
        with Image.open(png) as im:
            assert im.info["dpi"] == pytest.approx((200, 200), abs=0.1), name
        svg = png.with_suffix(".svg")
        assert svg.is_file() and "<svg" in svg.read_text(encoding="utf-8")[:2000], svg
