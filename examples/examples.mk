# SPDX-License-Identifier: GPL-2.0
#
# Examples: every examples/*.c becomes $(O)/examples/<name>, linked with
# libshmdev.a so it runs from the build tree. Outside this tree, build one
# against an installed libshmdev with
#   cc -o counter counter.c $(pkg-config --cflags --libs libshmdev)
# examples/demo.sh runs them in the test VM ('make demo').

EXAMPLES_SRC := $(wildcard examples/*.c)
EXAMPLES     := $(patsubst examples/%.c,$(O)/examples/%,$(EXAMPLES_SRC))

.PHONY: examples
all: examples
examples: $(EXAMPLES)

$(O)/examples/%: examples/%.c include/shmdev.h include/uapi/linux/shmdev.h \
		$(O)/lib/libshmdev.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(O)/lib/libshmdev.a
