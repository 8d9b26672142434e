package ingest

import "time"

// SetAlignTiming sets how long a partition may wait in one go and how long
// a silent partition still holds others back, for the consumers started
// until the returned function restores the defaults.
func SetAlignTiming(staleAfter, maxHold time.Duration) (restore func()) {
	oldStale, oldHold := alignStaleAfter, alignMaxHold
	alignStaleAfter, alignMaxHold = staleAfter, maxHold
	return func() { alignStaleAfter, alignMaxHold = oldStale, oldHold }
}
