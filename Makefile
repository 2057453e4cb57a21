# debitgw - build, test, demo.
#
# `make demo` and `make check` first run `make deps`, which installs what is
# missing from Debian's archive (as root) or prints the apt-get line, then
# re-enter make so that pkg-config sees the freshly installed libraries.

PKGS       = openssl libxml-2.0 libcurl sqlite3 inih libmicrohttpd jansson
DEB_BUILD  = gcc make pkg-config libssl-dev libxml2-dev libcurl4-openssl-dev \
             libsqlite3-dev check libsubunit-dev libinih-dev \
             libmicrohttpd-dev libjansson-dev
DEB_TEST   = openssh-server openssh-client libxml2-utils sqlite3 openssl \
             tzdata ca-certificates curl
DEB_PKGS   = $(DEB_BUILD) $(DEB_TEST)
# make fuzz only: clang with its libFuzzer runtime (a Recommends of clang,
# which --no-install-recommends would leave out).
DEB_FUZZ   = clang libclang-rt-dev

CC        ?= cc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Werror -Wformat=2 -Wvla
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)
# -pthread: a run stages its batch files on every core (gateway/batch_run.c).
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) -I. $(PKG_CFLAGS) $(CFLAGS)
SAN_FLAGS  = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer -O1 -g

PARTS      = common formats mandates ledger keys gateway
LIB_SRC    = $(filter-out gateway/main.c,$(wildcard $(addsuffix /*.c,$(PARTS))))
UNIT_SRC   = $(wildcard tests/unit/*/check_*.c)
BANK_SRC   = $(wildcard tests/bank/*.c)
TOOL_SRC   = $(wildcard tests/tools/*.c)
# Code shared by test tools and the bank simulator (e.g. the HTTPS bank).
TLIB_SRC   = $(wildcard tests/lib/*.c)
TLIB_OBJ   = $(TLIB_SRC:%.c=$(B)/obj/%.o)
TLIB       = $(if $(TLIB_SRC),$(B)/libgwtest.a)
# tests/lib/bankhttp.c checks client certificates on libmicrohttpd's
# GnuTLS session, so what links it needs GnuTLS (libmicrohttpd-dev's own
# dependency).
TLS_LIBS  := $(shell pkg-config --libs gnutls 2>/dev/null)

B          = build
OBJ        = $(LIB_SRC:%.c=$(B)/obj/%.o)
SOBJ       = $(LIB_SRC:%.c=$(B)/san/obj/%.o)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
SUNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(B)/san/unit/%)

SCHEMAS   ?= $(abspath ../shared/schemas/iso20022)
export SCHEMAS

.PHONY: all deps check demo bench fuzz crash clean lint unit unit-san e2e e2e-san \
        _check _demo _bench _fuzz _crash tools

all: $(B)/debitgw tools

TOOL_BIN   = $(TOOL_SRC:tests/tools/%.c=$(B)/%)

tools: $(if $(BANK_SRC),$(B)/bank-sim) $(TOOL_BIN)

# ---- dependencies ---------------------------------------------------------

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null \
	    || { echo "deps: apt-get install$$missing failed" >&2; exit 3; }; \
	else \
	  echo "deps: missing packages; run as root:" >&2; \
	  echo "  apt-get install -y$$missing" >&2; exit 3; \
	fi

# ---- build ----------------------------------------------------------------

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/libdebitgw.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libgwtest.a: $(TLIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/san/libdebitgw.a: $(SOBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/debitgw: $(B)/obj/gateway/main.o $(B)/libdebitgw.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/san/debitgw: $(B)/san/obj/gateway/main.o $(B)/san/libdebitgw.a
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bank-sim: $(BANK_SRC:%.c=$(B)/obj/%.o) $(TLIB) $(B)/libdebitgw.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) $(TLS_LIBS)

# The simulator under ASan+UBSan, for BANKSIM=build/san/bank-sim in e2e runs.
$(B)/san/bank-sim: $(BANK_SRC:%.c=$(B)/san/obj/%.o) $(B)/san/libdebitgw.a
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

# Each tests/tools/NAME.c is a stand-alone helper program build/NAME.
$(TOOL_BIN): $(B)/%: $(B)/obj/tests/tools/%.o $(TLIB) $(B)/libdebitgw.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) $(TLS_LIBS)

$(B)/unit/%: tests/unit/%.c tests/unit/testutil.h $(B)/libdebitgw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHK_CFLAGS) -o $@ $< $(B)/libdebitgw.a $(PKG_LIBS) $(CHK_LIBS)

$(B)/san/unit/%: tests/unit/%.c tests/unit/testutil.h $(B)/san/libdebitgw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CHK_CFLAGS) -o $@ $< $(B)/san/libdebitgw.a $(PKG_LIBS) $(CHK_LIBS)

# Unit tests of the bank simulator (tests/unit/bank/) link its parts.
BANK_PARTS = $(filter-out tests/bank/main.c,$(BANK_SRC))
$(filter $(B)/unit/bank/%,$(UNIT_BIN)): $(B)/unit/bank/%: \
    tests/unit/bank/%.c tests/unit/testutil.h tests/bank/bank.h \
    $(BANK_PARTS:%.c=$(B)/obj/%.o) $(B)/libdebitgw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHK_CFLAGS) -o $@ $< $(BANK_PARTS:%.c=$(B)/obj/%.o) \
	    $(B)/libdebitgw.a $(PKG_LIBS) $(CHK_LIBS)

$(filter $(B)/san/unit/bank/%,$(SUNIT_BIN)): $(B)/san/unit/bank/%: \
    tests/unit/bank/%.c tests/unit/testutil.h tests/bank/bank.h \
    $(BANK_PARTS:%.c=$(B)/san/obj/%.o) $(B)/san/libdebitgw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CHK_CFLAGS) -o $@ $< \
	    $(BANK_PARTS:%.c=$(B)/san/obj/%.o) $(B)/san/libdebitgw.a $(PKG_LIBS) $(CHK_LIBS)

# The shipped bank text-format descriptors are compiled in by .incbin.
$(B)/obj/formats/textfmt_shipped.o $(B)/san/obj/formats/textfmt_shipped.o: \
    $(wildcard formats/descriptors/*.fmt)

# Headers shared by a part's tests (fixtures) rebuild its test binaries.
$(UNIT_BIN) $(SUNIT_BIN): $(wildcard tests/unit/*/*.h)

-include $(OBJ:.o=.d) $(SOBJ:.o=.d) $(B)/obj/gateway/main.d $(B)/san/obj/gateway/main.d \
         $(TOOL_SRC:tests/tools/%.c=$(B)/obj/tests/tools/%.d) \
         $(BANK_SRC:%.c=$(B)/obj/%.d) $(BANK_SRC:%.c=$(B)/san/obj/%.d) \
         $(TLIB_OBJ:.o=.d)

# ---- tests ----------------------------------------------------------------

check: deps
	@$(MAKE) --no-print-directory _check

_check: lint all unit unit-san e2e e2e-san
	@echo "make check: all passed"

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

unit-san: $(SUNIT_BIN)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 sh tests/run-unit.sh $(SUNIT_BIN)

e2e: all
	@sh tests/e2e/run.sh

# The command-line paths under ASan+UBSan with leak detection: a subset
# that walks import, runs, returns, keys and the daemon.
E2E_SAN = t_mandates t_batches t_returns t_keys t_serve t_formats
e2e-san: all $(B)/san/debitgw
	@DEBITGW=$(CURDIR)/$(B)/san/debitgw ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 sh tests/e2e/run.sh $(E2E_SAN)

lint:
	@sh tests/lint.sh

# ---- demo, bench, fuzz, crash ---------------------------------------------

demo: deps
	@$(MAKE) --no-print-directory _demo

_demo: all
	@sh tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory _bench

_bench: all
	@sh tests/bench/run.sh

fuzz: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_FUZZ)"
	@$(MAKE) --no-print-directory _fuzz

_fuzz:
	@sh tests/fuzz/run.sh

crash: deps
	@$(MAKE) --no-print-directory _crash

_crash: all
	@sh tests/crash/run.sh

clean:
	rm -rf $(B) tests/tmp
