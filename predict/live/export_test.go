package live

import "github.com/prometheus/client_golang/prometheus"

// RegisterMetrics registers a store's metrics on r, for tests that read them.
func RegisterMetrics(s *Store, r prometheus.Registerer) error { return s.m.register(r) }
