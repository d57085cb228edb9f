# SPDX-License-Identifier: GPL-2.0
#
# The Java binding (java/), included by the top-level Makefile. make java
# builds, in $(O)/java:
#   libshmdev_jni.so   java/jni/shmdev_jni.c with libshmdev.a linked in
#   classes/, shmdev.jar   the package dev.shmdev (javac of JDK 17)
#   examples/          examples/java/*.java

JAVA_HOME   ?= /usr/lib/jvm/java-17-openjdk-amd64
JAVAC       := $(JAVA_HOME)/bin/javac
JAR         := $(JAVA_HOME)/bin/jar
JAVAC_FLAGS := --release 17 -Xlint:all -Werror -g

JAVA_OUT    := $(O)/java
JAVA_SRC    := $(wildcard java/src/main/java/dev/shmdev/*.java)
JAVA_EX     := $(wildcard examples/java/*.java)
JAVA_JNI    := $(JAVA_OUT)/libshmdev_jni.so
JAVA_JAR    := $(JAVA_OUT)/shmdev.jar

.PHONY: java
all: java
java: $(JAVA_JNI) $(JAVA_JAR) $(JAVA_OUT)/examples.stamp

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

$(JAVA_OUT)/examples.stamp: $(JAVA_EX) $(JAVA_JAR)
	@rm -rf $(JAVA_OUT)/examples && mkdir -p $(JAVA_OUT)/examples
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_JAR) -d $(JAVA_OUT)/examples $(JAVA_EX)
	@touch $@

clean::
	rm -rf $(JAVA_OUT)
