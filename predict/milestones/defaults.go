package milestones

import "time"

// The emitter's defaults, in one place: Options fields left zero take
// these, and the serve command's flags show them.
const (
	// DefaultQueueSize bounds the shipments waiting to be looked at; a
	// change that finds the queue full is dropped, counted, and its number
	// looked at again on the next re-check.
	DefaultQueueSize = 65536
	// DefaultRecheckInterval is how often the numbers of dropped changes
	// are looked at again, and what is published but not yet recorded is
	// written to the table again.
	DefaultRecheckInterval = 5 * time.Second
	// DefaultSweepInterval is how often every held shipment is looked at
	// (when the emitter has a Walker): what a failure or a restart left
	// unpublished is published then at the latest.
	DefaultSweepInterval = 10 * time.Minute
	// DefaultHorizon is how long a shipment's published milestones are
	// remembered after it last changed: the live state's longest hold
	// (live.DefaultMaxSilence), so a shipment it still holds is never
	// forgotten.
	DefaultHorizon = 60 * 24 * time.Hour
	// DefaultBatch is how many queued shipments are looked at, and their
	// milestones published, at a time.
	DefaultBatch = 512
	// DefaultLookupTimeout bounds a re-check's lookup of one number.
	DefaultLookupTimeout = 2 * time.Second
)

// retryFirst and retryMax bound the waits between attempts to publish or
// to record: doubling from the first to the longest.
const (
	retryFirst = 100 * time.Millisecond
	retryMax   = 10 * time.Second
)
