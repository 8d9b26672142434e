// Package ingest reads carrier feeds from Kafka, turns every record into
// canonical scan events, writes them to ClickHouse in batches and only then
// commits the Kafka offsets. Records that cannot be parsed go to the
// dead-letter topic with the reason; nothing is dropped.
//
// The delivery contract is at-least-once from Kafka plus a deterministic
// event id and a ReplacingMergeTree table, so readers that use FINAL see
// each scan exactly once whatever crashed when.
package ingest

import (
	"fmt"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/feeds"
	"github.com/parcelcast/parcelcast/schemas"
)

// ParseFunc is a feed's parser (carrier.ParseFunc).
type ParseFunc = carrier.ParseFunc

// Parse runs a feed's parser on one record. A panic in a parser (a bug,
// never expected: every parser is fuzzed) becomes an error, so the record
// is dead-lettered and its partition keeps moving.
func Parse(p ParseFunc, value []byte) (events []schemas.ScanEvent, err error) {
	defer func() {
		if r := recover(); r != nil {
			events, err = nil, fmt.Errorf("parser panic: %v", r)
		}
	}()
	return p(value)
}

// Feed returns the parser of a named feed of the list in
// ingest/carrier/feeds.
func Feed(name string) (ParseFunc, error) {
	f, err := feeds.Lookup(name)
	if err != nil {
		return nil, err
	}
	return f.Parse, nil
}

// FeedNames lists the feeds parcelcast can parse, sorted.
func FeedNames() []string { return feeds.Names() }

// Topic names: one raw topic per feed, the dead letters, and the
// canonical events.
const (
	RawTopicPrefix  = "parcelcast.scans.raw."
	DeadLetterTopic = "parcelcast.scans.dlq"
	NormalizedTopic = "parcelcast.scans.normalized"
)
