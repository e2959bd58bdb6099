# weir - build, test and demo.  `make demo` and `make test` are all a newcomer
# needs on a fresh Debian 12 machine: both install missing packages first.
CC      ?= cc
BUILD   ?= build
MODE    ?= release
CFLAGS_BASE = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -MMD -MP
ifeq ($(MODE),asan)
  OPT = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  OPT = -O2 -g
endif
CFLAGS  = $(CFLAGS_BASE) $(OPT) $(EXTRA_CFLAGS)
LDLIBS  = -licuuc -lzstd -lsnappy -lz -lm -lpthread

LIB_SRC  = $(sort $(wildcard src/base/*.c src/types/*.c src/sql/*.c src/exec/*.c \
            src/state/*.c src/store/*.c src/connect/*.c src/runtime/*.c src/session/*.c \
            src/server/*.c))
CLI_SRC  = $(wildcard src/cli/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all weir units sqltest test test-one demo deps clean bench

all: $(BUILD)/weir units $(BUILD)/tests/sqltest $(BUILD)/tpch-dbgen

weir: $(BUILD)/weir

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libweir.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/weir: $(CLI_OBJ) $(BUILD)/libweir.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libweir.a $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/check.h $(BUILD)/libweir.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libweir.a $(LDLIBS)

units: $(UNIT_BIN)

$(BUILD)/tests/sqltest: tests/sqltest.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lsqlite3 $(LDLIBS)

sqltest: $(BUILD)/tests/sqltest

# The TPC-H data generator (bench/tpch): no weir code, only the C library.
$(BUILD)/tpch-dbgen: bench/tpch/dbgen.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lm

deps:
	@scripts/setup.sh

# One pass over the whole suite with the current MODE/BUILD.
test-one: $(BUILD)/weir units $(BUILD)/tests/sqltest
	@tests/run_all.sh $(BUILD)

# Everything, then everything again under ASan+UBSan; one closing line.
test: deps
	@$(MAKE) --no-print-directory -j2 all
	@$(MAKE) --no-print-directory -j2 MODE=asan BUILD=build-asan all
	@tests/run_suite.sh

demo: deps
	@$(MAKE) --no-print-directory -j2 $(BUILD)/weir
	@examples/demo.sh $(BUILD)/weir

bench: deps
	@$(MAKE) --no-print-directory -j2 $(BUILD)/weir
	@bench/run.sh

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d) $(BUILD)/tests/sqltest.d $(BUILD)/tpch-dbgen.d
