# taser: the two commands README.md opens with, and their parts.
#   make demo   install what is missing, build, make the demo database, open the console on it
#   make test   run every test (what CI runs)

DEMO_DB ?= $(HOME)/.local/share/taser/demo.db
SIGNALS ?= 100000
TASER   := .build/release/taser
# Debian packages the build and the tests need (GRDB links the system SQLite, HTTPClient libcurl,
# the gzip reader zlib, the EVTX reader ISA-L's CRC32, the console's terminal driver ncursesw, the
# binary TCMalloc as its allocator; the tests use
# python3's sqlite3 module to tamper with a database, setpriv to run as another user, tmux
# to drive the console end to end, and openssl to make the TLS syslog collector's certificate).
PACKAGES := libsqlite3-dev sqlite3 python3 util-linux libcurl4-openssl-dev zlib1g-dev libisal-dev libtcmalloc-minimal4 gzip libncurses-dev tmux openssl

.PHONY: deps build demo test fuzz bench clean

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build -c release

demo: build
	@mkdir -p $(dir $(DEMO_DB))
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(TASER) demo --db $(DEMO_DB) --signals $(SIGNALS)
	$(TASER) --db $(DEMO_DB)

test: deps
	swift test

# The fuzz tests with 20 times the mutants of `make test`, from a new seed each day (the seed is
# printed: TASER_FUZZ_SEED=N make fuzz repeats a run). Minutes; for before a release.
FUZZ_SEED ?= $(shell date +%Y%m%d)
fuzz: deps
	@echo "fuzz seed $(FUZZ_SEED); a crash leaves its mutant in $${TMPDIR:-/tmp}/taser-fuzz-*"
	TASER_FUZZ_SCALE=20 TASER_FUZZ_SEED=$(FUZZ_SEED) swift test --filter FuzzTests

bench: build
	$(TASER) bench demo --signals 1000000

clean:
	rm -rf .build
