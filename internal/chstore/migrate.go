package chstore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// MigrateResult says what a Migrate call did.
type MigrateResult struct {
	Applied []schemas.Migration
	Current uint32
}

// Migrate applies the pending embedded migrations, in order, to the
// database db is connected to, recording each in schema_migrations. It
// is idempotent: a second run applies nothing.
func Migrate(ctx context.Context, db *DB) (MigrateResult, error) {
	var res MigrateResult
	migs, err := schemas.Migrations()
	if err != nil {
		return res, err
	}
	if err := db.conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version UInt32, name String, applied_at DateTime('UTC')
	) ENGINE = MergeTree() ORDER BY version`); err != nil {
		return res, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[uint32]bool{}
	rows, err := db.conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return res, fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return res, fmt.Errorf("scan schema_migrations: %w", err)
		}
		applied[v] = true
		res.Current = max(res.Current, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		for i, stmt := range m.Statements {
			done, err := db.columnsAdded(ctx, stmt)
			if err != nil {
				return res, fmt.Errorf("migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
			if done {
				continue
			}
			if err := db.conn.Exec(ctx, stmt); err != nil {
				return res, fmt.Errorf("migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := db.insertRow(ctx, "INSERT INTO schema_migrations (version, name, applied_at)",
			m.Version, m.Name, time.Now().UTC()); err != nil {
			return res, fmt.Errorf("record migration %04d: %w", m.Version, err)
		}
		res.Applied = append(res.Applied, m)
		res.Current = max(res.Current, m.Version)
	}
	return res, nil
}

var (
	alterTable = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s`)
	addColumn  = regexp.MustCompile(`(?i)ADD\s+COLUMN\s+([A-Za-z_][A-Za-z0-9_]*)`)
)

// addedColumns returns the table and the columns an ALTER TABLE … ADD
// COLUMN statement adds, or ok false for any other statement.
func addedColumns(stmt string) (table string, columns []string, ok bool) {
	m := alterTable.FindStringSubmatch(stmt)
	if m == nil {
		return "", nil, false
	}
	for _, c := range addColumn.FindAllStringSubmatch(stmt, -1) {
		columns = append(columns, c[1])
	}
	return m[1], columns, len(columns) > 0
}

// columnsAdded reports whether stmt adds columns that are all there
// already: the statement ran but its migration was not recorded (the
// process stopped in between). ClickHouse 18.16 has no ADD COLUMN IF NOT
// EXISTS, so without this such a database could never be migrated again.
// Some of the columns there and some not is an error.
func (db *DB) columnsAdded(ctx context.Context, stmt string) (bool, error) {
	table, columns, ok := addedColumns(stmt)
	if !ok {
		return false, nil
	}
	var n uint64
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND has(?, name)",
		table, columns).Scan(&n); err != nil {
		return false, fmt.Errorf("look up columns of %s: %w", table, err)
	}
	switch {
	case n == 0:
		return false, nil
	case int(n) == len(columns):
		return true, nil
	}
	return false, fmt.Errorf("table %s has %d of the columns %v the statement adds", table, n, columns)
}
