package model

// SetCensorWeighting turns the calibration's censoring weights on or off
// and returns a func that restores them, so a test can show what they do.
func SetCensorWeighting(on bool) (restore func()) {
	was := censorWeighting
	censorWeighting = on
	return func() { censorWeighting = was }
}

// CensorWeights are the censoring weights, per follow-up day, of the
// snapshots counted censored (in flight) and delivered per day.
func CensorWeights(censored, delivered []float64) []float64 {
	var c censoring
	copy(c.censored[:], censored)
	copy(c.delivered[:], delivered)
	w := c.weights()
	return w[:]
}

// DecayWeight is a training row's time-decay weight.
var DecayWeight = decayWeight
