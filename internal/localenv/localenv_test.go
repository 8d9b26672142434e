package localenv

import (
	"context"
	"os"
	"testing"

	"github.com/parcelcast/parcelcast/internal/chstore"
)

// TestLocalClickHouseLeavesNothing starts a local server, uses it, stops
// it, and checks the process and its data are gone.
func TestLocalClickHouseLeavesNothing(t *testing.T) {
	t.Setenv("PARCELCAST_CLICKHOUSE_ADDR", "")
	t.Setenv("PARCELCAST_LOCALENV", "local")
	ctx := context.Background()
	ch, err := StartClickHouse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Backend != BackendLocal {
		t.Fatalf("backend %s", ch.Backend)
	}
	conn, err := chstore.Open(ctx, chstore.Config{Addr: ch.Addr, Database: "default"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := conn.ServerVersion(ctx)
	if err != nil || v == "" {
		t.Fatalf("version: %q %v", v, err)
	}
	conn.Close()
	dir := ch.dir
	if err := ch.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("data dir %s still there after Close (%v)", dir, err)
	}
	if _, err := chstore.Open(ctx, chstore.Config{Addr: ch.Addr, Database: "default"}); err == nil {
		t.Fatal("server still answers after Close")
	}
}

func TestEnvironmentWins(t *testing.T) {
	t.Setenv("PARCELCAST_CLICKHOUSE_ADDR", "ch.example:9000")
	t.Setenv("PARCELCAST_KAFKA_BROKERS", "k1:9092,k2:9092")
	ch, err := StartClickHouse(context.Background(), nil)
	if err != nil || ch.Backend != BackendEnv || ch.Addr != "ch.example:9000" {
		t.Fatalf("clickhouse: %+v %v", ch, err)
	}
	k, err := StartKafka(context.Background(), nil)
	if err != nil || k.Backend != BackendEnv || len(k.Brokers) != 2 {
		t.Fatalf("kafka: %+v %v", k, err)
	}
	t.Setenv("PARCELCAST_CLICKHOUSE_ADDR", "")
	t.Setenv("PARCELCAST_LOCALENV", "sideways")
	if _, err := StartClickHouse(context.Background(), nil); err == nil {
		t.Fatal("bad PARCELCAST_LOCALENV accepted")
	}
}

func TestKfakeBroker(t *testing.T) {
	t.Setenv("PARCELCAST_KAFKA_BROKERS", "")
	t.Setenv("PARCELCAST_LOCALENV", "local")
	k, err := StartKafka(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if err := EnsureTopics(context.Background(), k.Brokers, 2, "a.b", "c.d"); err != nil {
		t.Fatal(err)
	}
	if err := EnsureTopics(context.Background(), k.Brokers, 2, "a.b"); err != nil {
		t.Fatalf("second EnsureTopics: %v", err)
	}
}
