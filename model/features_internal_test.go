package model

import (
	"math"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// Elapsed time by status: the snapshot's status gets log1p of the hours
// since the first scan, and no other status does.
func TestStatusElapsedFeature(t *testing.T) {
	names := featureNames(Vocabulary{CarrierServices: []string{"c|s"}})
	e := NewEncoder(names)
	for _, tc := range []struct {
		status schemas.Status
		hours  float64
	}{
		{schemas.StatusPickedUp, 10},
		{schemas.StatusInTransit, 50},
		{schemas.StatusInfoReceived, 0},
	} {
		var r Row
		e.Encode(&Snapshot{Carrier: "c", Service: "s", Status: tc.status, ElapsedHours: tc.hours, Scans: 1}, &r)
		got := map[string]float64{}
		for k, i := range r.Idx {
			got[names[i]] = r.Val[k]
		}
		for _, st := range schemas.Statuses {
			want := 0.0
			if st == tc.status {
				want = math.Log1p(tc.hours)
			}
			if v := got["stel:"+string(st)]; math.Abs(v-want) > 1e-12 {
				t.Errorf("%s after %g h: stel:%s = %g, want %g", tc.status, tc.hours, st, v, want)
			}
		}
	}
}
