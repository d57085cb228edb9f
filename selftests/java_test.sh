#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# java_test.sh [--long]: the Java binding's suite (java/src/test/java), in
# the test VM. One JVM runs JUnit 5's console launcher (Debian's junit5)
# over every test class; the two-JVM tests start a second JVM once. Each
# test is reported as a TAP line by dev.shmdev.TapListener, which prints the
# kselftest totals. The two-JVM SHA-1 runs last 1.5 s each, 5 s with
# --long or SHMDEV_LONG=1 (make check-bindings). Built on the host by make java.
#
# Skips (exit 4) unless SHMDEV_LANG_TESTS=1: make check sets it on the
# kernels that run the language suites.
cd "$(dirname "$0")/.." || exit 1

secs=1.5
{ [ "${1:-}" = --long ] || [ "${SHMDEV_LONG:-0}" = 1 ]; } && secs=5

. selftests/tap.sh
lang_suite

JAVA=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/java
LAUNCHER=${JUNIT_LAUNCHER:-/usr/share/java/junit-platform-console-standalone.jar}
B=${JAVA_BUILD:-build/java}
for f in "$JAVA" "$LAUNCHER" "$B/shmdev.jar" "$B/libshmdev_jni.so" "$B/test-classes.stamp"; do
	if [ ! -e "$f" ]; then
		echo "1..1"
		echo "not ok 1 java_test: $f is missing (make java)"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		exit 1
	fi
done

# Under emulation a JVM spends its first seconds compiling: C1 only, the
# serial collector, no perf data file.
opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto"
cds=; [ -f "$B/junit.jsa" ] && cds="-XX:SharedArchiveFile=$B/junit.jsa"
case $B in /*) ;; *) B=$PWD/$B ;; esac
cp="$B/shmdev.jar:$B/test-classes"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
# JAVA_TEST_SELECT: other JUnit selectors (--select-class dev.shmdev.RingTest)
# shellcheck disable=SC2086
"$JAVA" $opts $cds -Dshmdev.test.cp="$cp" -Dshmdev.test.jvmopts="$opts" \
	-Dshmdev.test.seconds="$secs" -jar "$LAUNCHER" --disable-banner \
	--details=none --class-path "$cp" ${JAVA_TEST_SELECT:---select-package dev.shmdev} 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
echo "# java_test: launcher exit $rc after $((SECONDS - start)) s"
if ! grep -q '^# Totals: ' "$out"; then
	echo "not ok 1 java_test: the JVM ended without totals"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
if grep -q '^# Totals: pass:[0-9]* fail:0 ' "$out" && [ "$rc" = 0 ]; then
	exit 0
fi
exit 1
