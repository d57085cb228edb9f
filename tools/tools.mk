# SPDX-License-Identifier: GPL-2.0
#
# shmdevctl: $(O)/tools/shmdevctl from tools/shmdevctl/*.c, linked with
# libshmdev.a (no runtime dependency on the shared library). 'status --load'
# opens libkmod.so.2 with dlopen (libkmod's header is needed to build, its
# library only to load).

SHMDEVCTL      := $(O)/tools/shmdevctl
SHMDEVCTL_SRC  := $(wildcard tools/shmdevctl/*.c)
SHMDEVCTL_OBJ  := $(patsubst tools/shmdevctl/%.c,$(O)/tools/shmdevctl.d/%.o,$(SHMDEVCTL_SRC))
SHMDEVCTL_HDRS := $(wildcard tools/shmdevctl/*.h) include/shmdev.h include/uapi/linux/shmdev.h
KMOD_CFLAGS    := $(shell pkg-config --cflags libkmod 2>/dev/null)

.PHONY: tools
all: tools
tools: $(SHMDEVCTL)

# libkmod's header is checked for when an object is built, not on every
# make: an installed tree's make (install_test) need not find it.
# Makefile: VERSION is compiled in.
$(O)/tools/shmdevctl.d/%.o: tools/shmdevctl/%.c $(SHMDEVCTL_HDRS) Makefile
	@pkg-config --exists libkmod || \
		{ echo "no libkmod: apt-get install libkmod-dev pkg-config (or make deps)"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(KMOD_CFLAGS) -DSHMDEVCTL_VERSION='"$(VERSION)"' -c -o $@ $<

$(SHMDEVCTL): $(SHMDEVCTL_OBJ) $(O)/lib/libshmdev.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(SHMDEVCTL_OBJ) $(O)/lib/libshmdev.a -ldl
