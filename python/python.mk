# SPDX-License-Identifier: GPL-2.0
#
# The Python package shmdev (python/), included by the top-level Makefile.
#   make python          $(O)/python/shmdev/: import it with PYTHONPATH=$(O)/python
#   make install-python  into the dist-packages directory Debian's python3
#                        reads for PREFIX (part of make install)
# The extension is built against Debian's /usr/bin/python3 (PYTHON), with the
# flags of its python3-config, and links libshmdev.a (built -fPIC) statically,
# so that it needs no libshmdev.so at run time.

PYTHON          ?= /usr/bin/python3
PYTHON_CONFIG   ?= $(PYTHON)-config
PY_EXT_SUFFIX   := $(shell $(PYTHON_CONFIG) --extension-suffix 2>/dev/null)
PY_VERSION      := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PY_CFLAGS        = $(shell $(PYTHON_CONFIG) --includes) $(filter-out -O% -g,$(shell $(PYTHON_CONFIG) --cflags)) \
		   $(WARNFLAGS) -Wextra $(CFLAGS) -fPIC -Iinclude -Iinclude/uapi -D_GNU_SOURCE -pthread
# Debian: /usr/lib/python3/dist-packages for packages of /usr,
# /usr/local/lib/python3.X/dist-packages for /usr/local.
PYTHONDIR       ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VERSION)/dist-packages)

PY_PKG_DIR      := $(O)/python/shmdev
PY_EXT          := $(PY_PKG_DIR)/_shmdev$(PY_EXT_SUFFIX)
PY_SRC          := $(wildcard python/shmdev/*.py)
PY_FILES        := $(patsubst python/shmdev/%,$(PY_PKG_DIR)/%,$(PY_SRC))

.PHONY: python install-python uninstall-python
python: $(PY_EXT) $(PY_FILES)

# libshmdev.a carries symbol versions (its compat symbols are bound to
# LIBSHMDEV_1.0): a shared object that links it needs those nodes in a
# version script. Only PyInit__shmdev is exported.
$(O)/python/_shmdev.map: lib/libshmdev.map
	@mkdir -p $(dir $@)
	@{ echo 'SHMDEV_PYTHON { global: PyInit__shmdev; local: *; };'; \
	   sed -n 's/^\(LIBSHMDEV_[0-9.]*\).*/\1 { };/p' $<; } >$@

$(PY_EXT): python/shmdev/_shmdev.c $(LIB_A) $(O)/python/_shmdev.map include/shmdev.h include/shmdev_ring.h
	@test -n "$(PY_EXT_SUFFIX)" || { echo "python: no $(PYTHON_CONFIG): install python3-dev" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(PY_CFLAGS) -shared -Wl,--version-script=$(O)/python/_shmdev.map \
		-o $@.tmp $< $(LIB_A) && mv -f $@.tmp $@

$(PY_PKG_DIR)/%.py: python/shmdev/%.py
	@mkdir -p $(dir $@)
	cp $< $@

check-run demo-run check-bindings-run: python
# make check's stage-<kernel> jobs each run make install, at the same
# time: built before them, the extension is up to date there, not built by
# several makes at once in one directory.
$(addprefix stage-,$(KERNELS)): python

# make install takes the package too when Python's development files are here.
ifneq ($(PY_EXT_SUFFIX),)
install: install-python
uninstall: uninstall-python
endif
install-python: python
	$(INSTALL) -d "$(DESTDIR)$(PYTHONDIR)/shmdev"
	$(INSTALL) -m 0644 $(PY_FILES) "$(DESTDIR)$(PYTHONDIR)/shmdev/"
	$(INSTALL) -m 0755 $(PY_EXT) "$(DESTDIR)$(PYTHONDIR)/shmdev/"

uninstall-python:
	rm -rf "$(DESTDIR)$(PYTHONDIR)/shmdev"

clean::
	rm -rf $(O)/python
