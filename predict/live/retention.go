package live

import (
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// AgeOut drops the numbers whose latest journey ended (delivered,
// returned or cancelled) more than the retention period ago, and those
// with no scan for longer than the maximum silence. It returns how many
// numbers it dropped.
func (s *Store) AgeOut(now time.Time) int {
	silent := now.Add(-s.opts.MaxSilence).Unix()
	ended := now.Add(-s.opts.Retention).Unix()
	dropped := 0
	var buf []model.Scan
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for number, r := range sh.m {
			last := int64(r.lastTime())
			drop := last < silent
			if !drop && last < ended {
				drop = s.ended(r, buf)
			}
			if drop {
				delete(sh.m, number)
				s.records.Add(-1)
				s.scans.Add(-int64(r.scanCount()))
				s.refs.set(number, r.refs(), predict.References{})
				dropped++
			}
		}
		sh.mu.Unlock()
	}
	s.m.agedOut.Add(float64(dropped))
	return dropped
}

// ended reports whether the record's latest journey was delivered or its
// last scan is terminal.
func (s *Store) ended(r *record, buf []model.Scan) bool {
	g, start, end := s.in.latest(r, buf)
	if g == nil {
		return true
	}
	for i := start; i < end; i++ {
		st := s.in.status(&g.scans[i])
		if st == schemas.StatusDelivered || i == end-1 && st.Terminal() {
			return true
		}
	}
	return false
}
