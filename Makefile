# parcelcast — build, test and demo. `make demo` and `make test` install
# what they need (Debian's clickhouse-server) on first use.

GO        ?= go
BIN       := bin/parcelcast
DEMO_ARGS ?=
TEST_ARGS ?=

.PHONY: all deps build demo test test-crash bench-ingest bench-train bench-serve bench-live vet lint fmt-check unit fuzz bench-parsers bench-sim sim-table exception-table bench-exceptions bench-milestones clean

all: build

deps:
	@./deploy/local/install-deps.sh

build:
	$(GO) build -o $(BIN) ./cmd/parcelcast

demo: deps build
	./$(BIN) demo $(DEMO_ARGS)

vet:
	$(GO) vet ./...

lint:
	$(GO) tool staticcheck ./...

fmt-check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Every test, unit and integration, against a real ClickHouse server and the
# in-process Kafka broker, with the race detector.
test: deps vet lint fmt-check
	$(GO) test -race -count=1 -timeout 30m $(TEST_ARGS) ./...

# The crash test at full size: over 200k records, ingest killed with
# SIGKILL 25 times. `make test` runs it smaller.
test-crash: deps
	$(GO) test -count=1 -run TestCrashRecovery -v ./cmd/parcelcast -timeout 30m -crash.shipments=30000 -crash.kills=25

# parcelcast ingest next to ClickHouse's Kafka engine and a naive kafka-go
# loop, on the same broker and server; prints a table.
INGEST_SCANS ?= 1000000
bench-ingest: deps
	$(GO) test -run '^$$' -bench BenchmarkIngest -benchtime 1x -timeout 60m ./cmd/parcelcast -ingest.scans=$(INGEST_SCANS) | grep -E '^[|]|records [(]|parts of|against'

# The predictor's live state: memory per million shipments in flight of
# eight scans, a lookup from memory, the bootstrap of a million shipments
# from ClickHouse, and the freshness of a scan published on the normalized
# topic. Each runs in its own process, so its RSS is its own.
LIVE_SHIPMENTS ?= 1000000
bench-live: deps
	@$(GO) test -run '^$$' -bench BenchmarkLiveMemory -benchtime 1x -timeout 30m ./predict/live -live.shipments=$(LIVE_SHIPMENTS) | grep -E '^(live|Benchmark)'
	@$(GO) test -run '^$$' -bench BenchmarkLiveShipment -benchtime 200000x -timeout 30m ./predict/live -live.shipments=$(LIVE_SHIPMENTS) | grep -E '^(live|Benchmark)'
	@$(GO) test -run '^$$' -bench BenchmarkLiveBootstrap -benchtime 1x -timeout 60m ./internal/chstore -live.shipments=$(LIVE_SHIPMENTS) | grep -E '^(live|Benchmark)'
	@$(GO) test -run '^$$' -bench BenchmarkLiveFreshness -benchtime 1000x -timeout 10m ./ingest | grep -E '^(live|Benchmark)'

# The exception scanner against the simulator's truth: stall, lost and
# late precision and recall per carrier (model trained on seed 1, scored
# on seed 2; thresholds were tuned on seed 3).
EXCEPTION_SHIPMENTS ?= 20000
exception-table:
	@$(GO) test -run '^$$' -bench BenchmarkExceptionAccuracy -benchtime 1x -timeout 30m ./cmd/parcelcast -exceptions.shipments=$(EXCEPTION_SHIPMENTS) | grep -E '^([|]|exceptions against)'

# From a scan on the normalized topic to its exception on the exceptions
# topic, through serve (the live state, the scanner, the table, the topic).
bench-exceptions: deps
	@$(GO) test -run '^$$' -bench BenchmarkExceptionLatency -benchtime 500x -timeout 10m ./cmd/parcelcast | grep -o 'exception latency.* 500 scans.*'

# From a scan published on the normalized topic to its milestone read from
# the milestones topic, through the live state's follower and the
# milestone emitter, on the in-process broker and a real ClickHouse.
bench-milestones: deps
	@$(GO) test -run '^$$' -bench BenchmarkMilestoneLatency -benchtime 1000x -timeout 10m ./ingest | grep -E '^(milestone|Benchmark)'

# Trainer speed and memory at two history sizes (snapshot rows); each size
# runs in its own process, so its peak RSS is its own.
TRAIN_ROWS ?= 1000000 10000000
bench-train:
	@for r in $(TRAIN_ROWS); do \
		$(GO) test -run '^$$' -bench BenchmarkTrain -benchtime 1x -timeout 30m ./model -train.rows=$$r | grep '^Benchmark'; \
	done

# The API over loopback with vegeta: POST /v1/estimates at its maximum
# throughput next to a hello-world net/http handler driven the same way,
# and at a fixed rate, taking turns in rounds; one table, every figure
# from one run.
SERVE_DURATION ?= 10s
SERVE_WORKERS  ?= 64
SERVE_RATE     ?= 2000
SERVE_ROUNDS   ?= 5
PAGE_RATE      ?= 1000
bench-serve:
	$(GO) test -run '^$$' -bench BenchmarkServe -benchtime 1x -timeout 30m ./internal/loadtest \
		-serve.duration=$(SERVE_DURATION) -serve.workers=$(SERVE_WORKERS) -serve.rate=$(SERVE_RATE) \
		-serve.rounds=$(SERVE_ROUNDS) -serve.page-rate=$(PAGE_RATE) | grep -E '^[|]|of the hello|shipment routes|model trained|tracking page'

# The carrier adapters: the packages the list of feeds (ingest/carrier/feeds)
# imports, so a new carrier is fuzzed and benchmarked once it is listed.
ADAPTERS = $(filter $(shell $(GO) list -m)/ingest/carrier/%,$(shell $(GO) list -f '{{join .Imports " "}}' ./ingest/carrier/feeds))

# Short fuzzing pass over every parser, the model artifact decoder, the
# API's handlers and the milestones found from carriers' scans (FUZZTIME
# per target). Failing inputs
# land in the package's testdata/fuzz/ and become regression tests.
FUZZTIME ?= 30s
fuzz:
	@set -e; adapters="$(ADAPTERS)"; test -n "$$adapters" || { echo "no carrier adapters found"; exit 1; }; \
	for p in $$adapters; do \
		echo "== $${p##*/}"; $(GO) test $$p -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME); \
	done; \
	echo "== trackno"; $(GO) test ./schemas/trackno -run '^$$' -fuzz FuzzDetect -fuzztime $(FUZZTIME); \
	echo "== importer"; $(GO) test ./ingest/importer -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME); \
	echo "== areas"; $(GO) test ./model -run '^$$' -fuzz FuzzAreas -fuzztime $(FUZZTIME); \
	echo "== day window"; $(GO) test ./model -run '^$$' -fuzz FuzzShortestWindow -fuzztime $(FUZZTIME); \
	echo "== model artifact"; $(GO) test ./model -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME); \
	echo "== api"; $(GO) test ./predict -run '^$$' -fuzz FuzzServer -fuzztime $(FUZZTIME); \
	echo "== shipment routes"; $(GO) test ./predict -run '^$$' -fuzz FuzzShipmentRoutes -fuzztime $(FUZZTIME); \
	echo "== exception query"; $(GO) test ./predict -run '^$$' -fuzz FuzzExceptionQuery -fuzztime $(FUZZTIME); \
	echo "== test-from"; $(GO) test ./cmd/parcelcast -run '^$$' -fuzz FuzzParseDay -fuzztime $(FUZZTIME); \
	echo "== normalized"; $(GO) test ./ingest -run '^$$' -fuzz FuzzDecodeNormalized -fuzztime $(FUZZTIME); \
	echo "== instruction records"; $(GO) test ./ingest -run '^$$' -fuzz FuzzDecodeInstruction -fuzztime $(FUZZTIME); \
	echo "== customer cursor"; $(GO) test ./predict/live -run '^$$' -fuzz FuzzByCustomerCursor -fuzztime $(FUZZTIME); \
	echo "== milestones"; $(GO) test ./predict/milestones -run '^$$' -fuzz FuzzDetect -fuzztime $(FUZZTIME); \
	echo "== webhook verifier"; $(GO) test ./predict/webhooks -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME); \
	echo "== instructions"; $(GO) test ./predict -run '^$$' -fuzz FuzzInstructionBody -fuzztime $(FUZZTIME); \
	echo "== addresses"; $(GO) test ./schemas -run '^$$' -fuzz FuzzCheckAddress -fuzztime $(FUZZTIME); \
	echo "== tracking page"; $(GO) test ./predict/trackpage -run '^$$' -fuzz '^FuzzPage$$' -fuzztime $(FUZZTIME); \
	echo "== pickup points"; $(GO) test ./predict/trackpage -run '^$$' -fuzz FuzzReadPoints -fuzztime $(FUZZTIME)

# Parser throughput on one core: scans/s and allocations per payload.
BENCH_COUNT ?= 6
bench-parsers:
	@adapters="$(ADAPTERS)"; test -n "$$adapters" || { echo "no carrier adapters found"; exit 1; }; \
	$(GO) test -run '^$$' -bench . -cpu 1 -count $(BENCH_COUNT) $$adapters

# Simulator speed on one core: generation alone, and with every carrier's
# encoding and the feed noise.
bench-sim:
	$(GO) test -run '^$$' -bench . -cpu 1 -count $(BENCH_COUNT) ./ingest/sim ./ingest/sim/publish

# Simulated transit per carrier service next to the published standards.
sim-table:
	$(GO) test -run TestTransitMatchesStandards -v -count=1 ./ingest/sim | grep '^ *sim_test.go.*|' | sed 's/^ *sim_test.go:[0-9]*: //'

clean:
	rm -rf bin
