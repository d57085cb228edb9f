dnl SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
dnl
dnl The shmdev extension, linked statically against libshmdev.a (built
dnl with -fPIC by the top-level make). php/php.mk runs phpize in a copy of
dnl these sources under build/php/src and passes:
dnl   --with-shmdev=DIR   the shmdev tree (DIR/include)
dnl   SHMDEV_LIBA=FILE    the archive (default DIR/build/lib/libshmdev.a)

PHP_ARG_WITH([shmdev],
  [for shmdev support],
  [AS_HELP_STRING([--with-shmdev=DIR], [shmdev source tree])])

if test "$PHP_SHMDEV" != "no"; then
  if test "$PHP_SHMDEV" = "yes"; then
    AC_MSG_ERROR([--with-shmdev needs the shmdev source tree])
  fi
  if test -z "$SHMDEV_LIBA"; then
    SHMDEV_LIBA="$PHP_SHMDEV/build/lib/libshmdev.a"
  fi
  if test ! -r "$PHP_SHMDEV/include/shmdev.h" || test ! -r "$SHMDEV_LIBA"; then
    AC_MSG_ERROR([no shmdev.h in $PHP_SHMDEV/include or no $SHMDEV_LIBA])
  fi
  PHP_ADD_INCLUDE([$PHP_SHMDEV/include])
  PHP_ADD_INCLUDE([$PHP_SHMDEV/include/uapi])
  dnl --exclude-libs: the archive's compatibility symbols name their
  dnl version node themselves, which the version script cannot make local.
  SHMDEV_SHARED_LIBADD="-Wl,$SHMDEV_LIBA -Wl,--exclude-libs,ALL -Wl,--version-script=\$(srcdir)/shmdev.map -lpthread"
  PHP_SUBST(SHMDEV_SHARED_LIBADD)
  PHP_NEW_EXTENSION(shmdev, shmdev.c, $ext_shared,, [-D_GNU_SOURCE])
fi
