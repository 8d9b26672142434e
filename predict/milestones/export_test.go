package milestones

import "github.com/prometheus/client_golang/prometheus"

// DropsForTest is the emitter's counter of queue drops.
func (e *Emitter) DropsForTest() prometheus.Counter { return e.m.drops }
