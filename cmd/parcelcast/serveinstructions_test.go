package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// serve as wired gives a delivery instruction: stored in ClickHouse,
// published on the instructions topic, shown in the shipment view; a
// serve started again still shows it and answers its retry the same.
func TestServeInstructions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, db := env.Database(t)
	normalized, instructions := testenv.RandomName("normalized_"), testenv.RandomName("instructions_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, normalized, instructions); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	tn := "1Z999AA10123456784"
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, []schemas.ScanEvent{liveScan(tn, now.Add(-2*time.Hour), schemas.StatusPickedUp)}); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/m.json"
	if _, err := biasArtifact().Save(path); err != nil {
		t.Fatal(err)
	}
	// The first working day of the destination after tomorrow, its local
	// date at the scans' offset.
	y, m, d := now.Add(-5 * time.Hour).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2)
	for !model.IsWorkday("US", day) {
		day = day.AddDate(0, 0, 1)
	}
	body := `{"type":"reschedule","date":"` + day.Format(time.DateOnly) + `"}`
	client := &http.Client{Timeout: 5 * time.Second}
	start := func() (api string, stop func()) {
		api = freeAddr(t)
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- runServe(ctx, []string{"--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
				"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--normalized-topic", normalized,
				"--instructions-topic", instructions, "--insecure-no-auth",
				"--model", path, "--addr", api, "--admin-addr", freeAddr(t), "--log-level", "error"})
		}()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if resp, err := client.Get("http://" + api + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("serve not ready in 20 s")
			}
			time.Sleep(50 * time.Millisecond)
		}
		return api, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	key := "order-1001-reschedule"
	call := func(method, url, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	api, stop := start()
	code, out := call("POST", "http://"+api+"/v1/shipments/"+tn+"/instructions", body)
	if code != 201 {
		stop()
		t.Fatalf("POST: %d %v", code, out)
	}
	id := out["instruction"].(map[string]any)["id"]
	stop()

	// Published, keyed by the number.
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: instructions, GroupID: testenv.RandomName("g_"), StartOffset: kafka.FirstOffset})
	defer r.Close()
	msg, err := r.ReadMessage(rctx)
	if err != nil {
		t.Fatalf("reading the instructions topic: %v", err)
	}
	var in schemas.Instruction
	if err := json.Unmarshal(msg.Value, &in); err != nil || string(msg.Key) != tn || in.ID != id || in.Date != day.Format(time.DateOnly) {
		t.Errorf("published %q %s (%v), want id %v", msg.Key, msg.Value, err, id)
	}

	api, stop = start()
	defer stop()
	_, view := call("GET", "http://"+api+"/v1/shipments/"+tn, "")
	if list, _ := view["instructions"].([]any); len(list) != 1 || list[0].(map[string]any)["id"] != id {
		t.Errorf("after a restart the view's instructions are %v", view["instructions"])
	}
	if code, out := call("POST", "http://"+api+"/v1/shipments/"+tn+"/instructions", body); code != 201 || out["instruction"].(map[string]any)["id"] != id {
		t.Errorf("the retry after a restart: %d %v", code, out)
	}

	// A second replica, running at once, learns from the topic what the
	// first does, and the first what it does.
	other, stopOther := start()
	defer stopOther()
	state := func(api string, id any) string {
		_, view := call("GET", "http://"+api+"/v1/shipments/"+tn, "")
		list, _ := view["instructions"].([]any)
		for _, v := range list {
			if in := v.(map[string]any); in["id"] == id {
				return in["state"].(string)
			}
		}
		return ""
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("not in 15 s: %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if code, out := call("DELETE", "http://"+api+"/v1/shipments/"+tn+"/instructions/"+id.(string), ""); code != 200 {
		t.Fatalf("DELETE: %d %v", code, out)
	}
	eventually("the other replica shows the cancellation", func() bool { return state(other, id) == "cancelled" })
	key = "order-1001-return"
	code, out = call("POST", "http://"+other+"/v1/shipments/"+tn+"/instructions", `{"type":"return_to_sender"}`)
	if code != 201 {
		t.Fatalf("POST on the other replica: %d %v", code, out)
	}
	id2 := out["instruction"].(map[string]any)["id"]
	eventually("the first replica shows the other's instruction", func() bool { return state(api, id2) == "pending" })
	if code, out := call("POST", "http://"+api+"/v1/shipments/"+tn+"/instructions", `{"type":"return_to_sender"}`); code != 201 || out["instruction"].(map[string]any)["id"] != id2 {
		t.Errorf("the retry on the first replica: %d %v", code, out)
	}
	if code, out := call("POST", "http://"+api+"/v1/shipments/"+tn+"/instructions", body); code != 422 {
		t.Errorf("the key again with another body on the first replica: %d %v, want 422", code, out)
	}
}
