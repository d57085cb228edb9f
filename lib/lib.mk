# SPDX-License-Identifier: GPL-2.0
#
# libshmdev, included by the top-level Makefile. Builds in $(O)/lib:
#   libshmdev.a
#   libshmdev.so.$(LIB_VERSION)	the shared object (soname libshmdev.so.$(ABI_MAJOR))
#   libshmdev.so.$(ABI_MAJOR)	-> libshmdev.so.$(LIB_VERSION), what programs load
#   libshmdev.so		-> libshmdev.so.$(ABI_MAJOR), what -lshmdev finds
#   libshmdev.pc		pkg-config file for PREFIX, LIBDIR and INCLUDEDIR
# LIB_VERSION is ABI_MAJOR followed by the release's minor and patch numbers,
# so every release installs a file of its own. Only the symbols listed in
# libshmdev.map are exported, each with its version node.

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

LIB_SRC     := $(wildcard lib/*.c)
LIB_OBJ     := $(patsubst lib/%.c,$(O)/lib/%.o,$(LIB_SRC))
LIB_HDRS    := include/shmdev.h include/shmdev_ring.h include/uapi/linux/shmdev.h lib/internal.h
LIB_VERSION := $(ABI_MAJOR).$(word 2,$(subst ., ,$(VERSION))).$(word 3,$(subst ., ,$(VERSION)))
LIB_SONAME  := libshmdev.so.$(ABI_MAJOR)
LIB_SO      := $(O)/lib/libshmdev.so.$(LIB_VERSION)
LIB_LINKS   := $(O)/lib/$(LIB_SONAME) $(O)/lib/libshmdev.so
LIB_A       := $(O)/lib/libshmdev.a
LIB_PC      := $(O)/lib/libshmdev.pc
LIB_CFLAGS   = $(ALL_CFLAGS) -fPIC -fvisibility=hidden

.PHONY: lib lib-pc-vars
all: lib
lib: $(LIB_A) $(LIB_SO) $(LIB_LINKS) $(LIB_PC)

$(O)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The test build: the same objects, but ring.c with its fault-injection
# hook (SHMDEV_TEST_HOOKS), for selftests/ring_test.c only.
LIB_TEST_A := $(O)/lib/libshmdev-test.a

$(O)/lib/test/ring.o: lib/ring.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -DSHMDEV_TEST_HOOKS -c -o $@ $<

$(LIB_TEST_A): $(filter-out $(O)/lib/ring.o,$(LIB_OBJ)) $(O)/lib/test/ring.o
	@rm -f $@
	$(AR) rcs $@ $^

# -z nodelete: dlclose() keeps the library, whose fork handlers and thread
# exit destructor (lib/ring.c, lib/owner.c) stay registered with libc.
$(LIB_SO): $(LIB_OBJ) lib/libshmdev.map
	$(CC) $(LIB_CFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=lib/libshmdev.map -Wl,-z,defs -Wl,-z,nodelete \
		-o $@ $(LIB_OBJ)

$(O)/lib/$(LIB_SONAME): $(LIB_SO)
	ln -sf $(notdir $(LIB_SO)) $@

$(O)/lib/libshmdev.so: $(O)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

# Regenerated whenever PREFIX, LIBDIR or INCLUDEDIR change (make install
# PREFIX=... included), but rewritten only when its text does.
$(LIB_PC): lib/libshmdev.pc.in lib-pc-vars
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	     -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	     $< >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; \
	 else mv -f $@.tmp $@; echo "  GEN     $@"; fi

clean::
	rm -rf $(O)/lib
