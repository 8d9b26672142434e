package live

import "github.com/parcelcast/parcelcast/predict"

// Each calls fn with the latest shipment of every number held, until fn
// returns false. A shard's shipments are copied under its read lock and
// fn is called outside it, so fn may take its time or call the store; a
// change made meanwhile may or may not be seen.
func (s *Store) Each(fn func(predict.Shipment) bool) {
	var batch []predict.Shipment
	for i := range s.shards {
		sh := &s.shards[i]
		batch = batch[:0]
		sh.mu.RLock()
		for _, r := range sh.m {
			if x, ok := s.in.shipment(r); ok {
				batch = append(batch, x)
			}
		}
		sh.mu.RUnlock()
		for _, x := range batch {
			if !fn(x) {
				return
			}
		}
	}
}
