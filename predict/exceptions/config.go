package exceptions

import "time"

// Config tunes detection; zero fields take the defaults below.
type Config struct {
	// Quantile of the learned dwell of a carrier and status past which a
	// shipment with no new scan is stalled.
	Quantile float64
	// OutQuantile is the share of the parcels that made their promise
	// that went out for delivery later, before it, than the moment a
	// parcel with a promise and no out-for-delivery scan is stalled
	// (Model.OutForDelivery); negative: never.
	OutQuantile float64
	// MinSamples is the least dwell times a carrier and status needs for
	// its quantile to be trusted; below it, Default is the threshold.
	MinSamples int
	// Floor is the least threshold, Default the one of a thin cell.
	Floor, Default time.Duration
	// LostFactor times the threshold without a scan makes a parcel lost.
	LostFactor float64
	// LateQuantile is the quantile of the ETA (0.5 the median; lower is
	// surer) compared with the promise.
	LateQuantile float64
	// LateSlack is how far the LateQuantile ETA may pass the promise before the
	// shipment is late (negative: not at all): an ETA a few hours after a
	// promise of 20:00 is the next morning's round, often made.
	LateSlack time.Duration
}

// The defaults of Config and of the scanner.
const (
	DefaultQuantile     = 0.997
	DefaultOutQuantile  = 0.01
	DefaultMinSamples   = 30
	DefaultFloor        = 12 * time.Hour
	DefaultThreshold    = 72 * time.Hour
	DefaultLostFactor   = 3
	DefaultLateSlack    = 12 * time.Hour
	DefaultLateQuantile = 0.3
	// DefaultInterval is how often the scanner re-evaluates every held
	// shipment (a stall begins without a scan).
	DefaultInterval = time.Minute
	// DefaultKeepResolved is how long a shipment whose exceptions are all
	// resolved stays in the scanner's memory.
	DefaultKeepResolved = 30 * 24 * time.Hour
)

func (c Config) withDefaults() Config {
	if c.Quantile <= 0 || c.Quantile >= 1 {
		c.Quantile = DefaultQuantile
	}
	if c.OutQuantile == 0 || c.OutQuantile >= 1 {
		c.OutQuantile = DefaultOutQuantile
	}
	if c.MinSamples <= 0 {
		c.MinSamples = DefaultMinSamples
	}
	if c.Floor <= 0 {
		c.Floor = DefaultFloor
	}
	if c.Default <= 0 {
		c.Default = DefaultThreshold
	}
	switch {
	case c.LateSlack == 0:
		c.LateSlack = DefaultLateSlack
	case c.LateSlack < 0:
		c.LateSlack = 0
	}
	if c.LateQuantile <= 0 || c.LateQuantile >= 1 {
		c.LateQuantile = DefaultLateQuantile
	}
	if c.LostFactor <= 1 {
		c.LostFactor = DefaultLostFactor
	}
	return c
}
