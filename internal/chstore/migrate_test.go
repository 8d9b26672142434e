package chstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	_, conn := env.EmptyDatabase(t)
	migs, _ := schemas.Migrations()
	first, err := chstore.Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Applied) != len(migs) {
		t.Fatalf("first run applied %d of %d migrations", len(first.Applied), len(migs))
	}
	second, err := chstore.Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Applied) != 0 || second.Current != first.Current {
		t.Fatalf("second run applied %d, current %d (first %d)", len(second.Applied), second.Current, first.Current)
	}
	var n uint64
	if err := conn.Conn().QueryRow(ctx, "SELECT count() FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(migs) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(migs))
	}
	for _, table := range []string{"scan_events", "model_runs"} {
		if err := conn.Conn().QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

// A migration that adds columns and stopped before it was recorded runs
// again without error: its columns are there, so its statement is skipped.
func TestMigrateAfterAnUnrecordedAlter(t *testing.T) {
	ctx := context.Background()
	_, conn := env.EmptyDatabase(t)
	if _, err := chstore.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	migs, _ := schemas.Migrations()
	var alter schemas.Migration // the newest migration that only adds columns
	for _, m := range migs {
		only := len(m.Statements) > 0
		for _, s := range m.Statements {
			u := strings.ToUpper(strings.TrimSpace(s))
			only = only && strings.HasPrefix(u, "ALTER TABLE") && strings.Contains(u, "ADD COLUMN")
		}
		if only {
			alter = m
		}
	}
	if alter.Version == 0 {
		t.Fatal("no migration only adds columns")
	}
	// Forget that it was applied, as a stop between its statement and its
	// record would.
	for _, q := range []string{
		"CREATE TABLE kept_migrations AS schema_migrations",
		fmt.Sprintf("INSERT INTO kept_migrations SELECT * FROM schema_migrations WHERE version != %d", alter.Version),
		"DROP TABLE schema_migrations",
		"RENAME TABLE kept_migrations TO schema_migrations",
	} {
		if err := conn.Conn().Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	again, err := chstore.Migrate(ctx, conn)
	if err != nil {
		t.Fatalf("migrating again: %v", err)
	}
	if len(again.Applied) != 1 || again.Applied[0].Version != alter.Version {
		t.Fatalf("applied %v again, want only migration %d", again.Applied, alter.Version)
	}
}
