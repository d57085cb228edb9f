# SPDX-License-Identifier: GPL-2.0
#
# shmdev-bench: $(O)/bench/shmdev-bench, built by 'make'.
#   make bench [KERNEL=stock] [BENCH_SECONDS=6]
# runs it in the test VM: every figure next to its baselines, measured in
# the same run, interleaved with them, over several rounds. The output goes
# to $(O)/bench/bench-$(KERNEL).txt and bench/plot.sh draws its plots from
# it into $(O)/bench/ (PNG and SVG). Under TCG only the ratios mean anything.
# BENCH_SECONDS is the time of one point of a figure, over its rounds.

BENCH         := $(O)/bench/shmdev-bench
BENCH_SECONDS ?= 6
BENCH_OUT      = $(O)/bench/bench-$(KERNEL).txt

.PHONY: bench bench-build
all: bench-build
bench-build: $(BENCH)

$(BENCH): bench/shmdev-bench.c include/shmdev.h include/uapi/linux/shmdev.h \
		$(O)/lib/libshmdev.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(O)/lib/libshmdev.a

# The VM's exit status survives the tee: a failed check fails the target.
bench: deps
	@$(MAKE) --no-print-directory $(BENCH) module-$(KERNEL)
	@{ selftests/vm/run --kernel $(KERNEL) --timeout 1200 -- \
		$(BENCH) $(BENCH_SECONDS); echo $$? > $(BENCH_OUT).rc; } | tee $(BENCH_OUT)
	@rc=$$(cat $(BENCH_OUT).rc); rm -f $(BENCH_OUT).rc; test "$$rc" = 0 || \
		{ echo "shmdev-bench failed ($$rc): $(BENCH_OUT)"; exit 1; }
	@bench/plot.sh $(BENCH_OUT) $(O)/bench

# The library against a user-space stand-in of the module (bench/standin.h),
# for the benchmark of its fast paths on a machine without the module. The
# objects are those of $(LIB_A), unchanged but for their references to
# open(), ioctl() and close(), which objcopy renames to the stand-in's: the
# code measured is the code that ships, and nothing else in a program that
# links it is redirected. bench/standin_test.c checks the stand-in.
#   make bench-native [BENCH_SECONDS=1]
# runs the test, then the benchmark built against the stand-in
# (SHMDEV_BENCH_NATIVE: the mutex and ring figures only) on this machine,
# without root, and keeps its output in $(O)/bench/bench-native.txt.
BENCH_NATIVE    := $(O)/bench/shmdev-bench-native
STANDIN_A       := $(O)/bench/libshmdev-standin.a
STANDIN_TEST    := $(O)/bench/standin_test
STANDIN_SYMS    := open ioctl close __open_2
OBJCOPY         ?= objcopy
NM              ?= nm

.PHONY: standin-test bench-native bench-native-run bench-native-build
bench-native-build: $(STANDIN_TEST) $(BENCH_NATIVE)

standin-test: $(STANDIN_TEST)
	$(STANDIN_TEST)

$(O)/bench/standin.o: bench/standin.c bench/standin.h include/shmdev.h \
		include/uapi/linux/shmdev.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Fails if a library object still calls one of the renamed functions.
$(STANDIN_A): $(LIB_A) $(O)/bench/standin.o
	@mkdir -p $(dir $@)
	@rm -f $@ $@.tmp
	$(OBJCOPY) $(foreach s,$(STANDIN_SYMS),--redefine-sym $(s)=standin_$(s)) $(LIB_A) $@.tmp
	@if $(NM) $@.tmp | grep -Eq ' U ($(subst $(eval) ,|,$(STANDIN_SYMS)))$$'; then \
		echo "$@: the library still calls the module directly"; exit 1; fi
	$(AR) rs $@.tmp $(O)/bench/standin.o
	@mv $@.tmp $@

$(STANDIN_TEST): bench/standin_test.c bench/standin.h include/shmdev.h $(STANDIN_A)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STANDIN_A)

$(BENCH_NATIVE): bench/shmdev-bench.c include/shmdev.h include/uapi/linux/shmdev.h \
		$(STANDIN_A)
	$(CC) $(ALL_CFLAGS) -DSHMDEV_BENCH_NATIVE -o $@ $< $(STANDIN_A)

# The test first: a stand-in without the module's semantics measures nothing.
bench-native: deps
	@$(MAKE) --no-print-directory bench-native-run

bench-native-run: bench-native-build
	$(STANDIN_TEST)
	@{ $(BENCH_NATIVE) $(BENCH_SECONDS); echo $$? >$(O)/bench/bench-native.rc; } | \
		tee $(O)/bench/bench-native.txt
	@test "$$(cat $(O)/bench/bench-native.rc)" = 0
	@rm -f $(O)/bench/bench-native.rc
	@echo "results in $(O)/bench/bench-native.txt"
	@bench/plot.sh $(O)/bench/bench-native.txt $(O)/bench
