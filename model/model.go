package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// FormatVersion is the artifact layout this build reads and writes.
const FormatVersion = 1

// Quantiles of the log-scale residuals on the calibration slice.
type Quantiles struct {
	P10 float64 `json:"p10"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P95 float64 `json:"p95"`
}

// Window is the time split a model was trained and tested on.
type Window struct {
	TrainFrom time.Time `json:"train_from"`
	TrainTo   time.Time `json:"train_to"` // also the calibration start
	CalibTo   time.Time `json:"calibrate_to"`
	TestTo    time.Time `json:"test_to"`
}

// Metrics are the backtest results on the held-back test slice.
type Metrics struct {
	TrainRows        int                `json:"train_rows"`
	CalibRows        int                `json:"calibration_rows"`
	TestRows         int                `json:"test_rows"`
	TestShipments    int                `json:"test_shipments"`
	MAEHours         float64            `json:"mae_hours"`
	BaselineMAEHours float64            `json:"baseline_mae_hours"`
	Coverage80       float64            `json:"coverage_p10_p90"`
	P95OnTime        float64            `json:"p95_on_time"`
	MAEByCarrier     map[string]float64 `json:"mae_hours_by_carrier"`
}

// Model is a trained ETA model: what an artifact file holds.
type Model struct {
	FormatVersion   int                `json:"format_version"`
	FeatureSchema   string             `json:"feature_schema"`
	Version         string             `json:"version"`
	TrainedAt       time.Time          `json:"trained_at"`
	Lambda          float64            `json:"lambda"`
	Window          Window             `json:"window"`
	Features        []string           `json:"features"`
	Coef            []float64          `json:"coef"`
	Residuals       Quantiles          `json:"residual_quantiles"`
	LaneMedianHours map[string]float64 `json:"lane_median_hours"`
	Metrics         Metrics            `json:"metrics"`

	enc *Encoder
}

// Prediction is hours from the snapshot time to delivery.
type Prediction struct {
	P10, P50, P90, P95 float64
}

// Predict estimates the hours to delivery from snapshot s. It is safe for
// concurrent use on a model from Train or Load.
func (m *Model) Predict(s Snapshot) Prediction {
	x := make([]float64, m.enc.Len())
	m.enc.Encode(s, x)
	return m.predictFeatures(x)
}

// predictFeatures is Predict on an encoded feature vector.
func (m *Model) predictFeatures(x []float64) Prediction {
	y := dot(x, m.Coef)
	return Prediction{
		P10: targetHours(y + m.Residuals.P10),
		P50: targetHours(y + m.Residuals.P50),
		P90: targetHours(y + m.Residuals.P90),
		P95: targetHours(y + m.Residuals.P95),
	}
}

// envelope is the artifact file: the model's JSON and its checksum.
type envelope struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	SHA256        string          `json:"sha256"`
	Model         json.RawMessage `json:"model"`
}

const formatName = "parcelcast-eta-model"

// Save writes the model to path atomically (temp file, then rename) and
// returns the artifact's checksum.
func (m *Model) Save(path string) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode model: %w", err)
	}
	sum := sha256.Sum256(body)
	env := envelope{Format: formatName, FormatVersion: FormatVersion, SHA256: hex.EncodeToString(sum[:]), Model: body}
	out, err := json.Marshal(env)
	if err != nil {
		return "", fmt.Errorf("encode artifact: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("artifact dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*.tmp")
	if err != nil {
		return "", fmt.Errorf("write artifact: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write artifact: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write artifact: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("write artifact: %w", err)
	}
	return env.SHA256, nil
}

// ErrBadArtifact is wrapped by every Load error about the file's content.
var ErrBadArtifact = errors.New("bad model artifact")

// Load reads and checks an artifact: format, checksum, feature schema and
// coefficients. It refuses anything it cannot serve correctly.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return Decode(b)
}

// Decode is Load on bytes.
func Decode(b []byte) (*Model, error) {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("%w: not a model file: %v", ErrBadArtifact, err)
	}
	if env.Format != formatName {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrBadArtifact, env.Format, formatName)
	}
	if env.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrBadArtifact, env.FormatVersion, FormatVersion)
	}
	sum := sha256.Sum256(env.Model)
	if hex.EncodeToString(sum[:]) != env.SHA256 {
		return nil, fmt.Errorf("%w: checksum mismatch (file corrupt)", ErrBadArtifact)
	}
	var m Model
	if err := json.Unmarshal(env.Model, &m); err != nil {
		return nil, fmt.Errorf("%w: decode model: %v", ErrBadArtifact, err)
	}
	if m.FeatureSchema != FeatureSchema() {
		return nil, fmt.Errorf("%w: feature schema %s, this build uses %s (retrain)", ErrBadArtifact, m.FeatureSchema, FeatureSchema())
	}
	if len(m.Coef) != len(m.Features) || len(m.Features) == 0 {
		return nil, fmt.Errorf("%w: %d coefficients for %d features", ErrBadArtifact, len(m.Coef), len(m.Features))
	}
	for i, c := range m.Coef {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return nil, fmt.Errorf("%w: coefficient %d (%s) is %v", ErrBadArtifact, i, m.Features[i], c)
		}
	}
	m.enc = NewEncoder(m.Features)
	return &m, nil
}
