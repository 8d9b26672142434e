package ingest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

func testConsumer() *Consumer {
	return &Consumer{metrics: NewMetrics(nil), feeds: map[string]string{"raw.ups": "ups", "raw.fedex": "fedex"},
		counters: map[counterKey]prometheus.Counter{}, errorCounters: map[[2]string]prometheus.Counter{},
		errorCodes: map[string]map[string]bool{}}
}

// A record's carrier error reply is a dead letter with reason
// carrier_error:<code> and is counted; one beside scans that were kept is
// counted only; a not-found reply is neither.
func TestCarrierErrorsInBatch(t *testing.T) {
	auth := &carrier.ReplyError{Carrier: "ups", Code: "250002", Message: "Invalid Authentication Information.", Published: true}
	kept := &carrier.ReplyError{Carrier: "fedex", Code: "TRACKING.TRACKINGNUMBER.EMPTY", Published: true, Kept: true}
	field := errors.New("scan 1: date \"yesterday\": want ISO 8601 date-time")
	scan := []schemas.ScanEvent{{Carrier: "fedex", Status: schemas.StatusPickedUp}}
	for _, tc := range []struct {
		name             string
		topic            string
		events           []schemas.ScanEvent
		err              error
		letters          int
		reason, detail   string
		carrierName, key string // the counter that must read 1
	}{
		{"auth error", "raw.ups", nil, fmt.Errorf("ups: %w", auth), 1,
			"carrier_error:250002", "ups: error reply 250002: Invalid Authentication Information.", "ups", "250002"},
		{"kept error", "raw.fedex", scan, fmt.Errorf("fedex: %w", errors.Join(fmt.Errorf("result 0.0: %w", kept))), 0,
			"", "", "fedex", "TRACKING.TRACKINGNUMBER.EMPTY"},
		{"kept error and a bad scan", "raw.fedex", scan, fmt.Errorf("fedex: %w", errors.Join(kept, field)), 1,
			"fedex: error reply TRACKING.TRACKINGNUMBER.EMPTY (its scans kept)\nscan 1: date \"yesterday\": want ISO 8601 date-time", "",
			"fedex", "TRACKING.TRACKINGNUMBER.EMPTY"},
		{"not found", "raw.ups", nil, nil, 0, "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, b := testConsumer(), &batch{}
			c.add(b, fetched{msg: kafka.Message{Topic: tc.topic}, events: tc.events, err: tc.err})
			if len(b.letters) != tc.letters || len(b.events) != len(tc.events) {
				t.Fatalf("%d dead letters, %d events; want %d, %d", len(b.letters), len(b.events), tc.letters, len(tc.events))
			}
			if tc.letters > 0 && (b.letters[0].Reason != tc.reason || b.letters[0].Detail != tc.detail) {
				t.Errorf("dead letter reason %q, detail %q; want %q, %q", b.letters[0].Reason, b.letters[0].Detail, tc.reason, tc.detail)
			}
			if tc.key != "" {
				if got := testutil.ToFloat64(c.metrics.CarrierErrors.WithLabelValues(tc.carrierName, tc.key)); got != 1 {
					t.Errorf("carrier errors {%s, %s} = %v, want 1", tc.carrierName, tc.key, got)
				}
			}
			if n := testutil.CollectAndCount(c.metrics.CarrierErrors); tc.key == "" && n != 0 {
				t.Errorf("%d carrier error series, want none", n)
			}
			if tc.err == nil && len(tc.events) == 0 && testutil.ToFloat64(c.metrics.NoScans.WithLabelValues("ups")) != 1 {
				t.Error("a not-found reply is not counted as a record without scans")
			}
		})
	}
}

// The labels stay bounded: an unpublished code, a tracking number sent as
// a code, or a carrier name that is not a name are "other", and a
// carrier's codes beyond maxErrorCodes distinct ones are "other" too.
func TestCarrierErrorLabelsAreBounded(t *testing.T) {
	c := testConsumer()
	count := func(re *carrier.ReplyError) { c.countCarrierErrors(fmt.Errorf("x: %w", re)) }
	for i := range maxErrorCodes + 8 {
		count(&carrier.ReplyError{Carrier: "ups", Code: fmt.Sprintf("2500%02d", i), Published: true})
	}
	count(&carrier.ReplyError{Carrier: "ups", Code: "250000", Published: true}) // counted before: keeps its label
	count(&carrier.ReplyError{Carrier: "fedex", Code: "1Z999AA10123456784"})
	count(&carrier.ReplyError{Carrier: "fedex", Code: "NEW.CODE"})
	count(&carrier.ReplyError{Carrier: "fedex\x00", Code: "NOT.AUTHORIZED.ERROR", Published: true})
	for _, tc := range []struct {
		carrierName, code string
		want              float64
	}{
		{"ups", "250000", 2},
		{"ups", fmt.Sprintf("2500%02d", maxErrorCodes-1), 1},
		{"ups", carrier.OtherCode, 8},
		{"fedex", carrier.OtherCode, 2},
		{carrier.OtherCode, "NOT.AUTHORIZED.ERROR", 1},
	} {
		if got := testutil.ToFloat64(c.metrics.CarrierErrors.WithLabelValues(tc.carrierName, tc.code)); got != tc.want {
			t.Errorf("carrier errors {%s, %s} = %v, want %v", tc.carrierName, tc.code, got, tc.want)
		}
	}
	// ups: maxErrorCodes codes and other; fedex: other; other: one code.
	if n := testutil.CollectAndCount(c.metrics.CarrierErrors); n != maxErrorCodes+3 {
		t.Errorf("%d carrier error series, want %d", n, maxErrorCodes+3)
	}
}
