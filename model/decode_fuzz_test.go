package model_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// FuzzDecode feeds the artifact decoder model bodies, wrapped with a
// valid checksum so the checks behind it are reached, and raw files: it
// never panics, refuses with ErrBadArtifact, and a model it accepts
// predicts finite hours.
func FuzzDecode(f *testing.F) {
	body, err := json.Marshal(smallModel())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	ranged := smallModel()
	n := len(ranged.Features)
	ranged.Ranges = &model.FeatureRanges{Min: make([]float64, n), Max: make([]float64, n)}
	for _, r := range []*model.FeatureRanges{ranged.Ranges, {Min: make([]float64, n-1), Max: make([]float64, n)}} {
		ranged.Ranges = r
		b, err := json.Marshal(ranged)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format_version":3,"features":["bias","cs:x|y"],"lane_fit":{"coef":[1,2],"target_scale_hours":1,"residual_quantiles":{"*":[]}}}`))
	f.Add([]byte(`{"format":"parcelcast-eta-model","format_version":3,"sha256":"00","model":{}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		art, err := model.ArtifactOf(b)
		if err != nil {
			return // not JSON: the envelope cannot carry it
		}
		for _, in := range [][]byte{art, b} {
			m, err := model.Decode(in)
			if err != nil {
				if !errors.Is(err, model.ErrBadArtifact) {
					t.Fatalf("refusal %v is not a bad artifact", err)
				}
				continue
			}
			p := m.Predict(model.Snapshot{Carrier: "ups", Service: "ground", Status: schemas.StatusInTransit,
				At: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC), Scans: 1})
			for _, v := range []float64{p.P10, p.P50, p.P90, p.P95} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("accepted model predicts %v", p)
				}
			}
		}
	})
}
