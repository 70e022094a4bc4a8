# The README's two commands: `make demo` and `make test`. Each sets up what is missing first;
# stamps under build/ (one set per Python environment) skip set-up and reinstall when nothing
# they depend on has changed.
PY ?= python3
BUILD := build/py
# make bench REPLICATES=10000 THREADS=1,2,4 REPEATS=3: bench_engine's run (all 25 models; each
# repeat times the limit and each thread count in turn, and it prints medians and spread)
REPLICATES ?= 2000
THREADS ?= 1,2
REPEATS ?= 5
# the share of the nightly Sobol job bench_sensitivity.py runs (1: the whole, tens of minutes)
SENSITIVITY_SCALE ?= 0.1
# the share of bench_national.py's replicates (1: the measurement, several minutes on 2 cores)
NATIONAL_SCALE ?= 1
STAMPS := build/stamps/$(shell $(PY) -c 'import hashlib, sys; print(hashlib.sha1(sys.prefix.encode()).hexdigest()[:10])')
SOURCES := CMakeLists.txt pyproject.toml $(shell find cpp python/admsim -type f -not -name '*.pyc' -not -name '*.so' 2>/dev/null)

.PHONY: setup install demo test test-cpp test-python check-data bench clean fuzz sanitize lab

setup: $(STAMPS)/setup
$(STAMPS)/setup: scripts/setup.sh requirements-dev.txt
	@bash scripts/setup.sh
	@mkdir -p $(STAMPS) && touch $@

# chromium, for the tests only (they open the HTML report headless)
$(STAMPS)/browser: scripts/setup.sh
	@bash scripts/setup.sh --browser
	@mkdir -p $(STAMPS) && touch $@

# Builds the extension and the Catch2 tests in one CMake build ($(BUILD)), reused between runs.
install: $(STAMPS)/install
$(STAMPS)/install: $(STAMPS)/setup $(SOURCES)
	PIP_ROOT_USER_ACTION=ignore $(PY) -m pip install -q --no-build-isolation -C cmake.define.ADMSIM_BUILD_TESTS=ON .
	@touch $@

demo: install
	$(PY) -m admsim compare --profile example-county --years 10 --replicates 1000 --out out/demo

test-cpp: install
	ctest --test-dir $(BUILD) --output-on-failure

test-python: install $(STAMPS)/browser
	$(PY) -m pytest -q tests/python

test: test-cpp test-python

# Only the full-data checks (pytest -m shared_data): the shipped derived files against a fresh
# derivation from the public data in ../shared (or ADMSIM_SHARED=DIR). `make test` runs them too
# when the data are there and leaves them out, not skipped, when not.
SHARED_DIR := $(or $(ADMSIM_SHARED),$(abspath ..)/shared)
check-data: install
	@test -d "$(SHARED_DIR)/data" || { echo "check-data: $(SHARED_DIR)/data not found (ADMSIM_SHARED=DIR names another folder)"; exit 1; }
	ADMSIM_SHARED="$(SHARED_DIR)" $(PY) -m pytest -q -m shared_data tests/python

# JupyterLab for the notebooks (the `notebook` extra)
lab: install
	PIP_ROOT_USER_ACTION=ignore $(PY) -m pip install -q --no-build-isolation ".[notebook]"
	$(PY) -m jupyterlab notebooks

bench: install
	cmake -S . -B build/bench -DADMSIM_BUILD_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build/bench -j2
	./build/bench/bench_samplers
	./build/bench/bench_quality
	./build/bench/bench_engine python/admsim/data/profiles/example-county.json python/admsim/data/catalogue.json $(REPLICATES) 10 $(THREADS) $(REPEATS)
	$(PY) benchmarks/bench_reference.py
	$(PY) benchmarks/bench_policy.py
	$(PY) benchmarks/bench_region.py $(if $(wildcard ../shared/data/la_panels),--panels ../shared/data/la_panels)
	$(PY) benchmarks/bench_sensitivity.py --scale $(SENSITIVITY_SCALE)
	$(PY) benchmarks/bench_national.py --scale $(NATIONAL_SCALE)

clean:
	rm -rf build out

# Fuzz the scenario parser and engine (scripts/fuzz.py); new findings go to tests/data/fuzz_corpus/.
# make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 1800
fuzz: install
	$(PY) scripts/fuzz.py --seconds $(FUZZ_SECONDS)

# The core and the Catch2 tests (the fuzz corpus among them) under AddressSanitizer and
# UndefinedBehaviorSanitizer, in their own build folder; any report fails the target.
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
sanitize: setup
	cmake -S . -B build/sanitize -DADMSIM_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZE_FLAGS)" >/dev/null
	cmake --build build/sanitize -j2 --target admsim_tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build/sanitize --output-on-failure
