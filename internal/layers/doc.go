// Package layers holds the test that keeps parcelcast's import graph in
// layers, lowest first:
//
//	schemas, schemas/trackno   the vocabulary: no database, no Kafka
//	ingest/carrier/...         one adapter per feed, and the list of feeds
//	ingest/sim                 the simulated carrier network, without Kafka
//	model/...                  maths: features, fits, intervals, backtest
//	predict                    the HTTP API, over interfaces it defines
//	ingest, ingest/importer    the Kafka side and history files; sinks are interfaces
//	internal/chstore           every ClickHouse query, and the only user of the driver
//	cmd/parcelcast             the one place that wires them together
//
// The rules are a table in layers_test.go, read from `go list`; a package
// that breaks one fails `make test` with the import chain at fault.
// docs/architecture.md draws the same picture.
package layers
