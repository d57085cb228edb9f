# SPDX-License-Identifier: GPL-2.0
#
# Man pages: sections 3 (libshmdev), 4 (the device), 5 (the filesystem),
# 7 (concepts) and 8 (shmdevctl). install.mk installs $(MAN_PAGES);
# `make check-man` renders every page and checks the pages against
# include/shmdev.h, lib/libshmdev.map, the built library and shmdevctl's --help
# (man/check-man.sh, TAP output ending in a kselftest "# Totals:" line).

MAN_PAGES := $(sort $(wildcard man/man[1-8]/*.[1-8]))

.PHONY: check-man
check-man: $(if $(LIB_SO),lib) $(if $(SHMDEVCTL),tools)
	man/check-man.sh -l $(O)/lib/libshmdev.so.$(ABI_MAJOR) -t $(O)/tools/shmdevctl
