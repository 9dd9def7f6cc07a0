# Kiln developer entry points.
#   make demo   - train a small CNN on Fashion-MNIST, save/load its weights
#   make test   - the test suite once per backend (jax, torch, tensorflow, numpy)
#   make bench  - Kiln fit vs hand-written native loops, per backend
# The first target run creates .venv (python3.11, else python3) and installs
# Kiln with every backend and the test tools into it, once.

SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
BASE_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
STAMP := $(VENV)/.stamp-install
FASHION_DIR := /usr/share/datasets/fashion-mnist
export OMP_NUM_THREADS ?= 1

.PHONY: demo test bench venv fashion-mnist clean-venv

venv: $(STAMP)

# Re-installs only when pyproject.toml changes (the stamp lives inside .venv,
# so deleting .venv starts over).
#
# Why `pip uninstall -y keras`: tensorflow-cpu depends on the `keras` package, so
# pip installs it alongside. Kiln must never have keras importable: Kiln is an
# independent implementation of the same API, and a stray `import keras` in Kiln
# or its tests would silently exercise Keras instead of Kiln. (Kiln's tf.data
# support needs tensorflow, never keras.)
$(STAMP): pyproject.toml
	@test -x $(PYTHON) || $(BASE_PYTHON) -m venv $(VENV)
	$(PYTHON) -m pip install -e '.[all,test]'
	$(PYTHON) -m pip uninstall -y keras
	@touch $@

# The Debian package ships the four IDX files under $(FASHION_DIR). Without root
# the demo falls back to the download cache (~/.kiln/datasets).
fashion-mnist:
	@if [ -d $(FASHION_DIR) ]; then \
		true; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get install -y dataset-fashion-mnist || \
		{ apt-get update && apt-get install -y dataset-fashion-mnist; }; \
	else \
		echo "Fashion-MNIST is not installed system-wide; to install it run:"; \
		echo "    sudo apt-get install -y dataset-fashion-mnist"; \
		echo "(the demo will otherwise try to download it)"; \
	fi

demo: $(STAMP) fashion-mnist
	$(PYTHON) examples/demo.py

test: $(STAMP)
	PYTHON=$(PYTHON) scripts/test_all_backends.sh

bench: $(STAMP)
	$(PYTHON) bench/run.py

clean-venv:
	rm -rf $(VENV)
