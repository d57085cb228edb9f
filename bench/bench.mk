# SPDX-License-Identifier: GPL-2.0
#
# shmdev-bench: $(O)/bench/shmdev-bench, built by 'make'.
#   make bench [KERNEL=stock] [BENCH_SECONDS=1]
# runs it in the test VM; every figure is printed next to its baseline from
# the same run. Under TCG only the ratios mean anything.

BENCH         := $(O)/bench/shmdev-bench
BENCH_SECONDS ?= 1

.PHONY: bench bench-build
all: bench-build
bench-build: $(BENCH)

$(BENCH): bench/shmdev-bench.c include/shmdev.h include/uapi/linux/shmdev.h \
		$(O)/lib/libshmdev.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(O)/lib/libshmdev.a

bench: deps
	@$(MAKE) --no-print-directory $(BENCH) module-$(KERNEL)
	@selftests/vm/run --kernel $(KERNEL) --timeout 1200 -- $(BENCH) $(BENCH_SECONDS)
