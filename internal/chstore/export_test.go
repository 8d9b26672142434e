package chstore

import "github.com/ClickHouse/clickhouse-go/v2/lib/driver"

// Conn is db's connection pool, for tests that query tables directly.
func (db *DB) Conn() driver.Conn { return db.conn }
