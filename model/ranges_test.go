package model_test

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestServedWithinTrainRanges serves test parcels out for delivery as if
// their promise were ten days off. The simulated history never has such
// a parcel (each goes out on its promised day), so the promise's hours by
// stage were learned near zero only; within the train slice's ranges the
// model still says what it knows of a parcel out for delivery, that it
// arrives within the day, instead of extrapolating toward the promise.
func TestServedWithinTrainRanges(t *testing.T) {
	m := trainedOn(t, "us")
	var clamped, unbounded []float64
	free := model.WithoutRanges(m)
	for _, j := range usHistory().Journeys {
		if len(j.Scans) == 0 || j.Scans[0].Time.Before(m.Window.CalibTo) || j.Promised.IsZero() {
			continue
		}
		for k, sc := range j.Scans {
			if sc.Status != schemas.StatusOutForDelivery {
				continue
			}
			s := j.SnapshotAt(k)
			s.Promised = s.At.Add(240 * time.Hour)
			clamped = append(clamped, m.Predict(s).P50)
			unbounded = append(unbounded, free.Predict(s).P50)
			break
		}
		if len(clamped) == 200 {
			break
		}
	}
	if len(clamped) < 100 {
		t.Fatalf("%d test parcels out for delivery, want 100 or more", len(clamped))
	}
	sort.Float64s(clamped)
	sort.Float64s(unbounded)
	med, p90 := clamped[len(clamped)/2], clamped[len(clamped)*9/10]
	t.Logf("out for delivery, promise ten days off, %d parcels: p50 estimate median %.1f h, p90 %.1f h within the ranges; %.1f h, %.1f h unbounded",
		len(clamped), med, p90, unbounded[len(unbounded)/2], unbounded[len(unbounded)*9/10])
	if p90 > 24 {
		t.Errorf("the p90 of the estimates is %.1f h: want a parcel out for delivery within the day (24 h)", p90)
	}
}

// TestArtifactWithoutRanges: an artifact trained before the ranges loads
// and serves unbounded, as it was trained to.
func TestArtifactWithoutRanges(t *testing.T) {
	m := trainedOn(t, "us")
	c := *m
	c.Ranges = nil
	old, err := model.Decode(encode(t, &c))
	if err != nil {
		t.Fatal(err)
	}
	if old.Ranges != nil {
		t.Fatalf("loaded ranges %v from an artifact without them", old.Ranges)
	}
	for _, j := range usHistory().Journeys {
		if len(j.Scans) < 2 || j.Promised.IsZero() {
			continue
		}
		s := j.SnapshotAt(1)
		s.Promised = s.At.Add(2000 * time.Hour) // beyond any train row's
		got, want, bounded := old.Predict(s).P50, model.WithoutRanges(m).Predict(s).P50, m.Predict(s).P50
		if got != want || got == bounded {
			t.Errorf("without ranges the estimate is %.2f h: want %.2f h as unbounded, not %.2f h as bounded", got, want, bounded)
		}
		break
	}
}

// TestRangesRefused: an artifact whose ranges do not fit its features,
// or are no ranges, is refused.
func TestRangesRefused(t *testing.T) {
	m := trainedOn(t, "us")
	if m.Ranges == nil || len(m.Ranges.Min) != len(m.Features) {
		t.Fatalf("trained model has ranges %v for %d features", m.Ranges != nil, len(m.Features))
	}
	for name, broken := range map[string]func(r *model.FeatureRanges){
		"short":     func(r *model.FeatureRanges) { r.Min = r.Min[1:] },
		"reversed":  func(r *model.FeatureRanges) { r.Min[0], r.Max[0] = 1, 0 },
		"no maxima": func(r *model.FeatureRanges) { r.Max = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c := *m
			r := model.FeatureRanges{Min: append([]float64(nil), m.Ranges.Min...), Max: append([]float64(nil), m.Ranges.Max...)}
			broken(&r)
			c.Ranges = &r
			if _, err := model.Decode(encode(t, &c)); !errors.Is(err, model.ErrBadArtifact) {
				t.Errorf("an artifact with %s ranges: %v, want it refused as a bad artifact", name, err)
			}
		})
	}
}
