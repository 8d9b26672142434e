package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict"
)

// parcelcast serve as wired: keys on the API, /healthz open, /metrics on
// the admin listener only, pprof off unless asked.
func TestServeCommand(t *testing.T) {
	cfg, _ := env.Database(t)
	path := t.TempDir() + "/m.json"
	if _, err := tinyModel(t).Save(path); err != nil {
		t.Fatal(err)
	}
	api, admin := freeAddr(t), freeAddr(t)
	t.Setenv("PARCELCAST_API_KEYS", "ops:"+predict.HashToken("ops-token")+":read")
	ctx, cancel := context.WithCancel(context.Background())
	// serve is ready once its live state has caught up with the topic.
	topic := testenv.RandomName("normalized_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, topic); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
			"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--normalized-topic", topic,
			"--model", path, "--addr", api, "--admin-addr", admin, "--log-level", "error"})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(url, token string) (int, string) {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := get("http://"+api+"/readyz", ""); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve not ready in 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tc := range []struct {
		name, url, token string
		code             int
		has              string
	}{
		{"healthz open", "http://" + api + "/healthz", "", 200, "ok"},
		{"no key", "http://" + api + "/v1/models/current", "", 401, "unauthenticated"},
		{"key", "http://" + api + "/v1/models/current", "ops-token", 200, `"version":"tiny-1"`},
		{"no metrics on the API", "http://" + api + "/metrics", "", 404, "not_found"},
		{"metrics on admin", "http://" + admin + "/metrics", "", 200, `parcelcast_predict_model_info{version="tiny-1"} 1`},
		{"pprof off", "http://" + admin + "/debug/pprof/", "", 404, ""},
	} {
		if code, body := get(tc.url, tc.token); code != tc.code || !strings.Contains(body, tc.has) {
			t.Errorf("%s: %d %.200s", tc.name, code, body)
		}
	}
}

// freeAddr is a loopback address no one listens on, just now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
