# SPDX-License-Identifier: GPL-2.0
#
# The PHP extension (php/), included by the top-level Makefile:
#   make php            build/php/shmdev.so, built with phpize8.2 and
#                       php-config8.2 in a copy of php/ (build/php/src), so
#                       that phpize leaves the source tree alone; linked
#                       statically against libshmdev.a (-fPIC)
#   make install-php    shmdev.so into php-config8.2 --extension-dir and,
#                       with PHP_INI=1, a conf.d .ini that loads it for
#                       Debian's php8.2 (DESTDIR staged, as install.mk)
# selftests/php_test.sh runs php/tests/*.phpt in the VM against build/php.

PHPIZE       ?= phpize8.2
PHP_CONFIG   ?= php-config8.2
PHP_SRC      := php/config.m4 php/shmdev.c php/php_shmdev.h php/shmdev.map
PHP_SO       := $(O)/php/shmdev.so
PHP_WARN     := -Wall -Wextra -Wno-unused-parameter
PHP_EXT_DIR   = $(shell $(PHP_CONFIG) --extension-dir 2>/dev/null)
PHP_INI_DIR  ?= /etc/php/8.2/mods-available

.PHONY: php install-php uninstall-php
php: $(PHP_SO)
check-run demo-run check-bindings-run: $(PHP_SO)
# make check's stage-<kernel> jobs each run make install, at the same
# time: built before them, the extension is up to date there, not built by
# several makes at once in one directory.
$(addprefix stage-,$(KERNELS)): $(PHP_SO)

# configure runs again only when config.m4 changes; make alone when the
# sources or the archive do.
$(O)/php/src/Makefile: php/config.m4 $(LIB_A)
	@command -v $(PHPIZE) >/dev/null || { echo "php: no $(PHPIZE): apt-get install php8.2-dev" >&2; exit 1; }
	rm -rf $(O)/php/src
	mkdir -p $(O)/php/src
	cp $(PHP_SRC) $(O)/php/src/
	# phpize's autoconf warns about Debian's own configure.ac: kept in a log
	cd $(O)/php/src && { $(PHPIZE) >phpize.log 2>&1 || { cat phpize.log >&2; exit 1; }; } && \
		./configure --quiet --with-php-config=$(PHP_CONFIG) --with-shmdev=$(CURDIR) \
			SHMDEV_LIBA=$(abspath $(LIB_A)) CFLAGS="$(CFLAGS) $(PHP_WARN)" >/dev/null

$(PHP_SO): $(O)/php/src/Makefile $(PHP_SRC) $(LIB_A)
	cp $(PHP_SRC) $(O)/php/src/
	$(MAKE) -s -C $(O)/php/src >/dev/null
	cp $(O)/php/src/modules/shmdev.so $@

install-php: $(PHP_SO)
	@test -n "$(PHP_EXT_DIR)" || { echo "install-php: no $(PHP_CONFIG)" >&2; exit 1; }
	$(INSTALL) -d "$(DESTDIR)$(PHP_EXT_DIR)"
	$(INSTALL) -m 0644 $(PHP_SO) "$(DESTDIR)$(PHP_EXT_DIR)/shmdev.so"
	$(if $(filter 1,$(PHP_INI)),$(INSTALL) -d "$(DESTDIR)$(PHP_INI_DIR)" && \
		printf '; priority=20\nextension=shmdev.so\n' >"$(DESTDIR)$(PHP_INI_DIR)/shmdev.ini")

uninstall-php:
	rm -f "$(DESTDIR)$(PHP_EXT_DIR)/shmdev.so" "$(DESTDIR)$(PHP_INI_DIR)/shmdev.ini"

clean::
	rm -rf $(O)/php

# make install takes the extension too when PHP's development files are here.
ifneq ($(shell command -v $(PHP_CONFIG) 2>/dev/null),)
install: install-php
uninstall: uninstall-php
endif
