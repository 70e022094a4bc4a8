"""tests/data/shared_excerpt/: the small cut of shared/data the derivation tests run from; each
file is named in its README, and the cut is faithful to ../shared/data where that is present."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _files(excerpt):
    return sorted(p for p in excerpt.rglob("*") if p.is_file() and p.name != "README.md")


def test_every_excerpt_file_is_named_in_its_readme_and_the_whole_is_small(excerpt):
    readme = (excerpt / "README.md").read_text(encoding="utf-8")
    for path in _files(excerpt):
        assert f"`{path.relative_to(excerpt).as_posix()}`" in readme, path
    assert sum(p.stat().st_size for p in _files(excerpt)) < 250_000


def test_the_excerpt_is_a_fresh_cut_of_the_shared_data(shared_data, excerpt):
    spec = importlib.util.spec_from_file_location(
        "_build_shared_excerpt", ROOT / "scripts" / "build_shared_excerpt.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.main([str(shared_data), "--out", str(excerpt), "--check"]) == 0
