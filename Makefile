# SPDX-License-Identifier: GPL-2.0
#
# shmdev: one Makefile for everything, no recursion except into Kbuild.
#   make            module (against KDIR), library, tools, examples, selftests
#   make deps       install the Debian packages the build and the VM need
#   make demo       build, boot the test VM, load the module, run the demo
#   make check      selftests in the VM on every kernel of KERNELS
#   make vm-shell   a shell in the VM with the module loaded
#   make install    module, library, headers, pkg-config, CLI, udev rule, man pages

VERSION     := 0.2.0
ABI_MAJOR   := 1

O           ?= build
CC          ?= cc
AR          ?= ar
CFLAGS      ?= -O2 -g
WARNFLAGS   := -Wall -Wextra -Wno-unused-parameter
ALL_CFLAGS   = $(WARNFLAGS) $(CFLAGS) -Iinclude -Iinclude/uapi -D_GNU_SOURCE -pthread

# The module builds against KDIR: the running kernel's tree when there is one
# (a real host), else the installed Debian stock headers (this build machine).
STOCK_KDIR  := $(lastword $(sort $(filter-out %-rt-amd64,$(wildcard /usr/src/linux-headers-*-amd64))))
KDIR        ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) $(STOCK_KDIR))

# Where kernels built for the test matrix are kept: outside the work tree, so a
# fresh clone reuses them.
SHMDEV_CACHE ?= /var/cache/shmdev
export SHMDEV_CACHE

.PHONY: all module clean
all: module

module:
	@test -n "$(KDIR)" || { echo "no kernel tree: set KDIR or run 'make deps'"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod SHMDEV_VERSION=$(VERSION) W=1 modules

clean::
	rm -rf $(O)
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean >/dev/null 2>&1

-include lib/lib.mk
-include tools/tools.mk
-include examples/examples.mk
-include selftests/selftests.mk
-include selftests/vm/vm.mk
-include selftests/clients/clients.mk
-include man/man.mk
-include bench/bench.mk
-include go/go.mk
-include java/java.mk
-include install.mk
-include python/python.mk
-include php/php.mk
