# SPDX-License-Identifier: GPL-2.0
#
# Unmodified programs on the shmdev filesystem (selftests/clients/), in the
# VM, with the filesystem mounted on /dev/shm: selftests/clients/run-clients.sh.
#
#   make clients                    what the clients run that is built
#                                   here, in $(O)/clients
#   make check-clients              every client on each of CLIENT_KERNELS
#   make check-clients CLIENTS=go CLIENT_KERNELS=stock SHMDEV_CLIENT_FS=tmpfs
#   make check-clients-quick        the short run make check can take
#                                   (CLIENTS_QUICK), on the first of
#                                   CLIENT_KERNELS

CLIENT_KERNELS   ?= stock debug
# Empty: every client.
CLIENTS          ?=
CLIENTS_QUICK    ?= cpython go
SHMDEV_CLIENT_FS ?= shmdev
# Seconds for one client in the guest, and for a whole VM run.
CLIENT_TIMEOUT    ?= 2400
CLIENT_VM_TIMEOUT ?= 7200
# The Debian packages the clients need, and the environment the quick run
# gives them.
CLIENT_DEB_PACKAGES := util-linux
CLIENT_QUICK_ENV :=

CLIENTS_OUT := $(O)/clients

.PHONY: clients check-clients check-clients-run check-clients-quick
clients:

# client_vm KERNEL CLIENTS [--env N=V...]: run-clients.sh in the VM.
client_vm = $(VM_RUN) --kernel $(1) --timeout $(CLIENT_VM_TIMEOUT) \
	--env SHMDEV_CLIENT_FS=$(SHMDEV_CLIENT_FS) --env CLIENT_TIMEOUT=$(CLIENT_TIMEOUT) \
	--env CLIENTS_BUILD=$(CURDIR)/$(CLIENTS_OUT) $(3) -- selftests/clients/run-clients.sh $(2)

check-clients: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(CLIENT_DEB_PACKAGES)"
	@$(MAKE) --no-print-directory $(JOBS_FLAG) check-clients-run

check-clients-run: all clients $(addprefix module-,$(CLIENT_KERNELS))
	@st=0; for k in $(CLIENT_KERNELS); do \
		echo "=== clients ($(or $(CLIENTS),all)) on $$k, $(SHMDEV_CLIENT_FS) on /dev/shm ==="; \
		$(call client_vm,$$k,$(CLIENTS)) || { echo "=== clients: failed on $$k ==="; st=1; }; \
	done; exit $$st

check-clients-quick: all clients module-$(firstword $(CLIENT_KERNELS))
	@$(call client_vm,$(firstword $(CLIENT_KERNELS)),$(CLIENTS_QUICK),$(CLIENT_QUICK_ENV))

# cpython: CPython 3.11's own tests of shared_memory; the quick run takes
# one start method of three.
CLIENT_DEB_PACKAGES += python3.11 libpython3.11-testsuite
CLIENT_QUICK_ENV += --env SHMDEV_CPYTHON_METHODS=fork

# java: MapLock, compiled here (a javac in the guest would take minutes
# under TCG) with every lint but [try] (a FileLock held by
# try-with-resources is never named in its body), warnings as errors.
CLIENT_DEB_PACKAGES += openjdk-17-jdk-headless
clients: $(CLIENTS_OUT)/java/MapLock.class
$(CLIENTS_OUT)/java/MapLock.class: selftests/clients/java/MapLock.java
	@mkdir -p $(dir $@)
	javac -Xlint:all,-try -Werror -d $(dir $@) $<

# go: shmxchg, the standard library only, nothing fetched, its caches in
# $(O); as gofmt formats it and with nothing go vet reports.
CLIENT_DEB_PACKAGES += golang-go
CLIENT_GOENV := GOPATH=$(CURDIR)/$(CLIENTS_OUT)/gopath GOCACHE=$(CURDIR)/$(CLIENTS_OUT)/gocache \
		GO111MODULE=off GOPROXY=off GOFLAGS= CGO_ENABLED=0
clients: $(CLIENTS_OUT)/shmxchg
$(CLIENTS_OUT)/shmxchg: selftests/clients/go/shmxchg.go
	@mkdir -p $(dir $@)
	@test -z "$$(gofmt -l $<)" || { echo "$<: not gofmt'ed"; gofmt -d $<; exit 1; }
	$(CLIENT_GOENV) go vet $<
	$(CLIENT_GOENV) go build -o $@ $<

# postgres: PostgreSQL 15's regression tests of parallel query come from
# the Debian source package, with regress.so built from it: pg-source.sh
# fetches them once into SHMDEV_CACHE, here (the VM has no network), for a
# full run only (the quick run has no postgres).
CLIENT_DEB_PACKAGES += postgresql-15 bzip2
.PHONY: pg-source
check-clients-run: pg-source
pg-source:
	@selftests/clients/pg-source.sh >/dev/null
