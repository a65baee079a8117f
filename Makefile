# tapewatch: one Makefile for every binary, the tests and the benchmarks.
#
#   make            build everything into build/
#   make test       install what is missing, build, run every test
#   make asan       the same with AddressSanitizer + UBSan, in build/asan/
#   make bench      speed figures (docs/benchmarks.md)
#   make soak       the whole stack for SOAK_SECONDS (600), or make bench SOAK=1
#   make run        the whole system on the demo feed, under supervisord
#   make install    PREFIX=/usr/local DESTDIR=
#   make image      the container image (podman); make test-image tests it
#   make clean

PREFIX	?= /usr/local
BUILD	?= build
SAN	?= 0

OBJ	:= $(BUILD)/obj
BIN	:= $(BUILD)/bin
LIB	:= $(BUILD)/lib
TESTBIN	:= $(BUILD)/test
BENCHBIN := $(BUILD)/bench

PKGS	:= libwebsockets jansson libsodium sqlite3 openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian 12's libnng-dev ships no nng.pc (research/deps.md).
NNG_LIBS ?= $(shell pkg-config --libs nng 2>/dev/null || echo -lnng)
LIBS	:= $(PKG_LIBS) $(NNG_LIBS) -lzxcvbn -lpthread -lm

WARN	:= -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion \
	   -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
	   -Wcast-qual -Wwrite-strings -Wpointer-arith -Werror
CFLAGS	?= -O2 -g
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
endif
ALL_CFLAGS = -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	     $(WARN) -Icommon $(PKG_CFLAGS) $(CFLAGS) $(SANFLAGS) \
	     $(EXTRA_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

PROGS	:= ingest-stock ingest-crypto feedsim bustap aggregator store \
	   webui authctl

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/gen/blocklist.o
LIBTW	:= $(LIB)/libtw.a

# Unit tests: tests/unit/NAME_test.c links its object, libtw.a and, unless
# NAME_test_LIBS says otherwise, no outside library: a pure module's test
# that needs -lnng fails to link, which is the point.
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(TESTBIN)/%)
market_test_OBJS := $(OBJ)/feedsim/market.o $(OBJ)/feedsim/encode.o \
    $(OBJ)/feedsim/faults.o $(OBJ)/feedsim/subs.o
# jansson only reads back what the encoder wrote; the modules never use it.
market_test_LIBS := -ljansson
feedsim_venues_test_OBJS := $(OBJ)/feedsim/venues.o $(OBJ)/feedsim/encode.o
feedsim_venues_test_LIBS := -ljansson
feedsim_flood_test_OBJS := $(OBJ)/feedsim/market.o $(OBJ)/feedsim/encode.o
bus_nng_test_LIBS := $(NNG_LIBS) -lpthread
# The aggregator's pure cores: each test links its module and no library.
conditions_test_OBJS := $(OBJ)/aggregator/conditions.o
leeready_test_OBJS := $(OBJ)/aggregator/leeready.o
barcalc_test_OBJS := $(OBJ)/aggregator/barcalc.o $(OBJ)/aggregator/conditions.o
robust_test_OBJS := $(OBJ)/aggregator/robust.o
anomaly_test_OBJS := $(OBJ)/aggregator/anomaly.o $(OBJ)/aggregator/robust.o
AGG_PURE_OBJS := $(addprefix $(OBJ)/aggregator/, engine.o barcalc.o \
    conditions.o leeready.o anomaly.o robust.o sidecheck.o symtab.o dedup.o)
engine_test_OBJS := $(AGG_PURE_OBJS)
sidecheck_test_OBJS := $(OBJ)/aggregator/sidecheck.o \
    $(OBJ)/aggregator/leeready.o
# The store: pure policy modules alone; the writer against real SQLite.
STORE_DB_OBJS := $(addprefix $(OBJ)/store/, writer.o rows.o symbols.o)
batch_test_OBJS := $(OBJ)/store/batch.o
pager_test_OBJS := $(OBJ)/store/pager.o
rows_test_OBJS := $(OBJ)/store/rows.o $(OBJ)/store/symbols.o
history_test_OBJS := $(OBJ)/aggregator/history.o
schema_test_OBJS := $(STORE_DB_OBJS)
schema_test_LIBS := -lsqlite3
record_test_LIBS := -ljansson -lsodium
polygon_test_LIBS := -ljansson
# webui: the pure modules alone (csrf.c compares with auth_str_equal, so
# the rules test links auth.o's libraries); the API against real SQLite.
WEBUI_FMT_OBJS := $(addprefix $(OBJ)/webui/, buf.o http.o jsonw.o)
webui_query_test_OBJS := $(WEBUI_FMT_OBJS) $(OBJ)/webui/query.o
webui_format_test_OBJS := $(WEBUI_FMT_OBJS) $(addprefix $(OBJ)/webui/, \
    csv.o static.o chunked.o secheaders.o)
webui_rules_test_OBJS := $(WEBUI_FMT_OBJS) $(addprefix $(OBJ)/webui/, \
    creds.o csrf.o route.o)
webui_rules_test_LIBS := -lsqlite3 -lsodium -lzxcvbn
webui_api_test_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(filter-out \
    webui/main.c webui/server.c webui/lwsreq.c webui/livegate.c \
    webui/pool.c webui/tlscert.c webui/options.c,$(wildcard webui/*.c)))
webui_api_test_LIBS = $(LIBS)
# webui's /live: the pure parts (jansson reads client messages and checks
# the encoder's output).
live_proto_test_OBJS := $(OBJ)/webui/live_proto.o
live_proto_test_LIBS := -ljansson
live_queue_test_OBJS := $(OBJ)/webui/live_queue.o
live_stats_test_OBJS := $(OBJ)/webui/live_stats.o $(OBJ)/webui/live_proto.o
live_stats_test_LIBS := -ljansson
# The auth core: the policy needs zxcvbn, the throttle nothing, auth.c
# real SQLite and libsodium.
pwpolicy_test_LIBS := -lzxcvbn
auth_test_LIBS := -lsqlite3 -lsodium -lzxcvbn

BENCH_SRCS := $(filter-out tests/bench/synth.c,$(wildcard tests/bench/*.c))
BENCHES	:= $(BENCH_SRCS:tests/bench/%.c=$(BENCHBIN)/%)

.PHONY: all test test-only asan bench run install clean deps image \
	test-image fuzz soak
.SECONDARY:
.DELETE_ON_ERROR:

all: $(PROGS:%=$(BIN)/%) $(UNIT_TESTS) $(BENCHES)

# Every binary: the .c files of its directory plus libtw.a.
define prog_rule
$(1)_OBJS := $$(patsubst %.c,$$(OBJ)/%.o,$$(wildcard $(1)/*.c))
$$(BIN)/$(1): $$($(1)_OBJS) $$(LIBTW)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(LIBTW): $(COMMON_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The common-password blocklist (auth.h), compiled in from john-data's
# list so the running system needs no word file.
BLOCKLIST_SRC ?= /usr/share/john/password.lst
$(BUILD)/gen/blocklist.c: $(BLOCKLIST_SRC) scripts/gen-blocklist
	@mkdir -p $(@D)
	scripts/gen-blocklist $(BLOCKLIST_SRC) > $@
$(OBJ)/gen/blocklist.o: $(BUILD)/gen/blocklist.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The dashboard (web/): npm packages from the lock file, bundled into
# $(BUILD)/web, which webui serves.
WEB_SRCS := $(wildcard web/src/*) web/build.mjs web/package.json
all: $(BUILD)/web/index.html
$(BUILD)/web/index.html: $(WEB_SRCS) web/node_modules/.package-lock.json
	node web/build.mjs --outdir $(BUILD)/web
# npm ci only when the lock file is newer than what is installed; no
# install scripts run (esbuild's binary is a package of its own).
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

$(TESTBIN)/%_test: $(OBJ)/tests/unit/%_test.o $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $($*_test_OBJS) $(LIBTW) \
	    $($*_test_LIBS) -lm

$(foreach t,$(UNIT_TESTS),$(eval $(t): $($(notdir $(t))_OBJS)))

$(BENCHBIN)/%: $(OBJ)/tests/bench/%.o $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBTW) $(LIBS)

# feedsim's generator and encoder on one core, no network.
feedsim_bench_OBJS := $(OBJ)/feedsim/market.o $(OBJ)/feedsim/encode.o
$(BENCHBIN)/feedsim_bench: $(OBJ)/tests/bench/feedsim_bench.o \
    $(feedsim_bench_OBJS) $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The aggregator's engine in process.
$(BENCHBIN)/agg_bench: $(OBJ)/tests/bench/agg_bench.o \
    $(OBJ)/tests/bench/synth.o $(AGG_PURE_OBJS) $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The store's writer in process; barpub, a stand-in aggregator for the
# store's tests (the aggregator's own history and replay code).
$(BENCHBIN)/store_bench: $(OBJ)/tests/bench/store_bench.o $(STORE_DB_OBJS) \
    $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
all: $(BUILD)/tools/barpub
$(BUILD)/tools/barpub: $(OBJ)/tests/tools/barpub.o \
    $(OBJ)/aggregator/history.o $(OBJ)/aggregator/replay.o $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BENCHBIN)/tickpub: $(OBJ)/tests/bench/tickpub.o $(OBJ)/tests/bench/synth.o \
    $(LIBTW)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@scripts/install-deps

test: deps
	@$(MAKE) --no-print-directory all
	@tests/run $(BUILD)

# Used by asan: the same tests on the sanitized build.
test-only: all
	@tests/run $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS="-O1 -g" \
	    test-only

bench: deps
	@$(MAKE) --no-print-directory all
	@$(if $(filter 1,$(SOAK)),tests/bench/soak,tests/bench/run) $(BUILD)

# The soak (docs/benchmarks.md "Soak"); SOAK_SECONDS, SOAK_RATE, ...
soak: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/soak $(BUILD)

# libFuzzer harnesses of the feed parsers, the bus decoder, webui's
# request path, authctl's and the config's parsing (tests/fuzz/,
# docs/testing.md "Fuzzing"), built with clang against clang-built objects
# of the modules they fuzz, then each run for FUZZ_SECONDS on a copy of its
# committed corpus. fuzz_NAME_OBJS and fuzz_NAME_LIBS: what a harness
# links besides FUZZ_OBJS (the feed parsers' modules, the default).
FUZZ_SECONDS ?= 60
FUZZ_CC	?= clang
FUZZ	:= $(BUILD)/fuzz
FUZZ_NAMES := polygon_stocks polygon_crypto coinbase kraken binance bus \
	http_request login_body cookie live authctl_args config
FUZZ_MODS := polygon jsontok fixed feed tick venue coinbase kraken binance bus
FUZZ_OBJS := $(FUZZ_MODS:%=$(FUZZ)/obj/%.o)
FUZZ_SAN := address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) \
	-Icommon -g -O1 -fno-omit-frame-pointer -MMD -MP
# auth.c and what it needs.
FUZZ_AUTH := $(addprefix $(FUZZ)/obj/, auth.o db.o schema.o pwpolicy.o \
    throttle.o log.o gen/blocklist.o)
FUZZ_AUTH_LIBS := -lsqlite3 -lsodium -lzxcvbn
fuzz_http_request_OBJS := $(addprefix $(FUZZ)/obj/webui/, http.o route.o \
    query.o buf.o jsonw.o) $(FUZZ)/obj/log.o
fuzz_login_body_OBJS := $(FUZZ)/obj/webui/body.o $(FUZZ_AUTH)
fuzz_login_body_LIBS := -ljansson $(FUZZ_AUTH_LIBS)
fuzz_cookie_OBJS := $(addprefix $(FUZZ)/obj/webui/, creds.o csrf.o http.o \
    buf.o jsonw.o) $(FUZZ_AUTH)
fuzz_cookie_LIBS := $(FUZZ_AUTH_LIBS)
fuzz_live_OBJS := $(FUZZ)/obj/webui/live_proto.o $(FUZZ)/obj/tick.o \
    $(FUZZ)/obj/bar.o
fuzz_live_LIBS := -ljansson
fuzz_authctl_args_OBJS := $(FUZZ)/obj/authctl/args.o $(FUZZ_AUTH)
fuzz_authctl_args_LIBS := $(FUZZ_AUTH_LIBS)
fuzz_config_OBJS := $(FUZZ)/obj/config.o $(FUZZ)/obj/log.o
# log.c's vsnprintf of its caller's format: clang warns, gcc does not.
$(FUZZ)/obj/log.o: FUZZ_CFLAGS += -Wno-format-nonliteral
fuzz: $(FUZZ_NAMES:%=$(FUZZ)/fuzz_%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZ) $(FUZZ_NAMES)
$(FUZZ)/obj/%.o: common/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	    -c -o $@ $<
$(FUZZ)/obj/webui/%.o: webui/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	    -c -o $@ $<
$(FUZZ)/obj/authctl/%.o: authctl/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	    -c -o $@ $<
$(FUZZ)/obj/gen/blocklist.o: $(BUILD)/gen/blocklist.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	    -c -o $@ $<
$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iwebui -Iauthctl \
	    -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $(filter %.c %.o,$^) \
	    $(fuzz_$*_LIBS) -lm
$(foreach n,$(FUZZ_NAMES),$(eval $(FUZZ)/fuzz_$(n): \
    $(or $(fuzz_$(n)_OBJS),$(FUZZ_OBJS))))
# Writes the bus seeds (committed in tests/fuzz/corpus/bus/).
$(FUZZ)/mkcorpus_bus: tests/fuzz/mkcorpus_bus.c common/bus.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run

# Binaries and the entrypoint in bin/, supervisor.conf and the dashboard in
# share/tapewatch/ (docs/operations.md). INSTALL_STRIP=-s strips (the image).
install: all
	@test -f $(BUILD)/web/index.html || \
	    { echo "install: no dashboard bundle in $(BUILD)/web" >&2; exit 1; }
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tapewatch
	install -m 755 $(INSTALL_STRIP) $(PROGS:%=$(BIN)/%) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 scripts/entrypoint \
	    $(DESTDIR)$(PREFIX)/bin/tapewatch-entrypoint
	install -m 644 supervisor.conf $(DESTDIR)$(PREFIX)/share/tapewatch/
	rm -rf $(DESTDIR)$(PREFIX)/share/tapewatch/web
	cp -R --no-preserve=mode,ownership $(BUILD)/web \
	    $(DESTDIR)$(PREFIX)/share/tapewatch/web
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/tapewatch/web

# The container image with podman (no Docker engine needed), and its test:
# lint, compose validation, the smoke test on the image's file system.
image:
	@scripts/make-image

test-image: image
	@tests/image/run

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
-include $(wildcard $(BUILD)/fuzz/*.d $(BUILD)/fuzz/obj/*.d \
    $(BUILD)/fuzz/obj/*/*.d)
