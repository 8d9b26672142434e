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
	"sort"

	"github.com/parcelcast/parcelcast/ingest/carrier/dhl"
	"github.com/parcelcast/parcelcast/ingest/carrier/edi214"
	"github.com/parcelcast/parcelcast/ingest/carrier/fedex"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/carrier/ups"
	"github.com/parcelcast/parcelcast/ingest/carrier/usps"
	"github.com/parcelcast/parcelcast/schemas"
)

// ParseFunc turns one feed record into canonical events. It may return
// valid events and an error together: the events are kept and the record
// is also dead-lettered with the error as reason.
type ParseFunc func(value []byte) ([]schemas.ScanEvent, error)

var feeds = map[string]ParseFunc{
	generic.Name: generic.Parse,
	ups.Name:     ups.Parse,
	fedex.Name:   fedex.Parse,
	usps.Name:    usps.Parse,
	dhl.Name:     dhl.Parse,
	edi214.Name:  edi214.Parse,
}

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

// Feed returns the parser of a named feed.
func Feed(name string) (ParseFunc, error) {
	p, ok := feeds[name]
	if !ok {
		return nil, fmt.Errorf("unknown feed %q (known: %v)", name, FeedNames())
	}
	return p, nil
}

// FeedNames lists the feeds parcelcast can parse.
func FeedNames() []string {
	names := make([]string, 0, len(feeds))
	for n := range feeds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Topic names (DESIGN.md §1).
const (
	RawTopicPrefix  = "parcelcast.scans.raw."
	DeadLetterTopic = "parcelcast.scans.dlq"
	NormalizedTopic = "parcelcast.scans.normalized"
)
