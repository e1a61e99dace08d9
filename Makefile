# letterpress - build, test, demo.  See README.md.

CC      ?= cc
CORE_PKGS := harfbuzz harfbuzz-subset freetype2 fontconfig icu-uc icu-i18n libcmark-gfm yaml-0.1 \
             jansson libcrypto libpng libdeflate
# Mail (src/mail.c): in the library, and for the program a module it opens
# only for --eml and --smtp (see "The mail module" in src/cli.c).
MAIL_PKGS := gmime-3.0 libcurl
PKGS    := $(CORE_PKGS) $(MAIL_PKGS)
# qpdf is not linked: qpdflib.c opens it (dlopen) when something is first
# signed, by the soname read off the installed library.
DLOPEN_PKGS := libqpdf
QPDF_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir libqpdf 2>/dev/null)/libqpdf.so 2>/dev/null | \
                 sed -n 's/^ *SONAME *//p')
# libcurl is linked into the mail module only; the signer's time-stamp and
# OCSP requests (src/http.c) open it with dlopen too, by its soname.
CURL_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir libcurl 2>/dev/null)/libcurl.so 2>/dev/null | \
                 sed -n 's/^ *SONAME *//p')
WARN    := -Wall -Wextra -Werror -Wshadow
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) \
  $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null) \
  $(if $(QPDF_SONAME),-DLP_QPDF_SONAME='"$(QPDF_SONAME)"') \
  $(if $(CURL_SONAME),-DLP_CURL_SONAME='"$(CURL_SONAME)"')
# Libraries without a pkg-config file (also listed in letterpress.pc).
EXTRA_LIBS := -lcmark-gfm-extensions -lhpdf -lcsv -lhyphen -lz -lm -ldl
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(EXTRA_LIBS)
CLI_LIBS := $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) $(EXTRA_LIBS)
MAIL_LIBS := $(shell pkg-config --libs $(MAIL_PKGS) 2>/dev/null) -lcmark-gfm \
             -lcmark-gfm-extensions -lcsv

# Debian packages: libraries, fonts, and the tools the tests check PDFs with.
DEB_PKGS := build-essential pkg-config libhpdf-dev libharfbuzz-dev libfreetype-dev \
  libfontconfig-dev libicu-dev libcmark-gfm-dev libcmark-gfm-extensions-dev \
  libyaml-dev libjansson-dev zlib1g-dev libdeflate-dev libpng-dev libqpdf-dev libssl-dev openssl libnss3-tools fonts-noto-cjk fonts-noto-core \
  fonts-dejavu-core fonts-hanazono fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea qpdf poppler-utils poppler-data mupdf-tools python3 \
  libgs-common openjdk-17-jre-headless libpdfbox2-java libactivation-java \
  libjaxb-api-java \
  python3-fonttools locales valgrind \
  libcsv-dev hyperfine time man-db groff-base libgmime-3.0-dev libcurl4-openssl-dev \
  python3-aiosmtpd libhyphen-dev hyphen-en-us \
  libgpgme-dev libnghttp2-dev librtmp-dev libssh2-1-dev libpsl-dev libkrb5-dev \
  libldap-dev libzstd-dev libbrotli-dev libidn2-dev \
  slurm-wlm munge
# (The two lines before the last: what `pkg-config --static --libs
# letterpress` names through GMime and libcurl, for programs that link
# libletterpress.a.  The last: a one-node Slurm cluster for
# tests/e2e_slurm.py, which starts its own daemons; no service is enabled.)

BUILD   := build
BIN     := letterpress
LIB_SRC := $(filter-out src/cli.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
TESTS   := $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/test_*.c))

.PHONY: all deps deps-if-missing check-deps demo test clean asan bench fuzz fuzz-seeds fuzz-smoke fuzz-run \
        shared install uninstall FORCE
all: check-deps $(BIN)

# Builds only when every library is present; otherwise says to run make deps.
check-deps:
	@pkg-config --exists $(PKGS) $(DLOPEN_PKGS) && test -f /usr/include/hpdf.h && test -f /usr/include/csv.h && \
	  test -f /usr/include/hyphen.h || \
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

# The program: the library without its mail code, which it opens from
# MAIL_MODULE when asked for mail; it exports the library functions the
# module calls (mail.list, read off the module's undefined symbols).
MAIL_MODULE := $(BUILD)/letterpress-mail.so
$(BUILD)/cli.o: src/cli.c src/*.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -DLP_MAIL_MODULE='"$(abspath $(MAIL_MODULE))"' -c $< -o $@

$(BUILD)/mail.list: $(BUILD)/pic/mail.o
	{ echo '{'; nm -u $< | sed -n 's/^ *U \(lp_[a-z0-9_]*\)$$/  \1;/p'; echo '};'; } >$@

$(MAIL_MODULE): $(BUILD)/pic/mail.o
	$(CC) $(ALL_CFLAGS) -shared -o $@ $< $(MAIL_LIBS)

# (--undefined pulls in whatever defines each listed function, so the
# program has all of them even if nothing else in it calls one.)
MAIL_EXPORTS = -Wl,--dynamic-list=$(BUILD)/mail.list \
  $$(sed -n 's/^  \(lp_[a-z0-9_]*\);$$/-Wl,--undefined=\1/p' $(BUILD)/mail.list)
$(BIN): $(BUILD)/cli.o $(BUILD)/libletterpress.a $(BUILD)/mail.list $(MAIL_MODULE)
	$(CC) $(ALL_CFLAGS) $(MAIL_EXPORTS) -o $@ $(BUILD)/cli.o \
	  $(BUILD)/libletterpress.a $(CLI_LIBS)

# ---- Shared library and installation ---------------------------------------
# `make install PREFIX=/usr DESTDIR=/tmp/stage`; `make uninstall` with the same
# variables removes exactly what install put.  The shared library is built
# from -fPIC objects of its own and exports only the functions of
# letterpress.h; its soname changes with LP_VERSION_MAJOR.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGCONFIGDIR  ?= $(LIBDIR)/pkgconfig
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
VERSION    := $(shell sed -n 's/^\#define LP_VERSION_STRING "\(.*\)"/\1/p' src/letterpress.h)
SOMAJOR    := $(shell sed -n 's/^\#define LP_VERSION_MAJOR \([0-9]*\)/\1/p' src/letterpress.h)
SONAME     := libletterpress.so.$(SOMAJOR)
SHLIB      := $(BUILD)/libletterpress.so.$(VERSION)
PIC_OBJ    := $(LIB_SRC:src/%.c=$(BUILD)/pic/%.o)
# The installed program is built like the one in the build tree, with the
# mail module's installed place.
MODULEDIR  ?= $(LIBDIR)/letterpress

$(BUILD)/pic/%.o: src/%.c src/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

# The exported symbols: every function declared in letterpress.h.
$(BUILD)/letterpress.map: src/letterpress.h | $(BUILD)
	{ echo '{ global:'; \
	  sed -n 's/^[a-z_].*[ *]\(lp_[a-z0-9_]*\)(.*/  \1;/p' $<; \
	  echo 'local: *; };'; } >$@

$(SHLIB): $(PIC_OBJ) $(BUILD)/letterpress.map
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined \
	  -Wl,--version-script=$(BUILD)/letterpress.map -o $@ $(PIC_OBJ) $(LIBS)

shared: $(SHLIB)

# Rebuilt on every install: the module's place depends on LIBDIR.
$(BUILD)/installed/letterpress: src/cli.c src/*.h $(BUILD)/libletterpress.a \
                                $(BUILD)/mail.list FORCE
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DLP_MAIL_MODULE='"$(MODULEDIR)/letterpress-mail.so"' \
	  -c src/cli.c -o $(BUILD)/installed/cli.o
	$(CC) $(ALL_CFLAGS) $(MAIL_EXPORTS) -o $@ \
	  $(BUILD)/installed/cli.o $(BUILD)/libletterpress.a $(CLI_LIBS)

$(BUILD)/letterpress.pc: src/letterpress.pc.in src/letterpress.h FORCE
	sed -e 's|@PREFIX@|$(PREFIX)|' \
	    -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	    -e 's|@DATADIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(DATADIR))|' \
	    -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKGS)|' \
	    -e 's|@LIBS_PRIVATE@|$(EXTRA_LIBS) -pthread|' $< >$@

FORCE:

INSTALLED := $(BINDIR)/letterpress $(MODULEDIR)/letterpress-mail.so \
  $(LIBDIR)/libletterpress.a \
  $(LIBDIR)/libletterpress.so.$(VERSION) $(LIBDIR)/$(SONAME) \
  $(LIBDIR)/libletterpress.so $(INCLUDEDIR)/letterpress.h \
  $(PKGCONFIGDIR)/letterpress.pc $(DATADIR)/letterpress/fonts.conf \
  $(MANDIR)/man1/letterpress.1 $(MANDIR)/man3/letterpress.3 \
  $(COMPLETIONDIR)/letterpress

install: check-deps $(BUILD)/installed/letterpress $(MAIL_MODULE) \
         $(BUILD)/libletterpress.a $(SHLIB) \
         $(BUILD)/letterpress.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MODULEDIR) \
	  $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(DATADIR)/letterpress \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(BUILD)/installed/letterpress $(DESTDIR)$(BINDIR)/letterpress
	install -m 755 $(MAIL_MODULE) $(DESTDIR)$(MODULEDIR)/letterpress-mail.so
	install -m 644 $(BUILD)/libletterpress.a $(DESTDIR)$(LIBDIR)/libletterpress.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libletterpress.so.$(VERSION)
	ln -sf libletterpress.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libletterpress.so
	install -m 644 src/letterpress.h $(DESTDIR)$(INCLUDEDIR)/letterpress.h
	install -m 644 $(BUILD)/letterpress.pc $(DESTDIR)$(PKGCONFIGDIR)/letterpress.pc
	install -m 644 fonts/fonts.conf $(DESTDIR)$(DATADIR)/letterpress/fonts.conf
	install -m 644 src/man/letterpress.1 $(DESTDIR)$(MANDIR)/man1/letterpress.1
	install -m 644 src/man/letterpress.3 $(DESTDIR)$(MANDIR)/man3/letterpress.3
	install -m 644 src/completion/letterpress.bash $(DESTDIR)$(COMPLETIONDIR)/letterpress
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig || true; fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DATADIR)/letterpress $(DESTDIR)$(MODULEDIR) 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig || true; fi

$(BUILD)/test_%: tests/test_%.c tests/*.h $(BUILD)/libletterpress.a
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(BUILD)/libletterpress.a $(LIBS)

# Signing without qpdf: qpdflib.c built for a library name that does not exist.
$(BUILD)/test_noqpdf: tests/test_noqpdf.c tests/check.h src/qpdflib.c $(BUILD)/libletterpress.a
	$(CC) $(ALL_CFLAGS) -ULP_QPDF_SONAME -DLP_QPDF_SONAME='"libqpdf-missing.so.0"' \
	  -Isrc -o $@ $< src/qpdflib.c $(BUILD)/libletterpress.a $(LIBS)

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

# No leaks or memory errors under valgrind: a render, and a merge of 100
# records (one worker, so that valgrind follows it).
VALGRIND := valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=9 --trace-children=yes -q
valgrind: all
	rm -rf build/valgrind && mkdir -p build/valgrind
	$(VALGRIND) ./$(BIN) render templates/commitment-letter.md \
	  -d templates/commitment-letter.json -o build/valgrind/letter.pdf
	python3 tests/bench/gen_data.py 100 > build/valgrind/records.csv
	$(VALGRIND) ./$(BIN) merge templates/commitment-letter.md \
	  -d build/valgrind/records.csv -o 'build/valgrind/out/{{customer.id}}.pdf' -j 1
	@echo "valgrind: no leaks, no errors"

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
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
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
