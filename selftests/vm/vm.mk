# SPDX-License-Identifier: GPL-2.0
#
# The test VM: Debian packages, the module built for each kernel of the
# matrix, and the targets that boot it.
#
#   make deps                           install the Debian packages missing
#   make module-<kernel>                $(O)/kmod-<kernel>/shmdev.ko, W=1, no warning
#   make check                          selftests on every kernel of KERNELS,
#                                       the runner's own tests, host checks
#   make check KERNELS="stock debug"    a subset of the matrix
#   make check TESTS="region_test"      some selftests only (names or globs)
#   make demo [KERNEL=rt]               the demo in the VM
#   make vm-shell [KERNEL=rt]           a shell in the VM, module loaded
#   make check-bindings                 the Python, Go, Java and PHP suites,
#                                       long versions, on stock and debug
#   make fuzz [FUZZ_SECONDS=300]        fuzz_test, then trinity, on each
#                                       debug kernel (make check runs
#                                       fuzz_test for 10 s on every kernel)
#   make check-kselftest                selftests/kernel/ built in a kernel
#                                       tree as tools/testing/selftests/shmdev
#                                       and run there, on KSFT_KERNEL (make
#                                       check runs it too)

ifeq ($(origin KERNELS),undefined)
KERNELS     := $(shell selftests/vm/kernels.sh list)
endif
KERNEL      ?= stock
TESTS       ?=
VM_RUN      := selftests/vm/run
# The debug kernel the runner's own tests use for kmemleak, lockdep, KASAN.
VM_DEBUG    := $(firstword $(filter debug%,$(KERNELS)))

DEB_PACKAGES := build-essential make gcc libc6-dev \
		linux-image-amd64 linux-headers-amd64 \
		linux-image-rt-amd64 linux-headers-rt-amd64 linux-source-6.1 \
		qemu-system-x86 busybox-static cpio gzip xz-utils zstd kmod \
		libkmod-dev pkg-config flex bison bc libelf-dev libssl-dev \
		dwarves man-db groff-base util-linux procps jq \
		python3.11 libpython3.11-testsuite golang-go openjdk-17-jdk-headless junit5 \
		python3-dev python3-pytest php8.2-cli php8.2-dev gnuplot-nox

# The kernels on which make check runs the language packages' suites
# (selftests/{python,go,java,php}_test.sh): stock and one debug kernel. On
# the others those scripts skip.
LANG_KERNELS ?= $(filter stock $(VM_DEBUG),$(KERNELS))

# The kernel make check-kselftest runs on: debug-7.2, the newest (whose
# kselftest runner counts exit code 255 as a failure), when KERNELS has it.
KSFT_KERNEL ?= $(if $(filter debug-7.2,$(KERNELS)),debug-7.2,$(firstword $(KERNELS)))

.PHONY: deps check check-run demo demo-run vm-shell fuzz fuzz-run FORCE \
	check-bindings check-bindings-run \
	check-kselftest check-kselftest-run kselftest-tree

# Install what is missing, quietly; nothing at all when everything is there.
# The package lists are refreshed only when apt cannot find a package.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f '$${db:Status-Status}\n' $$p 2>/dev/null | \
			grep -qx installed || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS    $$(echo $$missing)"; \
		if [ "$$(id -u)" != 0 ]; then \
			echo "deps: run as root, or: apt-get install" $$missing; exit 1; \
		fi; \
		mkdir -p $(O); \
		export DEBIAN_FRONTEND=noninteractive; \
		install="apt-get install -y -qq --no-install-recommends"; \
		$$install $$missing >$(O)/deps.log 2>&1 || \
		{ apt-get update -qq >>$(O)/deps.log 2>&1 && \
		  $$install $$missing >>$(O)/deps.log 2>&1; } || \
		{ tail -n 20 $(O)/deps.log; echo "deps: apt-get failed, see $(O)/deps.log"; exit 1; }; \
	fi

# module-<kernel>: shmdev.ko against that kernel's own tree; warnings fail.
# The sources are copied (when changed) so that each kernel gets its own
# objects; SHMDEV_TOP tells Kbuild where include/ is.
module-%: FORCE
	@eval "$$(selftests/vm/kernels.sh ensure $*)" || exit 1; \
	d=$(O)/kmod-$*; mkdir -p $$d && \
	cp -pu kmod/*.c kmod/*.h kmod/Kbuild $$d/ && \
	if ! $(MAKE) -C $$KDIR M=$(CURDIR)/$$d SHMDEV_TOP=$(CURDIR) \
			SHMDEV_VERSION=$(VERSION) W=1 modules \
			>$$d/build.log 2>&1 || grep -q 'warning:' $$d/build.log; then \
		cat $$d/build.log; echo "module-$*: the build failed or warned"; exit 1; \
	fi; \
	echo "  MODULE  $$d/shmdev.ko ($$KVER)"

# warn-<kernel>: the runner's own test module (selftests/vm/warn).
warn-%: FORCE
	@eval "$$(selftests/vm/kernels.sh ensure $*)" || exit 1; \
	d=$(O)/warn-$*; mkdir -p $$d && \
	cp -pu selftests/vm/warn/warn.c selftests/vm/warn/Kbuild $$d/ && \
	if ! $(MAKE) -C $$KDIR M=$(CURDIR)/$$d W=1 modules >$$d/build.log 2>&1 || \
			grep -q 'warning:' $$d/build.log; then \
		cat $$d/build.log; echo "warn-$*: the build failed or warned"; exit 1; \
	fi

# stage-<kernel>: `make install` staged for that kernel's module, and a
# program built against it, for install_test.sh in the VM (which would
# otherwise compile in the guest: minutes under TCG).
stage-%: module-% all FORCE
	@selftests/install_test.sh --prepare $(O)/kmod-$*/shmdev.ko $(O)/stage-$* || \
		{ echo "stage-$*: make install or the test program failed"; exit 1; }

# A second make after deps, so that KDIR and the source tarball are seen;
# it builds on every CPU (unless the caller gave -j) and then runs the VMs.
# check.sh's own makes (install_test's, check-man) use its jobserver: '+'.
JOBS_FLAG = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc))

# The guest side (run, run-tests.sh, the shell tests) reads build/: the
# targets that boot the VM refuse another O= rather than test stale files.
VM_GOALS := check check-run demo demo-run vm-shell fuzz fuzz-run check-kselftest check-kselftest-run \
	    check-bindings check-bindings-run
ifneq ($(filter $(VM_GOALS),$(MAKECMDGOALS)),)
ifneq ($(O),build)
$(error O=$(O): make $(filter $(VM_GOALS),$(MAKECMDGOALS)) works in build/ only)
endif
endif

check: deps
	@$(MAKE) --no-print-directory $(JOBS_FLAG) check-run

check-run: all clients standin-test $(addprefix module-,$(KERNELS)) $(addprefix stage-,$(KERNELS)) \
		$(if $(TESTS),,$(addprefix warn-,$(firstword $(KERNELS)) $(VM_DEBUG)) kselftest-tree)
	+@KSFT_KERNEL=$(KSFT_KERNEL) LANG_KERNELS="$(LANG_KERNELS)" \
		selftests/vm/check.sh "$(KERNELS)" "$(TESTS)" "$(VM_DEBUG)"

# kselftest-tree: $(O)/kselftest/<tree>, the kselftests built in a scratch
# kernel tree of KSFT_KERNEL's version (its sources come with the kernel).
kselftest-tree: module-$(KSFT_KERNEL)
	@selftests/vm/kselftest.sh build $(KSFT_KERNEL) >/dev/null && \
		echo "  KSFT    $(O)/kselftest (tools/testing/selftests/shmdev)"

check-kselftest: deps
	@$(MAKE) --no-print-directory $(JOBS_FLAG) check-kselftest-run

check-kselftest-run: module-$(KSFT_KERNEL) kselftest-tree
	@KSFT_KERNEL=$(KSFT_KERNEL) CHECK_JOBS=kselftest selftests/vm/check.sh \
		"$(KSFT_KERNEL)" "" ""

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all module-$(KERNEL)
	@if [ -x examples/demo.sh ]; then \
		$(VM_RUN) --kernel $(KERNEL) -- examples/demo.sh; \
	elif [ -x $(O)/tools/shmdevctl ]; then \
		$(VM_RUN) --kernel $(KERNEL) -- $(O)/tools/shmdevctl status; \
	else \
		$(VM_RUN) --kernel $(KERNEL) -- sh -c 'ls -l /dev/shmdev && \
			echo "shmdev $$(cat /sys/module/shmdev/version)"'; \
	fi

# make check-bindings: the language packages' suites in their long versions
# (SHMDEV_LONG=1: the two-JVM and PHP races and soaks run longer), on each
# kernel of BINDINGS_KERNELS (default those of LANG_KERNELS).
BINDINGS_KERNELS ?= $(LANG_KERNELS)
BINDINGS_TESTS   := python_test.sh go_test.sh java_test.sh php_test.sh

check-bindings: deps
	@$(MAKE) --no-print-directory $(JOBS_FLAG) check-bindings-run

check-bindings-run: all $(addprefix module-,$(BINDINGS_KERNELS))
	@for k in $(BINDINGS_KERNELS); do \
		echo "=== bindings, long: $$k ==="; \
		$(VM_RUN) --kernel $$k --timeout 3600 --env SHMDEV_LANG_TESTS=1 \
			--env SHMDEV_LONG=1 -- selftests/run-tests.sh $(BINDINGS_TESTS) || \
			{ echo "check-bindings: failed on $$k"; exit 1; }; \
	done

# make fuzz: the long fuzzing runs, with trinity (installed only for this).
FUZZ_KERNELS ?= $(filter debug%,$(KERNELS))
FUZZ_SECONDS ?= 300
TRINITY_OPS  ?= 200000

fuzz: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES=trinity
	@$(MAKE) --no-print-directory $(JOBS_FLAG) fuzz-run

fuzz-run: all $(addprefix module-,$(FUZZ_KERNELS))
	@for k in $(FUZZ_KERNELS); do \
		echo "=== fuzz: $$k, $(FUZZ_SECONDS) s and $(TRINITY_OPS) trinity calls ==="; \
		$(VM_RUN) --kernel $$k --timeout $$(($(FUZZ_SECONDS) * 3 + 1800)) \
			--env SHMDEV_FUZZ_SECONDS=$(FUZZ_SECONDS) \
			--env TRINITY_OPS=$(TRINITY_OPS) -- selftests/fuzz.sh || \
			{ echo "fuzz: failed on $$k"; exit 1; }; \
	done

vm-shell: deps
	@$(MAKE) --no-print-directory all module-$(KERNEL)
	@$(VM_RUN) --kernel $(KERNEL) --interactive --timeout 86400 -- /bin/bash -i

clean::
	rm -rf $(O)/vm $(O)/vm-logs $(O)/check
