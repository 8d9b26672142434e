package chstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

// TestOpenMigrated: a database that does not exist, or whose migrations
// are not applied, says to run migrate; a migrated one opens.
func TestOpenMigrated(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name            string
		create, migrate bool
		want            string // in the error; "" for none
	}{
		{"no database", false, false, "does not exist"},
		{"database without tables", true, false, "no schema_migrations table"},
		{"migrated", true, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName("openmig_")}
			t.Cleanup(func() { _ = chstore.DropDatabase(context.Background(), cfg) })
			if tc.create {
				if err := chstore.EnsureDatabase(ctx, cfg); err != nil {
					t.Fatal(err)
				}
			}
			if tc.migrate {
				db, err := chstore.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				_, err = chstore.Migrate(ctx, db)
				db.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			db, err := chstore.OpenMigrated(ctx, cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
				return
			}
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, chstore.ErrNotMigrated) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "parcelcast migrate") {
				t.Errorf("error %q, want ErrNotMigrated with %q", err, tc.want)
			}
		})
	}
}
