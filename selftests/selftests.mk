# SPDX-License-Identifier: GPL-2.0
#
# kselftest programs: every selftests/*_test.c becomes $(O)/selftests/<name>,
# linked with libshmdev.a. kselftest_harness.h and kselftest.h are taken
# from Debian's linux-source tarball at build time, never committed.

LINUX_SOURCE_TAR ?= $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
KSFT_INC         := $(O)/selftests/include
KSFT_HEADERS     := $(KSFT_INC)/kselftest.h $(KSFT_INC)/kselftest_harness.h

SELFTESTS_SRC    := $(wildcard selftests/*_test.c)
SELFTESTS        := $(patsubst selftests/%.c,$(O)/selftests/%,$(SELFTESTS_SRC))
SELFTESTS_DEPS   := selftests/common.h include/shmdev.h include/shmdev_ring.h \
		    include/uapi/linux/shmdev.h \
		    $(KSFT_HEADERS) $(O)/lib/libshmdev.a

.PHONY: selftests
all: selftests
selftests: $(SELFTESTS) $(O)/selftests/poke

$(KSFT_HEADERS) &:
	@test -n "$(LINUX_SOURCE_TAR)" || \
		{ echo "no /usr/src/linux-source-*.tar.xz: apt-get install linux-source"; exit 1; }
	@mkdir -p $(KSFT_INC)
	tar -xJf $(LINUX_SOURCE_TAR) -C $(KSFT_INC) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	@touch $(KSFT_HEADERS)

$(O)/selftests/%_test: selftests/%_test.c $(SELFTESTS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-sign-compare -I$(KSFT_INC) -o $@ $< $(O)/lib/libshmdev.a

# ring_test injects faults: it links the library's test build.
$(O)/selftests/ring_test: selftests/ring_test.c $(SELFTESTS_DEPS) $(O)/lib/libshmdev-test.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-sign-compare -I$(KSFT_INC) -o $@ $< $(O)/lib/libshmdev-test.a

# The kernel-tree test of growing arguments runs on every kernel of the
# matrix too, with the harness above ("../kselftest_harness.h" from the
# directory $(KSFT_INC)/kernel).
all selftests: $(O)/selftests/abi_test
$(O)/selftests/abi_test: selftests/kernel/abi_test.c selftests/kernel/shmdev_ksft.h \
			 include/uapi/linux/shmdev.h $(KSFT_HEADERS)
	@mkdir -p $(dir $@) $(KSFT_INC)/kernel
	$(CC) $(ALL_CFLAGS) -Wno-sign-compare -I$(KSFT_INC)/kernel -o $@ $<

# A helper of shmdevctl_test.sh: writes test data into a region.
$(O)/selftests/poke: selftests/poke.c include/shmdev.h $(O)/lib/libshmdev.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(O)/lib/libshmdev.a

# shmdevctl's /proc/shmdev parser on fixed texts: no module needed.
SHMDEVCTL_PROC_SRC := tools/shmdevctl/proc.c tools/shmdevctl/common.c
$(O)/selftests/shmdevctl_proc_test: selftests/shmdevctl_proc_test.c $(SELFTESTS_DEPS) \
		$(SHMDEVCTL_PROC_SRC) tools/shmdevctl/proc.h tools/shmdevctl/main.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-sign-compare -I$(KSFT_INC) -Itools/shmdevctl -o $@ \
		$< $(SHMDEVCTL_PROC_SRC) $(O)/lib/libshmdev.a
