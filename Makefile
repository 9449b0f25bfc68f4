# Deep Learning from the Chain Rule Up: every course task is a target here.
#   make lab    install what is needed, then open the course in JupyterLab
#   make test   install what is needed, then run every test (unit, lint, notebooks, browser)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0
# One thread for numpy's BLAS too, as repro.setup() does for torch: stable sums, fair timings.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: install lab test unit course bench slides student instructor glossary site style heights lint format clean dcgan

install: $(STAMP)

# Re-runs only when the lock or the package metadata changed.
$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name dl-course --display-name "Python (dl-course)"
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and Binder-like hosts often are root.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

unit: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile tests

course: $(STAMP)
	$(PY) -m course_lib.build execute $(NB)

bench: $(STAMP)
	$(PY) -m course_lib.build bench $(NB)

slides: $(STAMP)
	$(PY) -m course_lib.build slides $(NB)

student: $(STAMP)
	$(PY) -m course_lib.build student $(NB)

instructor: $(STAMP)
	$(PY) -m course_lib.build instructor $(NB)

glossary: $(STAMP)
	$(PY) -m course_lib.build glossary

site: $(STAMP)
	$(PY) -m course_lib.build site

style: $(STAMP)
	$(PY) -m course_lib.build style $(NB)

heights: $(STAMP)
	$(PY) -m course_lib.build heights $(NB)

# Retrain lesson 07's DCGAN (datasets/dcgan_mnist.pt, tens of CPU minutes); then copy the printed
# sha256 and size into datasets/MANIFEST.toml.
dcgan: $(STAMP)
	cd datasets && ../$(PY) -c "import make_datasets; make_datasets.dcgan()"

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf build slides/*.html slides/assets
