// Package model turns transit history into ETA models: features from a
// shipment's scans so far, a ridge regression fitted with gonum on
// streaming normal equations, residual-quantile intervals calibrated on a
// later time slice, and a backtest against a lane-median baseline.
package model

import (
	"math"
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// Scan is the part of a scan event the model uses.
type Scan struct {
	Time          time.Time
	Status        schemas.Status
	OffsetMinutes int
}

// Journey is one shipment's scans in time order and its lane.
type Journey struct {
	TrackingNumber string
	Carrier        string
	// ShipmentKey is the carrier's id of the shipment, empty when it sends
	// none (schemas.ScanEvent.ShipmentKey).
	ShipmentKey string
	Service     string
	Origin      schemas.Location
	Destination schemas.Location
	// Promised is the carrier's promised delivery time, zero when unknown.
	Promised time.Time
	Scans    []Scan
}

// Sort orders the scans by time (feeds deliver them out of order).
func (j *Journey) Sort() {
	sort.SliceStable(j.Scans, func(a, b int) bool { return j.Scans[a].Time.Before(j.Scans[b].Time) })
}

// DeliveredAt returns the time of the first delivered scan.
func (j *Journey) DeliveredAt() (time.Time, bool) {
	for _, s := range j.Scans {
		if s.Status == schemas.StatusDelivered {
			return s.Time, true
		}
	}
	return time.Time{}, false
}

// Snapshot is what is known of a shipment at one moment: the inputs of a
// prediction made then.
type Snapshot struct {
	Carrier, Service string
	// OriginArea and DestArea are the region areas the lane features
	// use (see Area); OriginAreas and DestAreas every level of them, for
	// the lane offsets and baselines. A snapshot with the regions only
	// gets the region lane's offset.
	OriginArea, DestArea   string
	OriginAreas, DestAreas AreaPath
	Status                 schemas.Status
	At                     time.Time // the moment of the snapshot
	OffsetMinutes          int       // local offset at the last scan
	ElapsedHours           float64   // since the first scan
	Scans                  int
	// Promised is the carrier's promised delivery time, zero when unknown.
	Promised time.Time
	// PrevDwellHours is the time from the scan before to this one.
	PrevDwellHours float64
	// Attempts and Exceptions count those scans so far.
	Attempts, Exceptions int
	// Started is set once the carrier has the parcel: a scan after the
	// label's (any status but info_received). StartDay is that scan's
	// local civil day (days since 1970-01-01), which the lane date counts
	// working days from (LaneDays).
	Started  bool
	StartDay int32
}

// SnapshotAt describes the journey as it stood after scan k.
func (j *Journey) SnapshotAt(k int) Snapshot {
	s := j.snapshot()
	for i := 0; i <= k; i++ {
		s.advance(j, i)
	}
	return s
}

// snapshot is the journey's snapshot before its first scan: its lane and
// promise.
func (j *Journey) snapshot() Snapshot {
	s := Snapshot{Carrier: j.Carrier, Service: j.Service, OriginAreas: Areas(j.Origin), DestAreas: Areas(j.Destination),
		Promised: j.Promised}
	s.OriginArea, s.DestArea = s.OriginAreas[areaRegion], s.DestAreas[areaRegion]
	return s
}

// advance moves a snapshot of j to its scan k, counting that scan; the
// snapshot must be at scan k−1 (or new, for k = 0).
func (s *Snapshot) advance(j *Journey, k int) {
	sc := j.Scans[k]
	s.Status, s.At, s.OffsetMinutes = sc.Status, sc.Time, sc.OffsetMinutes
	s.ElapsedHours = sc.Time.Sub(j.Scans[0].Time).Hours()
	s.Scans = k + 1
	s.PrevDwellHours = 0
	if k > 0 {
		s.PrevDwellHours = sc.Time.Sub(j.Scans[k-1].Time).Hours()
	}
	if !s.Started && sc.Status != schemas.StatusInfoReceived {
		s.Started, s.StartDay = true, localCivilDay(sc.Time, sc.OffsetMinutes)
	}
	switch sc.Status {
	case schemas.StatusDeliveryAttempted:
		s.Attempts++
	case schemas.StatusException:
		s.Exceptions++
	}
}

// Lane names a (carrier, service, origin area, destination area) lane.
func Lane(carrier, service, o, d string) string {
	return carrier + "|" + service + "|" + o + ">" + d
}

// toTarget maps hours h to the scale a fit with target scale c is made
// on, log(1 + h/c): close to linear for times well under c, logarithmic
// beyond. c = 1 is the plain log scale; a day's scale weighs an hour's
// error on the last day less than the plain log scale does.
func toTarget(h, c float64) float64 { return math.Log1p(math.Max(h, 0) / c) }

// toTargets writes toTarget(h, c) for every scale c into out, from the
// scales' logs: log(1 + h/c) = log(h + c) − log(c), one logarithm each.
func toTargets(h float64, scales, logScales, out []float64) {
	h = math.Max(h, 0)
	for t, c := range scales {
		out[t] = math.Log(h+c) - logScales[t]
	}
}

// fromTarget inverts toTarget.
func fromTarget(y, c float64) float64 { return math.Max(math.Expm1(y)*c, 0) }

// Local is the snapshot's time on the local wall clock of its last scan.
func (s *Snapshot) Local() time.Time {
	return s.At.Add(time.Duration(s.OffsetMinutes) * time.Minute).UTC()
}

// localDay is the snapshot's civil day on its local wall clock (days
// since 1970-01-01) and the seconds into that day.
func (s *Snapshot) localDay() (int32, int64) {
	t := s.At.Unix() + int64(s.OffsetMinutes)*60
	day := t / 86400
	if t%86400 < 0 {
		day--
	}
	return int32(day), t - day*86400
}

func (s *Snapshot) inPeak() bool {
	day, _ := s.localDay()
	return inPeakDay(day)
}
