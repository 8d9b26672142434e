package chstore

import (
	"context"
	"fmt"
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
