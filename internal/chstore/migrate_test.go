package chstore_test

import (
	"context"
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
