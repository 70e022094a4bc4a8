# The README's two commands: `make demo` and `make test`. Each sets up what is missing first.
PY ?= python3
BUILD := build/py
# make bench REPLICATES=2000 THREADS=1,2,4
REPLICATES ?= 10000
THREADS ?= 1,2

.PHONY: setup install demo test test-cpp test-python bench clean

setup:
	@bash scripts/setup.sh

# Builds the extension and the Catch2 tests in one CMake build ($(BUILD)), reused between runs.
install: setup
	PIP_ROOT_USER_ACTION=ignore $(PY) -m pip install -q --no-build-isolation -C cmake.define.ADMSIM_BUILD_TESTS=ON .

demo: install
	$(PY) -m admsim compare --profile example-county --years 10 --replicates 1000 --out out/demo

test-cpp: install
	ctest --test-dir $(BUILD) --output-on-failure

test-python: install
	$(PY) -m pytest -q tests/python

test: test-cpp test-python

bench: install
	cmake -S . -B build/bench -DADMSIM_BUILD_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build/bench -j2
	./build/bench/bench_samplers
	./build/bench/bench_quality
	./build/bench/bench_engine python/admsim/data/profiles/example-county.json python/admsim/data/catalogue.json $(REPLICATES) 10 $(THREADS)

clean:
	rm -rf build out
