# letterpress - build, test, demo.  See README.md.

CC      ?= cc
PKGS    := harfbuzz harfbuzz-subset freetype2 fontconfig icu-uc libcmark-gfm yaml-0.1 jansson \
           libqpdf libcrypto libpng
WARN    := -Wall -Wextra -Werror -Wshadow
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lhpdf -lcsv -lz -lm

# Debian packages: libraries, fonts, and the tools the tests check PDFs with.
DEB_PKGS := build-essential pkg-config libhpdf-dev libharfbuzz-dev libfreetype-dev \
  libfontconfig-dev libicu-dev libcmark-gfm-dev libcmark-gfm-extensions-dev \
  libyaml-dev libjansson-dev zlib1g-dev libpng-dev libqpdf-dev libssl-dev openssl libnss3-tools fonts-noto-cjk fonts-noto-core \
  fonts-dejavu-core qpdf poppler-utils mupdf-tools python3 \
  libcsv-dev hyperfine time

BUILD   := build
BIN     := letterpress
LIB_SRC := $(filter-out src/cli.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
TESTS   := $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/test_*.c))

.PHONY: all deps deps-if-missing check-deps demo test clean asan bench fuzz fuzz-seeds fuzz-smoke fuzz-run
all: check-deps $(BIN)

# Builds only when every library is present; otherwise says to run make deps.
check-deps:
	@pkg-config --exists $(PKGS) && test -f /usr/include/hpdf.h && test -f /usr/include/csv.h || \
	  { echo "missing build dependencies: run 'make deps' (or 'make demo')" >&2; exit 1; }

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(DEB_PKGS)

# Installs dependencies only when something is missing.
deps-if-missing:
	@missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(DEB_PKGS) 2>&1 | grep -v '^ii ' | wc -l); \
	if [ "$$missing" != 0 ]; then $(MAKE) deps; fi

$(BUILD)/%.o: src/%.c src/*.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD):
	mkdir -p $@

$(BUILD)/libletterpress.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/cli.o $(BUILD)/libletterpress.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/test_%: tests/test_%.c tests/check.h $(BUILD)/libletterpress.a
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(BUILD)/libletterpress.a $(LIBS)

demo: deps-if-missing
	$(MAKE) letterpress
	mkdir -p out
	for t in templates/*.md; do \
	  n=$$(basename $$t .md); d=templates/$$n.json; \
	  if [ -f $$d ]; then ./letterpress render $$t -d $$d -o out/$$n.pdf; \
	  else ./letterpress render $$t -o out/$$n.pdf; fi || exit 1; \
	  echo "rendered out/$$n.pdf"; \
	done

test: all $(TESTS)
	@LETTERPRESS=./$(BIN) tests/run.sh $(TESTS)

# The whole suite under AddressSanitizer (with LeakSanitizer) and UBSan, in
# a build directory of its own.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	LETTERPRESS_FONTCONFIG=$(CURDIR)/fonts/fonts.conf \
	  $(MAKE) test BUILD=build/asan BIN=build/asan/letterpress CFLAGS="$(ASAN_FLAGS)"

# Fuzz targets (libFuzzer, clang; tests/fuzz/fuzz_*.c), built with ASan and
# UBSan in build/fuzz.  `make fuzz-smoke` runs each for FUZZ_SECONDS from
# seed corpora made of the templates, cases and data in the repository;
# `make fuzz-run FUZZER=fuzz_data FUZZ_SECONDS=1800` runs one for longer.
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20
fuzz:
	$(MAKE) CC=clang BUILD=build/fuzz CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
	  build/fuzz/libletterpress.a
	$(MAKE) CC=clang BUILD=build/fuzz $(FUZZERS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libletterpress.a
	clang -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) -fsanitize=fuzzer \
	  $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Isrc -o $@ $< \
	  build/fuzz/libletterpress.a $(LIBS)

fuzz-seeds: fuzz
	tests/fuzz/seeds.sh build/fuzz/seeds

fuzz-smoke: fuzz-seeds
	@for f in $(FUZZERS); do n=$$(basename $$f); \
	  $(MAKE) --no-print-directory fuzz-run FUZZER=$$n || exit 1; done

fuzz-run:
	mkdir -p build/fuzz/corpus/$(FUZZER)
	LETTERPRESS_FONTCONFIG=$(CURDIR)/fonts/fonts.conf \
	  build/fuzz/$(FUZZER) -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
	  -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
	  -artifact_prefix=build/fuzz/$(FUZZER)- \
	  build/fuzz/corpus/$(FUZZER) build/fuzz/seeds/$(FUZZER)

# The benchmark (hyperfine, GNU time): prints the figures the README quotes
# and writes them to tests/bench/results.txt.
bench: all
	tests/bench/bench.sh

clean:
	rm -rf build letterpress out
