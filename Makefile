# burrow: build, set up the host, test, benchmark.
# `make test` is the whole suite (CI runs it); `make demo` runs a first container.

GO       ?= go
# urfave_cli_no_docs: no man page and markdown generation, whose markdown
# parser's package initialisation every command paid for (~0.4 ms).
TAGS     := containers_image_openpgp,exclude_graphdriver_btrfs,urfave_cli_no_docs
export GOFLAGS := -tags=$(TAGS)
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN      := $(CURDIR)/bin/burrow
TEST_USER ?= burrowtest
NOSUB_USER ?= burrownosub
VM       ?= $(abspath ../shared/vm)

.PHONY: all build install setup vet unit e2e test test-vm demo bench bench-net bench-build bench-volumes clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/burrow
	$(GO) build -tags=$(TAGS),buildverb -ldflags "-X main.version=$(VERSION)" -o $(dir $(BIN))burrow-build ./cmd/burrow
	$(GO) build -tags=$(TAGS),netgo,osusergo -ldflags "-linkmode external -extldflags -static" -o $(dir $(BIN))burrow-init ./cmd/burrow-init

# install: the binaries, and the user units of the API socket (socket
# activated: systemctl --user enable --now burrow.socket).
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(USERUNITDIR)
	install -m 0755 $(BIN) $(dir $(BIN))burrow-init $(dir $(BIN))burrow-build $(DESTDIR)$(BINDIR)/
	install -m 0644 contrib/systemd/burrow.socket $(DESTDIR)$(USERUNITDIR)/
	sed 's|@BINDIR@|$(BINDIR)|' contrib/systemd/burrow.service >$(DESTDIR)$(USERUNITDIR)/burrow.service
	chmod 0644 $(DESTDIR)$(USERUNITDIR)/burrow.service

# Host setup needs root; as another user it only checks.
setup:
	@if [ "$$(id -u)" = 0 ]; then tests/setup; else echo "make setup: not root, assuming the host is set up (run 'sudo tests/setup' otherwise)"; fi

STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck

$(STATICCHECK):
	GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet: $(STATICCHECK)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags=$(TAGS),buildverb ./cmd/burrow
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags=$(TAGS),buildverb ./cmd/burrow

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /tests$$)

# End-to-end: the real binary as the unprivileged test user (tests/asuser).
e2e: build
	CGO_ENABLED=0 $(GO) build -o $(dir $(BIN))udpecho ./tests/udpecho
	CGO_ENABLED=0 $(GO) build -o $(dir $(BIN))exchange ./tests/exchange
	CGO_ENABLED=0 $(GO) build -o $(dir $(BIN))probe ./tests/probe
	BURROW_BIN=$(BIN) BURROW_TEST_USER=$(TEST_USER) $(GO) test -count=1 -v -timeout 40m -exec $(CURDIR)/tests/asuser ./tests
	BURROW_BIN=$(BIN) BURROW_TEST_USER=$(NOSUB_USER) BURROW_SKIP_FATAL=1 $(GO) test -count=1 -v -timeout 10m -exec $(CURDIR)/tests/asuser -run 'TestNoSubordinateIDs|TestCgroupRefusal' ./tests

test: setup vet unit e2e test-vm

# VM tier: the same end-to-end tests in a QEMU guest with pure cgroup v2 and
# a systemd user manager that delegates cpu, cpuset, io, memory and pids
# (../shared/vm), run in a Delegate=yes scope, so the limits are real; then
# from a plain login session, where burrow asks systemd for the scope itself.
# Nowhere else are the limits tested, so in CI (CI=true) or with
# VM_REQUIRED=1 a guest that cannot start fails the run; elsewhere the tier
# is skipped, saying why. In the guest the cgroup tests must not skip.
VMSHARE  := $(CURDIR)/.vmshare
VM_TESTS := TestCgroup(Placement|Limits)|TestStatsColumns|TestRunEcho|TestRunIsolation|TestDetachLifecycle|TestExec
VM_REQUIRED ?= $(if $(filter true,$(CI)),1,0)
test-vm: build
	rm -rf $(VMSHARE) && mkdir -p $(VMSHARE)
	cp $(BIN) $(dir $(BIN))burrow-init $(dir $(BIN))burrow-build $(VMSHARE)/
	$(GO) test -c -o $(VMSHARE)/e2e.test ./tests
	chmod -R a+rX $(VMSHARE)
	@unavailable() { \
		if [ "$(VM_REQUIRED)" = 1 ]; then echo "VM tier FAILED: $$1 (required: CI=true or VM_REQUIRED=1)" >&2; exit 1; fi; \
		echo "VM tier skipped: $$1 (set VM_REQUIRED=1 to make this an error)"; exit 0; }; \
	if [ ! -x $(VM)/vm-start ]; then unavailable "no harness at $(VM)"; fi; \
	if ! VMTEST_SHARE=$(VMSHARE) $(VM)/vm-start 2>$(VMSHARE)/vm-start.err; then \
		cat $(VMSHARE)/vm-start.err >&2; \
		unavailable "vm-start could not start the guest: $$(tail -n 1 $(VMSHARE)/vm-start.err)"; fi; \
	$(VM)/vm-run --scope 'cd /tmp && BURROW_SKIP_FATAL=1 BURROW_BIN=/mnt/host/burrow /mnt/host/e2e.test -test.v -test.timeout 40m -test.run "$(VM_TESTS)"'; \
	status=$$?; \
	$(VM)/vm-run 'cd /tmp && BURROW_SKIP_FATAL=1 BURROW_BIN=/mnt/host/burrow /mnt/host/e2e.test -test.v -test.timeout 20m -test.run TestCgroupSystemdScope' || status=1; \
	$(VM)/vm-stop; exit $$status

# The README's first command: set up, build, make a small image from the
# host's busybox, run a container in it as the unprivileged user.
demo: setup build
	tests/demo $(BIN) $(TEST_USER)

bench: setup build
	tests/bench $(BIN) $(TEST_USER)

# iperf3 through each network helper and the start-up each adds, next to podman.
bench-net: setup build
	tests/bench-net $(BIN) $(TEST_USER)

# bench-build: burrow build next to podman build, cold and fully cached.
bench-build: setup build
	tests/bench-build $(BIN) $(TEST_USER)

# 20,000 small-file creates in a named volume, the container's root and a
# bind mount, next to podman.
bench-volumes: setup build
	tests/bench-volumes $(BIN) $(TEST_USER)

clean:
	rm -rf bin $(VMSHARE)
