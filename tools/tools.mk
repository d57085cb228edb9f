# SPDX-License-Identifier: GPL-2.0
#
# shmdevctl: $(O)/tools/shmdevctl, linked with libshmdev.a (no runtime
# dependency on the shared library). 'status --load' opens libkmod.so.2 with
# dlopen (libkmod's header is needed to build, its library only to load).

SHMDEVCTL   := $(O)/tools/shmdevctl
KMOD_CFLAGS := $(shell pkg-config --cflags libkmod 2>/dev/null)

.PHONY: tools
all: tools
tools: $(SHMDEVCTL)

$(SHMDEVCTL): tools/shmdevctl.c include/shmdev.h include/uapi/linux/shmdev.h \
		$(O)/lib/libshmdev.a
	@pkg-config --exists libkmod || \
		{ echo "no libkmod: apt-get install libkmod-dev pkg-config (or make deps)"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(KMOD_CFLAGS) -DSHMDEVCTL_VERSION='"$(VERSION)"' \
		-o $@ $< $(O)/lib/libshmdev.a -ldl
