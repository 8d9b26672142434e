package chstore

import (
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Conn is db's connection pool, for tests that query tables directly.
func (db *DB) Conn() driver.Conn { return db.conn }

// SetChunk sets how many days of first scans one query of Delivered reads.
func (h *History) SetChunk(d time.Duration) { h.chunk = d }

// SetHorizon sets how far after a chunk its query reads (0: to its last
// delivery).
func (h *History) SetHorizon(d time.Duration) { h.horizon = d }
