package predict

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestModelCurrent(t *testing.T) {
	s := newTestServer(t)
	rec := send(s, "GET", "/v1/models/current", "")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var r ModelResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Version != "test-1" || r.FeatureSchema == "" || r.Features != len(testModel().Features) ||
		len(r.Vocabulary.CarrierServices) != 1 || r.Vocabulary.CarrierServices[0] != "ups|ground" ||
		!r.LoadedAt.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("%+v", r)
	}
	none := NewServer(memJourneys{}, nil, Options{})
	if rec := send(none, "GET", "/v1/models/current", ""); rec.Code != 503 || errorCode(t, rec) != "no_model" {
		t.Errorf("without a model: %d %s", rec.Code, rec.Body)
	}
}

// A reload of a corrupt or a non-finite artifact is refused and counted
// under the version it names; the old model keeps serving.
func TestReloadRefusals(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := NewServer(memJourneys{}, nil, Options{Registry: reg})
	path := t.TempDir() + "/m.json"
	good := testModel()
	good.Version = "good-1"
	if _, err := good.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(path); err != nil {
		t.Fatal(err)
	}
	nonFinite := testModel()
	nonFinite.Version = "inf-1"
	nonFinite.Lane.Coef[0] = 1e300 // finite, but every prediction overflows
	for _, tc := range []struct {
		name, version string
		write         func() error
	}{
		{"corrupt", "unknown", func() error { return os.WriteFile(path, []byte(`{"format":"parcelcast-eta-model"`), 0o644) }},
		{"bad checksum", "bad-1", func() error {
			return os.WriteFile(path, []byte(`{"format":"parcelcast-eta-model","format_version":3,"sha256":"00","model":{"version":"bad-1"}}`), 0o644)
		}},
		{"non-finite", "inf-1", func() error { _, err := nonFinite.Save(path); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.write(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Reload(path); err == nil {
				t.Fatal("reload accepted it")
			}
			if s.Model().Version != "good-1" {
				t.Fatalf("served %s", s.Model().Version)
			}
			if n := testutil.ToFloat64(s.models.refusals.WithLabelValues(tc.version)); n != 1 {
				t.Errorf("refusals{version=%q} = %g", tc.version, n)
			}
		})
	}
	if n := testutil.ToFloat64(s.models.reloads.WithLabelValues("good-1")); n != 1 {
		t.Errorf("reloads = %g", n)
	}
	want := "parcelcast_predict_model_info{version=\"good-1\"} 1\n"
	if err := testutil.GatherAndCompare(reg, strings.NewReader("# HELP parcelcast_predict_model_info 1 for the model version served.\n# TYPE parcelcast_predict_model_info gauge\n"+want),
		"parcelcast_predict_model_info"); err != nil {
		t.Error(err)
	}
	// The next good file is served and the info metric follows it.
	good.Version = "good-2"
	if _, err := good.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(path); err != nil || s.Model().Version != "good-2" {
		t.Fatalf("%v %v", err, s.Model().Version)
	}
	if n := testutil.ToFloat64(s.models.info.WithLabelValues("good-1")); n != 0 {
		t.Errorf("old version still served in the info metric")
	}
}

// The file watcher refuses a non-finite artifact and counts it; the old
// model keeps serving, and the next good file is taken.
func TestHotReloadRefusesNonFinite(t *testing.T) {
	path := t.TempDir() + "/m.json"
	good := testModel()
	good.Version = "good-1"
	if _, err := good.Save(path); err != nil {
		t.Fatal(err)
	}
	s := NewServer(memJourneys{}, good, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { WatchModel(ctx, path, 5*time.Millisecond, s, nil); close(done) }()
	defer func() { cancel(); <-done }()
	bad := testModel()
	bad.Version = "inf-2"
	bad.Lane.Coef[0] = 1e300
	// Written again until seen: the watcher's first look at the file may
	// come after a write.
	save := func(m *model.Model) {
		if _, err := m.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool {
		save(bad)
		return testutil.ToFloat64(s.models.refusals.WithLabelValues("inf-2")) >= 1
	})
	if v := s.Model().Version; v != "good-1" {
		t.Fatalf("serving %s", v)
	}
	good.Version = "good-2"
	waitFor(t, func() bool { save(good); return s.Model().Version == "good-2" })
}
