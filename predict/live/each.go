package live

import "github.com/parcelcast/parcelcast/predict"

// Each calls fn with every shipment held, a shard at a time, until fn
// returns false. fn runs outside the store's locks (a shard's numbers are
// copied out first), so it may take its time and call the store; a
// shipment changed meanwhile is seen as it is when its turn comes.
func (s *Store) Each(fn func(predict.Shipment) bool) {
	var numbers []string
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		numbers = numbers[:0]
		for n := range sh.m {
			numbers = append(numbers, n)
		}
		sh.mu.RUnlock()
		for _, n := range numbers {
			if shp, ok := s.held(n); ok && !fn(shp) {
				return
			}
		}
	}
}
