package main

import (
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
)

// References set through the API win over the feed's, but not on a
// shipment that began after they were set (a reused number's next one).
func TestApplyRefs(t *testing.T) {
	first := time.Date(2026, 6, 2, 13, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		setAt time.Time
		want  string
	}{
		{"set after the first scan", first.Add(time.Hour), "API"},
		{"set at the first scan", first, "API"},
		{"set before the shipment began", first.Add(-time.Second), "FEED"},
	} {
		sh := predict.Shipment{Journey: model.Journey{Scans: []model.Scan{{Time: first}, {Time: first.Add(48 * time.Hour)}}},
			References: predict.References{OrderRef: "FEED"}}
		applyRefs(&sh, chstore.Ref{OrderRef: "API", UpdatedAt: tc.setAt})
		if sh.OrderRef != tc.want {
			t.Errorf("%s: order %q, want %q", tc.name, sh.OrderRef, tc.want)
		}
	}
}
