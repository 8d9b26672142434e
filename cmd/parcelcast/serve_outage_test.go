package main

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
)

// With ClickHouse frozen (connections open, nothing answered), a request
// that needs it gets 503 with Retry-After within a second, /readyz says
// so, and both recover once it answers again.
func TestServeClickHouseFrozen(t *testing.T) {
	cfg, _ := env.Database(t)
	fp := newFreezer(t, cfg.Addr)
	cfg.Addr = fp.addr
	ctx := context.Background()
	conn, err := chstore.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s := predict.NewServer(newStoredShipments(conn), tinyModel(t), predict.Options{
		Ready: []predict.ReadyCheck{{Name: "clickhouse", Check: conn.Ping}},
	})
	get := func(path string) (*httptest.ResponseRecorder, time.Duration) {
		rec := httptest.NewRecorder()
		start := time.Now()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec, time.Since(start)
	}
	const eta = "/v1/shipments/1Z999AA10123456784/eta"
	if rec, _ := get(eta); rec.Code != http.StatusNotFound {
		t.Fatalf("with ClickHouse up: %d %s", rec.Code, rec.Body)
	}
	fp.freeze(true)
	for _, path := range []string{eta, "/readyz"} {
		rec, took := get(path)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || took >= time.Second {
			t.Errorf("%s with ClickHouse frozen: %d in %s, Retry-After %q: %s", path, rec.Code, took, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
	fp.freeze(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		rec, _ := get("/readyz")
		if rec.Code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready 20 s after ClickHouse answers again: %d %s", rec.Code, rec.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if rec, _ := get(eta); rec.Code != http.StatusNotFound {
		t.Fatalf("after the freeze: %d %s", rec.Code, rec.Body)
	}
}

// tinyModel is a bias-only model of 24 hours.
func tinyModel(t testing.TB) *model.Model {
	t.Helper()
	q := make([]float64, len(model.ResidualLevels))
	for i, l := range model.ResidualLevels {
		q[i] = (l - 0.5) * 2
	}
	m := &model.Model{FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "tiny-1",
		Features: []string{"bias"}, Lane: &model.Fit{TargetScale: 1, Coef: []float64{math.Log(25)}, Residuals: map[string][]float64{"*": q}}}
	path := t.TempDir() + "/m.json"
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// freezer forwards TCP to upstream; frozen, it holds every byte in both
// directions (a server that accepts and never answers) until thawed.
type freezer struct {
	addr   string
	mu     sync.Mutex
	frozen bool
	thaw   *sync.Cond
}

func newFreezer(t *testing.T, upstream string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{addr: ln.Addr().String()}
	f.thaw = sync.NewCond(&f.mu)
	var wg sync.WaitGroup
	var conns sync.Map
	t.Cleanup(func() {
		ln.Close()
		f.freeze(false)
		conns.Range(func(c, _ any) bool { c.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Add(1)
	go func() { // owned by the test: ends when the listener closes
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			conns.Store(c, true)
			conns.Store(up, true)
			for _, p := range [][2]net.Conn{{c, up}, {up, c}} {
				wg.Add(1)
				go func(dst, src net.Conn) { // ends when either side closes
					defer wg.Done()
					f.copy(dst, src)
					dst.Close()
					src.Close()
				}(p[0], p[1])
			}
		}
	}()
	return f
}

func (f *freezer) freeze(on bool) {
	f.mu.Lock()
	f.frozen = on
	f.mu.Unlock()
	f.thaw.Broadcast()
}

func (f *freezer) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		f.mu.Lock()
		for f.frozen {
			f.thaw.Wait()
		}
		f.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return
			}
			return
		}
	}
}
