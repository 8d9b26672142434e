package predict

import (
	"encoding/json"

	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/model"
)

// modelMetrics count model loads and refusals, and name the served model.
type modelMetrics struct {
	reloads  *prometheus.CounterVec
	refusals *prometheus.CounterVec
	info     *prometheus.GaugeVec
}

func newModelMetrics(reg *prometheus.Registry) modelMetrics {
	m := modelMetrics{
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_predict_model_reloads_total", Help: "Models loaded and served, by model version.",
		}, []string{"version"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_predict_model_refusals_total", Help: "Model files refused at reload, by the version they name (unknown when unreadable).",
		}, []string{"version"}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parcelcast_predict_model_info", Help: "1 for the model version served.",
		}, []string{"version"}),
	}
	reg.MustRegister(m.reloads, m.refusals, m.info)
	return m
}

func (m modelMetrics) served(version string) {
	m.info.Reset()
	m.info.WithLabelValues(version).Set(1)
}

// Reload loads the model file at path and serves it. A file that fails
// to load (model.Load refuses corrupt, incompatible and non-finite
// models) is counted and returned; the served model stays.
func (s *Server) Reload(path string) (*model.Model, error) {
	m, err := model.Load(path)
	if err != nil {
		s.models.refusals.WithLabelValues(versionIn(path)).Inc()
		return nil, err
	}
	s.SetModel(m)
	s.models.reloads.WithLabelValues(m.Version).Inc()
	return m, nil
}

// versionIn is the version a model file names, "unknown" when it cannot
// be read that far.
func versionIn(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	var peek struct {
		Model struct {
			Version string `json:"version"`
		} `json:"model"`
	}
	if json.Unmarshal(b, &peek) != nil || peek.Model.Version == "" {
		return "unknown"
	}
	return peek.Model.Version
}

// ModelResponse is the body of GET /v1/models/current.
type ModelResponse struct {
	Version       string       `json:"version"`
	FormatVersion int          `json:"format_version"`
	FeatureSchema string       `json:"feature_schema"`
	Features      int          `json:"features"`
	TrainedAt     time.Time    `json:"trained_at"`
	Window        model.Window `json:"window"`
	Backtest      Backtest     `json:"backtest"`
	Vocabulary    struct {
		CarrierServices []string `json:"carrier_services"`
		Areas           int      `json:"areas"`
		Lanes           int      `json:"lanes"`
	} `json:"vocabulary"`
	LoadedAt time.Time `json:"loaded_at"`
}

// Backtest are a model's headline figures on its held-back test slice.
type Backtest struct {
	TestShipments    int     `json:"test_shipments"`
	TestRows         int     `json:"test_rows"`
	MAEHours         float64 `json:"mae_hours"`
	BaselineMAEHours float64 `json:"baseline_mae_hours"`
	Coverage80       float64 `json:"coverage_p10_p90"`
	P95OnTime        float64 `json:"p95_on_time"`
}

func (s *Server) handleModelCurrent(w http.ResponseWriter, r *http.Request) {
	m := s.model.Load()
	if m == nil {
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "no_model", "no model loaded yet")
		return
	}
	resp := ModelResponse{
		Version: m.Version, FormatVersion: m.FormatVersion, FeatureSchema: m.FeatureSchema, Features: len(m.Features),
		TrainedAt: m.TrainedAt.UTC(), Window: m.Window,
		Backtest: Backtest{
			TestShipments: m.Metrics.TestShipments, TestRows: m.Metrics.TestRows,
			MAEHours: m.Metrics.MAEHours, BaselineMAEHours: m.Metrics.BaselineMAEHours,
			Coverage80: m.Metrics.Coverage80, P95OnTime: m.Metrics.P95OnTime,
		},
		LoadedAt: time.Unix(0, s.loadedAt.Load()).UTC(),
	}
	v := m.Vocabulary()
	resp.Vocabulary.CarrierServices = v.CarrierServices
	if resp.Vocabulary.CarrierServices == nil {
		resp.Vocabulary.CarrierServices = []string{}
	}
	resp.Vocabulary.Areas, resp.Vocabulary.Lanes = len(v.Areas), len(v.Lanes)
	writeJSON(w, http.StatusOK, resp)
}
