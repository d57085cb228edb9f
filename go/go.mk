# SPDX-License-Identifier: GPL-2.0
#
# The Go package (go/, cgo over libshmdev.a) and its examples
# (examples/go/), included by the top-level Makefile:
#   make go        vet the package and the examples; build in $(O)/go the
#                  test binary shmdev.test and the examples, all linked
#                  statically so that they run in the test VM
#   make bench-go  the ring against unix socket ping-pong, in the VM
# Debian's go (golang-go), the standard library only: nothing is fetched
# (GOPROXY=off), the caches are in $(O)/go.

GO          ?= go
GO_OUT      := $(O)/go
GO_ENV      := GOCACHE=$(abspath $(GO_OUT))/cache GOPATH=$(abspath $(GO_OUT))/gopath \
	       GOPROXY=off GOFLAGS=-buildvcs=false GO111MODULE=on CGO_ENABLED=1
# netgo, osusergo: the pure Go resolver and user lookup, so that the static
# link takes nothing from glibc's NSS.
GO_BUILD    := -tags netgo,osusergo -ldflags '-linkmode external -extldflags -static'
GO_PKG_SRC  := $(wildcard go/*.go go/*.c) go/go.mod
GO_EX_SRC   := $(wildcard examples/go/*/*.go examples/go/go.mod)
GO_EXAMPLES := $(patsubst examples/go/%/,$(GO_OUT)/%,$(sort $(dir $(wildcard examples/go/*/*.go))))
GO_DEPS     := $(GO_PKG_SRC) include/shmdev.h include/shmdev_ring.h \
	       include/uapi/linux/shmdev.h $(O)/lib/libshmdev.a

.PHONY: go go-vet bench-go
go: $(GO_OUT)/shmdev.test $(GO_EXAMPLES)
check-run check-bindings-run: go
demo-run: go

$(GO_OUT)/vet.stamp: $(GO_DEPS) $(GO_EX_SRC)
	@mkdir -p $(GO_OUT)
	@test -z "$$(gofmt -l go $(wildcard examples/go))" || { gofmt -l go $(wildcard examples/go); echo "gofmt: not formatted"; exit 1; }
	cd go && $(GO_ENV) $(GO) vet -tags netgo,osusergo .
	$(if $(GO_EX_SRC),cd examples/go && $(GO_ENV) $(GO) vet ./...)
	@touch $@

$(GO_OUT)/shmdev.test: $(GO_DEPS) $(GO_OUT)/vet.stamp
	cd go && $(GO_ENV) $(GO) test -c $(GO_BUILD) -o $(abspath $@) .

$(GO_EXAMPLES): $(GO_OUT)/%: $(GO_EX_SRC) $(GO_DEPS) $(GO_OUT)/vet.stamp
	cd examples/go && $(GO_ENV) $(GO) build $(GO_BUILD) -o $(abspath $@) ./$*

bench-go: go module-$(KERNEL)
	$(VM_RUN) --kernel $(KERNEL) --env SHMDEV_LANG_TESTS=1 --env SHMDEV_GO_BENCH=1 -- \
		selftests/go_test.sh -test.run PingPong

clean::
	-chmod -R u+w $(GO_OUT)/gopath 2>/dev/null
	rm -rf $(GO_OUT)
