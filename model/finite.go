package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// checkFinite refuses a model that could answer with a non-finite
// number: a NaN or infinite value anywhere a prediction reads, or a probe
// prediction that is not finite.
func (m *Model) checkFinite() error {
	fits := []struct {
		name string
		f    *Fit
	}{{"lane", m.Lane}, {"promise", m.Promise}}
	for _, x := range fits {
		if x.f == nil {
			continue
		}
		if err := x.f.checkFinite(x.name); err != nil {
			return err
		}
	}
	for _, src := range []map[string]float64{m.Baselines.LaneMedianHours, m.Baselines.LaneModeHours} {
		for k, v := range src {
			if !finite(v) {
				return fmt.Errorf("%w: baseline of lane %q is %v", ErrBadArtifact, k, v)
			}
		}
	}
	for c, weeks := range m.Peaks {
		for w, v := range weeks {
			if !finite(v) {
				return fmt.Errorf("%w: peak week %d of %q is %v", ErrBadArtifact, w, c, v)
			}
		}
	}
	for k, v := range m.Pairs {
		// An excess is on the log scale: beyond maxPairExcess no transit
		// time is, and a coefficient times it could overflow a prediction
		// no probe sees.
		if !finite(v) || math.Abs(v) > maxPairExcess {
			return fmt.Errorf("%w: area pair %q is %v", ErrBadArtifact, k, v)
		}
	}
	for k, l := range m.LaneDays {
		for _, v := range l {
			if !finite(v) {
				return fmt.Errorf("%w: lane days of %q are %v", ErrBadArtifact, k, l)
			}
		}
	}
	for k, l := range m.LabelDelay {
		for _, v := range l {
			if !finite(v) || v < 0 {
				return fmt.Errorf("%w: label delay of %q has %v", ErrBadArtifact, k, v)
			}
		}
	}
	return m.probe()
}

// maxPairExcess bounds an area pair's excess (log scale) in an artifact.
const maxPairExcess = 20

func (f *Fit) checkFinite(name string) error {
	if !finite(f.PeakSpread) {
		return fmt.Errorf("%w: %s fit peak spread is %v", ErrBadArtifact, name, f.PeakSpread)
	}
	if !finite(f.TargetScale) {
		return fmt.Errorf("%w: %s fit target scale is %v", ErrBadArtifact, name, f.TargetScale)
	}
	for k, v := range f.LaneOffsets {
		if !finite(v) {
			return fmt.Errorf("%w: %s fit offset of lane %q is %v", ErrBadArtifact, name, k, v)
		}
	}
	for k, q := range f.Residuals {
		for i, v := range q {
			if !finite(v) {
				return fmt.Errorf("%w: %s fit residual segment %q level %g is %v", ErrBadArtifact, name, k, ResidualLevels[i], v)
			}
		}
	}
	return nil
}

// probeTime is the moment of the probe snapshots: a weekday outside any
// peak season.
var probeTime = time.Date(2024, 3, 6, 15, 0, 0, 0, time.UTC)

// probe predicts one snapshot per carrier and service of the vocabulary
// (and one the model has never seen), with and without a promise, at
// several stages, and refuses the model if any answer is not finite:
// coefficients that are finite one by one can still overflow together.
// The probes see no lane offset, so the largest probe plus the largest
// offset of each fit must stay finite too.
func (m *Model) probe() error {
	css := append(m.Vocabulary().CarrierServices, "|")
	var row Row
	var y [len(ResidualLevels)]float64
	for _, cs := range css {
		carrier, service, _ := strings.Cut(cs, "|")
		for _, st := range []schemas.Status{schemas.StatusInfoReceived, schemas.StatusInTransit, schemas.StatusOutForDelivery, schemas.StatusException} {
			for _, promised := range []time.Time{{}, probeTime.Add(48 * time.Hour)} {
				s := Snapshot{Carrier: carrier, Service: service, Status: st, At: probeTime, Scans: 2, ElapsedHours: 12, Promised: promised}
				m.enc.Encode(&s, &row)
				f := m.fitFor(&s)
				var none laneKeys
				f.predictLog(&row, &none, &s, nil, y[:])
				worst := y[len(y)-1]*max(f.PeakSpread, 1) + maxOffset(f.LaneOffsets)
				for i, v := range y {
					if h := fromTarget(v, f.TargetScale); !finite(h) {
						return fmt.Errorf("%w: prediction for %s at %s is %v at level %g", ErrBadArtifact, cs, st, h, ResidualLevels[i])
					}
				}
				if h := fromTarget(worst, f.TargetScale); !finite(h) {
					return fmt.Errorf("%w: prediction for %s at %s on its largest lane offset is %v", ErrBadArtifact, cs, st, h)
				}
			}
		}
	}
	return nil
}

// maxOffset is the largest lane offset, 0 for none.
func maxOffset(offsets map[string]float64) float64 {
	var top float64
	for _, v := range offsets {
		top = max(top, v)
	}
	return top
}

// checkLayout refuses feature names the encoder cannot index: a
// carrier|service block cut short or out of order, or a name twice.
func checkLayout(names []string) error {
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if seen[n] {
			return fmt.Errorf("%w: feature %q twice", ErrBadArtifact, n)
		}
		seen[n] = true
		cs, ok := strings.CutPrefix(n, "cs:")
		if !ok {
			continue
		}
		block := csFeatures(cs)
		if len(names)-i < len(block) || !slices.Equal(names[i:i+len(block)], block) {
			return fmt.Errorf("%w: the features of %q are not its block", ErrBadArtifact, cs)
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Vocabulary is the carriers' services and the areas the model's features
// know, sorted.
func (m *Model) Vocabulary() Vocabulary {
	var v Vocabulary
	for _, n := range m.Features {
		switch {
		case strings.HasPrefix(n, "cs:"):
			v.CarrierServices = append(v.CarrierServices, n[3:])
		case strings.HasPrefix(n, "o:"):
			v.Areas = append(v.Areas, n[2:])
		case strings.HasPrefix(n, "lane:"):
			v.Lanes = append(v.Lanes, n[5:])
		}
	}
	sort.Strings(v.CarrierServices)
	sort.Strings(v.Areas)
	sort.Strings(v.Lanes)
	return v
}
