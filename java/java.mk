# SPDX-License-Identifier: GPL-2.0
#
# The Java binding (java/), included by the top-level Makefile. make java
# builds, in $(O)/java:
#   libshmdev_jni.so   java/jni/shmdev_jni.c with libshmdev.a linked in
#   classes/, shmdev.jar   the package dev.shmdev (javac of JDK 17)
#   test-classes/      java/src/test/java, against Debian's JUnit 5 jars
#   examples/          examples/java/*.java
#   junit.jsa          a CDS archive of the JUnit launcher's classes, which
#                      the test JVM maps instead of loading them one by one
#                      (seconds under emulation)
# selftests/java_test.sh runs the tests in the VM with JUnit's console
# launcher (junit-platform-console-standalone.jar of Debian's junit5).

JAVA_HOME   ?= /usr/lib/jvm/java-17-openjdk-amd64
JAVAC       := $(JAVA_HOME)/bin/javac
JAR         := $(JAVA_HOME)/bin/jar
JUNIT_DIR   ?= /usr/share/java
JUNIT_CP    := $(subst $(eval) ,:,$(addprefix $(JUNIT_DIR)/,junit-jupiter-api.jar \
		apiguardian-api.jar opentest4j.jar junit-platform-commons.jar \
		junit-platform-engine.jar junit-platform-launcher.jar))
JAVAC_FLAGS := --release 17 -Xlint:all -Werror -g

JAVA_OUT    := $(O)/java
JAVA_SRC    := $(wildcard java/src/main/java/dev/shmdev/*.java)
JAVA_TEST   := $(wildcard java/src/test/java/dev/shmdev/*.java)
JAVA_EX     := $(wildcard examples/java/*.java)
JAVA_JNI    := $(JAVA_OUT)/libshmdev_jni.so
JAVA_JAR    := $(JAVA_OUT)/shmdev.jar

# Not part of all: a plain make needs neither a JDK nor JUnit.
.PHONY: java
java: $(JAVA_JNI) $(JAVA_JAR) $(JAVA_OUT)/test-classes.stamp $(JAVA_OUT)/examples.stamp \
	$(JAVA_OUT)/junit.jsa
check-run demo-run check-bindings-run: java

$(JAVA_JNI): java/jni/shmdev_jni.c java/jni/shmdev_jni.map $(LIB_HDRS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux \
		-Wl,-z,defs -Wl,--version-script=java/jni/shmdev_jni.map -o $@ $< $(LIB_A)

$(JAVA_OUT)/classes.stamp: $(JAVA_SRC)
	@rm -rf $(JAVA_OUT)/classes && mkdir -p $(JAVA_OUT)/classes
	$(JAVAC) $(JAVAC_FLAGS) -d $(JAVA_OUT)/classes $(JAVA_SRC)
	@touch $@

$(JAVA_JAR): $(JAVA_OUT)/classes.stamp
	$(JAR) cf $@ -C $(JAVA_OUT)/classes .

$(JAVA_OUT)/test-classes.stamp: $(JAVA_TEST) $(JAVA_EX) $(JAVA_JAR) \
		java/src/test/resources/META-INF/services/org.junit.platform.launcher.TestExecutionListener
	@rm -rf $(JAVA_OUT)/test-classes && mkdir -p $(JAVA_OUT)/test-classes
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_JAR):$(JUNIT_CP) -d $(JAVA_OUT)/test-classes \
		$(JAVA_TEST) $(JAVA_EX)
	cp -r java/src/test/resources/. $(JAVA_OUT)/test-classes/
	@touch $@

$(JAVA_OUT)/examples.stamp: $(JAVA_EX) $(JAVA_JAR)
	@rm -rf $(JAVA_OUT)/examples && mkdir -p $(JAVA_OUT)/examples
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_JAR) -d $(JAVA_OUT)/examples $(JAVA_EX)
	@touch $@

# The launcher run with nothing to test (a selector that finds no test)
# loads what every run loads; selftests/java_test.sh uses the archive.
$(JAVA_OUT)/junit.jsa: $(JAVA_OUT)/test-classes.stamp
	@rm -f $@
	$(JAVA_HOME)/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
		-XX:ArchiveClassesAtExit=$@ -jar $(JUNIT_DIR)/junit-platform-console-standalone.jar \
		--disable-banner --details=none --class-path $(JAVA_JAR):$(JAVA_OUT)/test-classes \
		--select-class dev.shmdev.TapListener >/dev/null 2>&1 || test -f $@ || \
		echo "  no CDS archive: the tests load JUnit without one"

clean::
	rm -rf $(JAVA_OUT)
