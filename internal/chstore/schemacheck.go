package chstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/parcelcast/parcelcast/schemas"
)

// ErrNotMigrated says the database, or some of its tables, do not exist
// yet: `parcelcast migrate` creates them.
var ErrNotMigrated = errors.New("the database is not migrated (run `parcelcast migrate` first)")

// ClickHouse exception codes of a missing database and a missing table.
const (
	codeUnknownTable    = 60
	codeUnknownDatabase = 81
)

// Missing says whether err is ClickHouse saying a database or a table does
// not exist.
func Missing(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && (ex.Code == codeUnknownDatabase || ex.Code == codeUnknownTable)
}

// OpenMigrated is Open for commands that need the schema in place: a
// missing database, or migrations not yet applied, give ErrNotMigrated
// with what is missing.
func OpenMigrated(ctx context.Context, cfg Config) (*DB, error) {
	db, err := Open(ctx, cfg)
	if err != nil {
		if Missing(err) {
			return nil, fmt.Errorf("%w: database %s does not exist on %s", ErrNotMigrated, cfg.Database, cfg.Addr)
		}
		return nil, err
	}
	if err := db.checkMigrated(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	return db, nil
}

// checkMigrated returns ErrNotMigrated when an embedded migration is not
// recorded in schema_migrations.
func (db *DB) checkMigrated(ctx context.Context) error {
	migs, err := schemas.Migrations()
	if err != nil {
		return err
	}
	applied := map[uint32]bool{}
	rows, err := db.conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		if Missing(err) {
			return fmt.Errorf("%w: no schema_migrations table", ErrNotMigrated)
		}
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("scan schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	pending := 0
	for _, m := range migs {
		if !applied[m.Version] {
			pending++
		}
	}
	if pending > 0 {
		return fmt.Errorf("%w: %d of %d migrations pending", ErrNotMigrated, pending, len(migs))
	}
	return nil
}
