"""Shared fixtures, and the full-data checks: tests that read the public data beside a checkout
(../shared, or ADMSIM_SHARED) run when it is there and are not collected when it is not, so a
clone without it reports 0 skipped. The same derivations run everywhere from
tests/data/shared_excerpt/ (its README names each file's source). `make check-data` runs only
the full-data checks."""
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ADMSIM_SHARED", ROOT.parent / "shared"))
SHARED_DATA = SHARED / "data"
SHARED_SEEDS = SHARED / "seeds"
EXCERPT = ROOT / "tests" / "data" / "shared_excerpt"
# A test needs ../shared/<folder> if it asks for the fixture or carries the marker.
NEEDS = {"shared_data": SHARED_DATA, "shared_seeds": SHARED_SEEDS}
_NOT_COLLECTED = pytest.StashKey[int]()


def pytest_configure(config):
    config.addinivalue_line("markers", "shared_data: a full-data check against ../shared "
                            "(set by the shared_data and shared_seeds fixtures; make check-data)")


@pytest.hookimpl(tryfirst=True)  # before -m shared_data selects on the marker
def pytest_collection_modifyitems(config, items):
    kept, absent = [], []
    for item in items:
        folders = [NEEDS[f] for f in NEEDS if f in item.fixturenames]
        if item.get_closest_marker("shared_data"):
            folders.append(SHARED_DATA)
        if folders:
            item.add_marker("shared_data")
        (absent if any(not f.is_dir() for f in folders) else kept).append(item)
    if absent:
        config.hook.pytest_deselected(items=absent)
        items[:] = kept
    config.stash[_NOT_COLLECTED] = len(absent)


def pytest_report_collectionfinish(config):
    n = config.stash.get(_NOT_COLLECTED, 0)
    if n:
        missing = " and ".join(str(f) for f in NEEDS.values() if not f.is_dir())
        return f"{n} full-data checks not collected: {missing} absent (ADMSIM_SHARED names another folder)"


@pytest.fixture
def small_profile():
    return json.loads((ROOT / "tests" / "data" / "profile_small.json").read_text())


@pytest.fixture
def shared_data():
    return SHARED_DATA  # present: the hook above drops this test otherwise


@pytest.fixture
def shared_seeds():
    return SHARED_SEEDS


@pytest.fixture
def excerpt():
    """The excerpt of shared/data in the same layout (tests/data/shared_excerpt/README.md)."""
    return EXCERPT


@pytest.fixture(params=[pytest.param(EXCERPT, id="excerpt"),
                        pytest.param(SHARED_DATA, id="shared", marks=pytest.mark.shared_data)])
def data_dir(request):
    """A folder laid out like shared/data: the excerpt everywhere, the real data where present."""
    return request.param
