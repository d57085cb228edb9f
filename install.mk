# SPDX-License-Identifier: GPL-2.0
#
# make install      the module, libshmdev (shared, static), its headers and
#                   pkg-config file, shmdevctl, the udev rule, the man pages
# make uninstall    removes all of that
# make install-dkms the module's source and dkms.conf in /usr/src, for DKMS
#
# DESTDIR stages the whole tree (then depmod runs with -b $(DESTDIR) and
# ldconfig does not run). PREFIX is /usr/local; the directories below may
# each be set. The module goes to /lib/modules/$(KVER)/extra, where KVER is
# the kernel the module was built for (its vermagic), and udev rules to
# /lib/udev/rules.d whatever PREFIX is, since udev reads no other place.
# INSTALL_KO picks another build of the module (build/kmod-<kernel>/...).

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR       ?= $(PREFIX)/share/man
UDEVDIR      ?= /lib/udev
MODULEDIR    ?= /lib/modules
DKMSDIR      ?= /usr/src/shmdev-$(VERSION)

INSTALL      ?= install
DEPMOD       ?= depmod
LDCONFIG     ?= ldconfig

INSTALL_KO   ?= kmod/shmdev.ko
INSTALL_MAN  := $(or $(MAN_PAGES),$(sort $(wildcard man/man[1-8]/*.[1-8])))
KMOD_SRC     := $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) kmod/Kbuild

# The kernel release the module is for: KVER if given, else the module's
# vermagic, else the tree's utsrelease.h (Debian's headers carry a
# kernel.release that is not the package's release, so that is not used).
# Expanded when a recipe runs, after the module is built.
install_kver = $(or $(KVER),$(firstword $(shell modinfo -F vermagic $(INSTALL_KO) 2>/dev/null)),$(shell \
	sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null))

.PHONY: install uninstall install-module install-lib install-headers \
	install-tools install-udev install-man install-dkms uninstall-dkms

install: install-module install-lib install-headers install-tools install-udev install-man
	@if [ -z "$(DESTDIR)" ]; then $(LDCONFIG) || true; fi

# The module is built if it is missing or older than its sources.
kmod/shmdev.ko: $(KMOD_SRC) include/uapi/linux/shmdev.h
	$(MAKE) --no-print-directory module

install-module: $(INSTALL_KO)
	@kver="$(install_kver)"; dir="$(DESTDIR)$(MODULEDIR)/$$kver/extra"; \
	 test -n "$$kver" || { echo "install: cannot tell which kernel $(INSTALL_KO) is for: set KVER" >&2; exit 1; }; \
	 echo "$(INSTALL) -m 0644 $(INSTALL_KO) $$dir/shmdev.ko"; \
	 $(INSTALL) -d "$$dir" && $(INSTALL) -m 0644 $(INSTALL_KO) "$$dir/shmdev.ko" || exit 1; \
	 echo "$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR) )-a $$kver"; \
	 out=$$($(DEPMOD) $(if $(DESTDIR),-b "$(DESTDIR)") -a "$$kver" 2>&1) || { echo "$$out" >&2; exit 1; }; \
	 echo "$$out" | grep -v -e '^$$' -e "could not open modules\.\(order\|builtin\)" >&2; true

install-lib: $(LIB_SO) $(LIB_A) $(LIB_PC)
	$(INSTALL) -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(PKGCONFIGDIR)"
	$(INSTALL) -m 0755 $(LIB_SO) "$(DESTDIR)$(LIBDIR)/"
	ln -sf $(notdir $(LIB_SO)) "$(DESTDIR)$(LIBDIR)/$(LIB_SONAME)"
	ln -sf $(LIB_SONAME) "$(DESTDIR)$(LIBDIR)/libshmdev.so"
	$(INSTALL) -m 0644 $(LIB_A) "$(DESTDIR)$(LIBDIR)/"
	$(INSTALL) -m 0644 $(LIB_PC) "$(DESTDIR)$(PKGCONFIGDIR)/"

install-headers:
	$(INSTALL) -d "$(DESTDIR)$(INCLUDEDIR)/linux"
	$(INSTALL) -m 0644 include/shmdev.h include/shmdev_ring.h "$(DESTDIR)$(INCLUDEDIR)/"
	$(INSTALL) -m 0644 include/uapi/linux/shmdev.h "$(DESTDIR)$(INCLUDEDIR)/linux/"

install-tools: $(SHMDEVCTL)
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)"
	$(INSTALL) -m 0755 $(SHMDEVCTL) "$(DESTDIR)$(BINDIR)/"

install-udev:
	$(INSTALL) -d "$(DESTDIR)$(UDEVDIR)/rules.d"
	$(INSTALL) -m 0644 udev/60-shmdev.rules "$(DESTDIR)$(UDEVDIR)/rules.d/"

install-man:
	$(foreach s,$(sort $(subst .,,$(suffix $(INSTALL_MAN)))),\
		$(INSTALL) -d "$(DESTDIR)$(MANDIR)/man$(s)" && \
		$(INSTALL) -m 0644 $(filter %.$(s),$(INSTALL_MAN)) "$(DESTDIR)$(MANDIR)/man$(s)/" &&) true

# Removes what install puts in place, for the kernel the module in the tree
# is built for (KVER=... for another).
# In a DESTDIR that holds no other module, the files depmod made go too.
uninstall:
	@kver="$(install_kver)"; dir="$(DESTDIR)$(MODULEDIR)/$$kver"; \
	 if [ -n "$$kver" ] && [ -e "$$dir/extra/shmdev.ko" ]; then \
		echo "rm -f $$dir/extra/shmdev.ko"; rm -f "$$dir/extra/shmdev.ko"; \
		rmdir "$$dir/extra" 2>/dev/null; \
		if [ -n "$(DESTDIR)" ] && [ -z "$$(find "$$dir" -name '*.ko*')" ]; then \
			rm -f "$$dir"/modules.*; rmdir "$$dir"; \
		else \
			echo "$(DEPMOD) -a $$kver"; \
			$(DEPMOD) $(if $(DESTDIR),-b "$(DESTDIR)") -a "$$kver"; \
		fi; \
	 fi; true
	rm -f "$(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO))" "$(DESTDIR)$(LIBDIR)/$(LIB_SONAME)" \
	      "$(DESTDIR)$(LIBDIR)/libshmdev.so" "$(DESTDIR)$(LIBDIR)/libshmdev.a" \
	      "$(DESTDIR)$(PKGCONFIGDIR)/libshmdev.pc"
	rm -f "$(DESTDIR)$(INCLUDEDIR)/shmdev.h" "$(DESTDIR)$(INCLUDEDIR)/shmdev_ring.h" \
	      "$(DESTDIR)$(INCLUDEDIR)/linux/shmdev.h"
	rm -f "$(DESTDIR)$(BINDIR)/shmdevctl" "$(DESTDIR)$(UDEVDIR)/rules.d/60-shmdev.rules"
	rm -f $(foreach p,$(INSTALL_MAN),"$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))")
	@if [ -z "$(DESTDIR)" ]; then $(LDCONFIG) || true; fi

# DKMS: the module's sources in the layout kmod/Kbuild expects (the uapi
# header in include/ next to kmod/), and dkms.conf with this VERSION.
# Then: dkms install shmdev/$(VERSION).
install-dkms:
	$(INSTALL) -d "$(DESTDIR)$(DKMSDIR)/kmod" "$(DESTDIR)$(DKMSDIR)/include/uapi/linux"
	$(INSTALL) -m 0644 $(KMOD_SRC) "$(DESTDIR)$(DKMSDIR)/kmod/"
	$(INSTALL) -m 0644 include/uapi/linux/shmdev.h "$(DESTDIR)$(DKMSDIR)/include/uapi/linux/"
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf >"$(DESTDIR)$(DKMSDIR)/dkms.conf"
	chmod 0644 "$(DESTDIR)$(DKMSDIR)/dkms.conf"

uninstall-dkms:
	rm -rf "$(DESTDIR)$(DKMSDIR)"
