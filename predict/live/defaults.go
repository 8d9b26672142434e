package live

import "time"

// The live state's defaults, in one place: Options fields left zero take
// these, and the serve command's flags show them.
const (
	// DefaultRetention is how long a delivered, returned or cancelled
	// shipment stays after its last scan.
	DefaultRetention = 14 * 24 * time.Hour
	// DefaultMaxSilence is how long a shipment with no new scan stays,
	// whatever its status: past it the shipment is lost or abandoned.
	DefaultMaxSilence = 60 * 24 * time.Hour
	// DefaultLookupTimeout bounds a fallback lookup in the database.
	DefaultLookupTimeout = 500 * time.Millisecond
	// DefaultAgeOutInterval is how often the age-out pass runs.
	DefaultAgeOutInterval = 10 * time.Minute
	// DefaultNotFoundSize and DefaultNotFoundTTL bound the cache of numbers
	// the database did not have.
	DefaultNotFoundSize = 100_000
	DefaultNotFoundTTL  = time.Minute
	// DefaultStreamLead is how far before the bootstrap's start the topic
	// is read from, so that no scan stored while the bootstrap ran is
	// missed (the overlap is applied twice and changes nothing).
	DefaultStreamLead = 5 * time.Minute
	// DefaultBootstrapRetry is the first wait before a failed bootstrap is
	// tried again; each retry waits twice as long, up to a minute.
	DefaultBootstrapRetry = time.Second
)

// shardCount is the number of shards of the store: a power of two well
// above the cores a replica has, so that writers rarely meet.
const shardCount = 256
