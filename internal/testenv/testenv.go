// Package testenv gives a package's tests the real ClickHouse server and
// Kafka broker of internal/localenv, and a private database per test.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
)

// Env is the ClickHouse server and Kafka broker shared by one test binary.
type Env struct{ *localenv.Env }

// Run starts the services for a package's tests, runs them, calls each
// of after (closing what the tests shared, a browser say), stops the
// services and exits. Call it from TestMain. A service that cannot start
// fails the run: integration tests are never skipped.
func Run(m *testing.M, env **Env, after ...func()) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	e, err := localenv.Start(ctx, nil)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start services for tests:", err)
		os.Exit(1)
	}
	*env = &Env{e}
	code := m.Run()
	for _, f := range after {
		f()
	}
	e.Close()
	os.Exit(code)
}

// RandomName returns prefix followed by random hex, for databases, topics
// and consumer groups private to one test.
func RandomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// EmptyDatabase creates a database of the test's own, not migrated, and
// drops it when the test ends.
func (e *Env) EmptyDatabase(t testing.TB) (chstore.Config, *chstore.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := chstore.Config{Addr: e.ClickHouse.Addr, Database: RandomName("test_")}
	if err := chstore.EnsureDatabase(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	conn, err := chstore.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		if err := chstore.DropDatabase(context.Background(), cfg); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return cfg, conn
}

// Database creates a migrated database private to t, dropped when t ends,
// and returns its config and a connection to it.
func (e *Env) Database(t testing.TB) (chstore.Config, *chstore.DB) {
	t.Helper()
	cfg, conn := e.EmptyDatabase(t)
	if _, err := chstore.Migrate(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	return cfg, conn
}
