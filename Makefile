# headless — run `make help` for the targets.
GO      ?= go
BIN     ?= bin/headless
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -s -w -X github.com/headless-k8s/headless/internal/cli.version=$(VERSION) -X github.com/headless-k8s/headless/internal/cli.commit=$(COMMIT)

.PHONY: help build plugin man snapshot test e2e golden bench fuzz

help: ## list the targets
	@awk -F':.*## ' '/^[a-z0-9-]+:.*## /{printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/headless and the kubectl plugin bin/kubectl-headless (the same binary)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/headless
	cp $(BIN) $(dir $(BIN))kubectl-headless

plugin: build ## the kubectl plugin: bin/kubectl-headless (copy it onto PATH for `kubectl headless`)

man: ## regenerate the man pages docs/man/*.1 from the commands (a test fails when they differ)
	rm -f docs/man/*.1
	$(GO) run ./cmd/gen-man docs/man

snapshot: ## with goreleaser installed: a local snapshot release in dist/ and its krew manifest dist/headless.yaml
	@command -v goreleaser >/dev/null || { echo "goreleaser is not installed (https://goreleaser.com/install); CI checks .goreleaser.yaml with go test ./internal/release"; exit 1; }
	goreleaser release --snapshot --clean
	tag=$$(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' dist/metadata.json); \
	  $(GO) run ./cmd/gen-krew -tag "$$tag" -checksums dist/checksums.txt > dist/headless.yaml

test: ## gofmt check, go vet, and every test with the race detector
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race ./...

E2E_RUN ?= .

e2e: ## build the Kubernetes components and install the databases once (cached), then test against them, pods running as processes (E2E_RUN=regexp picks tests)
	@bin=$$(bash e2e/build.sh) && standins=$$(bash e2e/install.sh) && tmp=$$(mktemp -d) && \
	  trap 'rm -rf "$$tmp"' EXIT && cd e2e && $(GO) vet ./... && $(GO) test -c -o "$$tmp/e2e.test" . && \
	  HEADLESS_E2E_BIN="$$bin" HEADLESS_E2E_STANDINS="$$standins" \
	  unshare --net --mount --pid --fork --mount-proc \
	  sh -c 'ip link set lo up && exec "$$0" -test.count=1 -test.v -test.timeout=30m -test.parallel=64 -test.run="$$1"' "$$tmp/e2e.test" '$(E2E_RUN)'

golden: ## regenerate golden files (then read the diff before committing)
	$(GO) test ./... -update

bench: ## go benchmarks, whole-process startup vs hello-world, lint over 11k/110k objects
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash bench/startup.sh
	bash bench/lint.sh

fuzz: ## fuzz the spec validation, spec files, labels, init --save, the directory writer, the lint decoder and its agreement with kubectl's for 30 s each
	$(GO) test ./generator -run '^$$' -fuzz FuzzResolve -fuzztime 30s
	$(GO) test ./generator -run '^$$' -fuzz '^FuzzSpecFile$$' -fuzztime 30s
	$(GO) test ./generator -run '^$$' -fuzz '^FuzzLabel$$' -fuzztime 30s
	$(GO) test ./internal/writer -run '^$$' -fuzz '^FuzzWriteDir$$' -fuzztime 30s
	$(GO) test ./internal/cli -run '^$$' -fuzz '^FuzzSaveSpec$$' -fuzztime 30s
	$(GO) test ./lint -run '^$$' -fuzz FuzzParse -fuzztime 30s
	$(GO) test ./lint -run '^$$' -fuzz '^FuzzDecodersAgree$$' -fuzztime 30s
