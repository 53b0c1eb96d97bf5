# shicao — everything a newcomer needs is `make run` and `make test`.
# Only Go is required; the Go command fetches the modules it needs.

GO      ?= go
BIN     := bin/shicao
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Bounded fuzzing per target in `make fuzz`; `make faults` runs longer.
FUZZTIME ?= 10s

.PHONY: run build test lint bench fuzz faults clean

run: build  ## the demo on embedded defaults
	./$(BIN) demo

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/shicao

test:  ## the whole test suite (about 5 minutes on 2 cores); the centre's PostgreSQL cases need a local initdb or SHICAO_TEST_POSTGRES
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	@[ -n "$$SHICAO_TEST_POSTGRES" ] || command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  echo '!!! POSTGRESQL TESTS WILL BE SKIPPED: no SHICAO_TEST_POSTGRES and no initdb. Install the PostgreSQL server (Debian: apt-get install postgresql) or set SHICAO_TEST_POSTGRES to a DSN !!!'
	@# 20m, not go test's 10m per package: with both cores taken by other
	@# work (a second copy of the suite), the centre's package alone ran 11m.
	@# -p 4: four packages at once, not GOMAXPROCS; much of every big
	@# package's time is spent waiting (fsyncs, browsers, scaled clocks),
	@# and at -p 2 the suite used 1.6 of 2 cores (5m52s idle; 4m37s at -p 4).
	$(GO) test -p 4 -count=1 -timeout 20m ./...

# staticcheck at a pinned release, fetched by the go command like any module.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: build
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	./$(BIN) standard lint standards/library/*.yaml

bench:  ## every benchmark once, then one table of the targets the issues set (over an hour: the #18 rows build a centre of SHICAO_SCALE_RESULTS=100000)
	@mkdir -p bin
	SHICAO_E2E_SECONDS=60 $(GO) test -run '^$$' -bench . -benchtime 1x -benchmem -timeout 30m $$($(GO) list ./... | grep -v internal/centre) | tee bin/bench.out
	$(GO) test -run '^$$' -bench . -skip Scale -benchtime 300x -benchmem ./cmd/shicao/internal/centre/ | tee -a bin/bench.out
	$(GO) test -run '^$$' -bench Scale -benchtime 1x -timeout 2h ./cmd/shicao/internal/centre/ | tee -a bin/bench.out
	@echo
	@$(GO) run ./cmd/benchtable < bin/bench.out

fuzz:  ## every fuzz target for FUZZTIME each (.ci/fuzz-target retries Go 1.26's deadline race)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    GO=$(GO) ./.ci/fuzz-target $$pkg $$f $(FUZZTIME) || exit 1; \
	  done; \
	done

faults:  ## the long fault campaigns, with counts printed
	SHICAO_KILLS=300 $(GO) test -count=1 -v -run TestKillCampaign ./cmd/shicao/ | grep -E 'SIGKILL|^(ok|FAIL|---)'
	SHICAO_FAULTS=full $(GO) test -count=1 -v -timeout 30m -run TestFaults ./cmd/shicao/internal/centre/ | grep -E 'results|faulted|SIGKILL|^(ok|FAIL|---)'
	$(GO) test -count=1 -run TestSimulators ./hardware/hardwaretest/ -args -long
	$(MAKE) fuzz FUZZTIME=2m

clean:
	rm -rf bin
