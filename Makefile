# The two set-up commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := sample

.PHONY: install run test bench clean

# Debian's chromium (driven by the browser tests through Playwright) is installed with apt when missing, as root
# or with sudo. The venv is rebuilt when the project's dependencies change. torch is installed first, on its own,
# so that the pinned CPU build is taken (a loose torch pulls a CUDA build of several GB). The llm-server extra
# builds llama-cpp-python from source (about 5 minutes on 2 cores, once: pip caches the wheel).
$(STAMP): pyproject.toml
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (the browser tests drive it)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[test,openai,llm-server]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/disclosures ingest $(SAMPLE)
	$(BIN)/disclosures chat

# pytest exits 5 when it collects nothing: that is a failure here, never a pass.
test: install
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

bench: install
	$(BIN)/python -m eval.bench_ingest

clean:
	rm -rf $(VENV) *.egg-info
