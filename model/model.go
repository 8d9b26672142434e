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

	"github.com/parcelcast/parcelcast/schemas"
)

// FormatVersion is the artifact layout this build reads and writes.
const FormatVersion = 3

// ResidualLevels are the quantile levels of the residuals (on a fit's
// target scale) a model keeps per segment; p10, p50, p90 and p95 are among
// them. The levels above 0.95 are for promises of a higher on-time rate
// (PromiseTargets).
var ResidualLevels = [23]float64{0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50,
	0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.96, 0.97, 0.98, 0.99}

const (
	levelP10 = 1
	levelP50 = 9
	levelP90 = 17
	levelP95 = 18
)

// Window is the time split a model was trained and tested on.
type Window struct {
	TrainFrom time.Time `json:"train_from"`
	TrainTo   time.Time `json:"train_to"` // also the calibration start
	CalibTo   time.Time `json:"calibrate_to"`
	TestTo    time.Time `json:"test_to"`
}

// LambdaScore is one ridge penalty and target scale tried, scored on the
// calibration slice.
type LambdaScore struct {
	Fit         string  `json:"fit"` // lane or promise
	Lambda      float64 `json:"lambda"`
	TargetScale float64 `json:"target_scale_hours"`
	// HalfLifeDays is the time decay of the training rows' weights; 0
	// is none.
	HalfLifeDays float64 `json:"half_life_days"`
	// LaneDate is set for a candidate fitted with the area pairs and the
	// lane date (Model.Pairs, Model.LaneDays).
	LaneDate bool    `json:"lane_date,omitempty"`
	MAEHours float64 `json:"calibration_mae_hours"`
}

// Metrics are the backtest results on the held-back test slice.
type Metrics struct {
	TrainRows int `json:"train_rows"`
	CalibRows int `json:"calibration_rows"`
	// CalibSeenShare is the share of the calibration slice's snapshots,
	// delivered and in flight at the cut-off, whose delivery the
	// censoring weights account for: below 1 when the slice is too short
	// to show its slowest deliveries (docs/model.md, Interval).
	CalibSeenShare float64 `json:"calibration_seen_share"`
	TestRows       int     `json:"test_rows"`
	TestShipments  int     `json:"test_shipments"`

	Lambdas []LambdaScore `json:"lambdas"`
	Overall Score         `json:"overall"`
	// WithoutPromise scores the same test snapshots with the carrier's
	// promise hidden: the lane fit, as pre-shipment estimates see it.
	WithoutPromise Score              `json:"without_promise"`
	ByCarrier      map[string]Score   `json:"by_carrier"`
	ByService      map[string]Score   `json:"by_service"`
	ByDaysToGo     map[string]Score   `json:"by_days_to_go"`
	Calibration    []CalibrationPoint `json:"calibration"`
	Errors         ErrorHistogram     `json:"errors"`
	// Promises is the commits' late rate against their slack at each
	// on-time target, scored at each test shipment's first snapshot,
	// beside the history's own promise.
	Promises PromiseCurve `json:"promises"`

	// The headline figures, also in model_runs.
	MAEHours         float64 `json:"mae_hours"`
	BaselineMAEHours float64 `json:"baseline_mae_hours"` // lane median
	Coverage80       float64 `json:"coverage_p10_p90"`
	P95OnTime        float64 `json:"p95_on_time"`

	// DayWindow is the delivery-day window's coverage on the test slice.
	DayWindow DayWindowMetrics `json:"day_window"`
}

// Dwell is the distribution of the time a carrier leaves a parcel in one
// status before its next scan: what tells a stalled parcel from a normal one.
type Dwell struct {
	N        int     `json:"n"`
	P50Hours float64 `json:"p50_hours"`
	P90Hours float64 `json:"p90_hours"`
	P99Hours float64 `json:"p99_hours"`
	// P999Hours is 0 in an artifact trained before it was kept.
	P999Hours float64 `json:"p999_hours,omitempty"`
}

// Fit is one set of coefficients with its lane offsets and interval.
type Fit struct {
	Rows   int     `json:"rows"`
	Lambda float64 `json:"lambda"`
	// TargetScale c (hours) is the scale the fit predicts on:
	// log(1 + hours/c). The calibration slice chooses it with the penalty.
	TargetScale float64 `json:"target_scale_hours"`
	// HalfLifeDays is the time decay the fit was trained with: a
	// snapshot weighed exp(−age/half-life·ln 2), age from its journey's
	// first scan to the end of the train slice or to the same day a year
	// before it, whichever is nearer (decayWeight); 0 is no decay. The
	// calibration slice chooses it with the penalty.
	HalfLifeDays float64 `json:"half_life_days"`
	// LaneDate is set when the fit reads the area pairs and the lane date;
	// the calibration slice chose it over the same fit without them, whose
	// coefficients of those features are 0.
	LaneDate bool `json:"lane_date,omitempty"`
	// Robust is set when the coefficients are the least absolute
	// deviations refit's (robustpass.go), which the calibration slice
	// chose over the least-squares fit's.
	Robust bool      `json:"robust,omitempty"`
	Coef   []float64 `json:"coef"`
	// LaneOffsets are empirical-Bayes shrunk mean residuals per
	// carrier|service|origin>destination lane at each area level
	// (country, region, postal prefix), each shrunk toward the level
	// above; the finest one a snapshot's lane has is added to the linear
	// part.
	LaneOffsets map[string]float64 `json:"lane_offsets"`
	// Residuals are the residual quantiles (on the target scale) at
	// ResidualLevels on the calibration slice, per segment (see
	// segmentKeys).
	Residuals map[string][]float64 `json:"residual_quantiles"`
	// PromiseResiduals are the residual quantiles of the calibration
	// slice's first snapshots (the order's, when its promise is made), per
	// carrier|service, carrier and all ("*"): the commit of an on-time
	// target (PromiseTargets) is the estimate shifted by one of them.
	PromiseResiduals map[string][]float64 `json:"promise_residual_quantiles,omitempty"`
	// PeakSpread scales the residual quantiles in peak season: how much
	// wider the train slice's peak residuals were than the others'.
	PeakSpread float64 `json:"peak_spread"`
	// CommitLevel is the level of the calibration residuals the served
	// commit (Prediction.P95) is read at, and PromiseCommitLevel the same
	// of the first snapshots' (the promise's segments): the least level
	// at which, replayed on the train slice, a calibration-length span's
	// quantile held the promise target over the test-length span after it
	// (commitLevel). 0 when the train slice was too short to replay one.
	CommitLevel        float64 `json:"commit_level,omitempty"`
	PromiseCommitLevel float64 `json:"promise_commit_level,omitempty"`
	// Commits are the residual quantile at CommitLevel per segment of
	// Residuals, PromiseCommits the one at PromiseCommitLevel per
	// segment of PromiseResiduals; absent, the commit is the interval's
	// level at the promise target.
	Commits        map[string]float64 `json:"commit_quantiles,omitempty"`
	PromiseCommits map[string]float64 `json:"promise_commit_quantiles,omitempty"`
	// DriftSpread is the drift margin the residual quantiles are widened
	// by: the standard deviation, on the target scale, of a week's shift
	// in mean residual from the calibration-length span before it,
	// measured on the train slice (laneStats.driftSpread).
	DriftSpread float64 `json:"drift_spread"`
}

// Model is a trained ETA model: what an artifact file holds.
type Model struct {
	FormatVersion int       `json:"format_version"`
	FeatureSchema string    `json:"feature_schema"`
	Version       string    `json:"version"`
	TrainedAt     time.Time `json:"trained_at"`
	Window        Window    `json:"window"`
	Features      []string  `json:"features"`
	// Promise serves snapshots that carry the carrier's promised date;
	// Lane serves the others and pre-shipment estimates. Both are fitted on
	// the same shipments, Lane with their promises hidden.
	Promise   *Fit      `json:"promise_fit,omitempty"`
	Lane      *Fit      `json:"lane_fit"`
	Baselines Baselines `json:"baselines"`
	// Dwell is keyed by carrier|status.
	Dwell map[string]Dwell `json:"dwell"`
	// DwellLegs is the dwell per leg, in working hours, keyed as
	// DwellLegKeys; OutForDelivery how long before their promise on-time
	// parcels went out for delivery, by carrier|service and carrier|*.
	// Both are nil in an artifact trained before them (see DwellAt).
	DwellLegs      map[string]Dwell `json:"dwell_legs,omitempty"`
	OutForDelivery map[string]Lead  `json:"out_for_delivery_lead,omitempty"`
	// PromiseSpread is, by destination region, how much wider its
	// transit times spread than all of them on the train slice: the
	// promise residuals are scaled by it (a normalized conformal score),
	// so a commit is tighter where transit is steadier. A region without
	// one is 1.
	PromiseSpread map[string]float64 `json:"promise_spread,omitempty"`
	// PromiseTarget is the on-time rate the model's commit is calibrated
	// for (TrainConfig.PromiseTarget).
	PromiseTarget float64 `json:"promise_target"`
	// Peaks is the peak season learned from the train slice (PeakWeeks).
	Peaks PeakWeeks `json:"peak_weeks,omitempty"`
	// Pairs is how much slower each area pair is than its carrier's
	// service, learned from the train slice (AreaPairs); absent from an
	// artifact trained before it, whose features do not read it.
	Pairs AreaPairs `json:"area_pairs,omitempty"`
	// LaneDays is each carrier×service's working days in its area pair's
	// excess (LaneDays); absent from an artifact trained before it.
	LaneDays LaneDays `json:"lane_days,omitempty"`
	// LabelDelay dates a label not yet picked up (LabelDelay).
	LabelDelay LabelDelay `json:"label_delay,omitempty"`
	// DayWindows is the delivery-day window (DayWindow); nil in an
	// artifact trained before it.
	DayWindows *DayWindows `json:"day_windows,omitempty"`
	// Ranges bound the features of a served snapshot (FeatureRanges); nil
	// in an artifact trained before them, which serves unbounded.
	Ranges  *FeatureRanges `json:"feature_ranges,omitempty"`
	Metrics Metrics        `json:"metrics"`

	enc *Encoder
}

// Prediction is hours from the snapshot time to delivery: the p10–p90
// interval, the estimate (p50) and the commit (P95), a time calibrated to
// be met at the model's promise target (PromiseTarget, 95% unless told
// otherwise) on the weeks after the cut-off (Fit.CommitLevel).
type Prediction struct {
	P10, P50, P90, P95 float64
}

// predictionAt is the prediction of levels (hours at ResidualLevels) with
// the commit (hours).
func predictionAt(levels []float64, commit float64) Prediction {
	return Prediction{P10: levels[levelP10], P50: levels[levelP50], P90: levels[levelP90], P95: commit}
}

// Predict estimates the hours to delivery from snapshot s. It is safe for
// concurrent use on a model from Train or Load.
func (m *Model) Predict(s Snapshot) Prediction {
	var row Row
	var levels [len(ResidualLevels)]float64
	commit := m.predict(&s, &row, levels[:])
	return predictionAt(levels[:], commit)
}

// fitKind names one of a model's two fits.
type fitKind int

const (
	laneFit    fitKind = iota // Model.Lane
	promiseFit                // Model.Promise
	fitKinds                  // how many fits there are
)

// String is the fit's name in metrics and logs.
func (k fitKind) String() string { return [fitKinds]string{"lane", "promise"}[k] }

// perFit holds one value for each fit, indexed by fitKind.
type perFit[T any] [fitKinds]T

// kindOf is which of m's fits f is.
func (m *Model) kindOf(f *Fit) fitKind {
	if f == m.Lane {
		return laneFit
	}
	return promiseFit
}

// fitFor picks the fit that serves s.
func (m *Model) fitFor(s *Snapshot) *Fit {
	if !s.Promised.IsZero() && m.Promise != nil {
		return m.Promise
	}
	return m.Lane
}

// predict writes the hours to delivery at every residual level into out
// and returns the commit's.
func (m *Model) predict(s *Snapshot, row *Row, out []float64) float64 {
	m.enc.Encode(s, row)
	f := m.fitFor(s)
	keys := laneKeysOfSnapshot(s)
	y, sg := f.predictLog(row, &keys, s, nil, out)
	commit := m.commitLog(f, y, s, sg, out)
	for i, y := range out {
		out[i] = fromTarget(y, f.TargetScale)
	}
	return fromTarget(commit, f.TargetScale)
}

// predictLog writes the estimate on the target scale at every residual
// level of an encoded row into out, with the lane key and the residuals
// from the caller's caches (seg, f's own, may be nil). It returns the
// point estimate and the residual segment the levels came from.
func (f *Fit) predictLog(row *Row, lane *laneKeys, s *Snapshot, seg segCache, out []float64) (float64, segment) {
	y := row.Dot(f.Coef) + offsetOf(f.LaneOffsets, lane)
	sg, scale := seg.segment(f, s.Carrier, s.Service, s.Status, fromTarget(y, f.TargetScale)), f.scale(s)
	for i := range out {
		out[i] = y + sg.q[i]*scale
	}
	return y, sg
}

// commitLog is the commit on f's target scale of a snapshot whose point
// estimate is y, its residual segment sg and its levels (on the target
// scale, from predictLog): a first snapshot's from the promise segments
// (scaled by the region's spread), a later one's from the interval's
// segment, never before the p90; for a fit without commits (an artifact
// from before them), the levels at the promise target.
func (m *Model) commitLog(f *Fit, y float64, s *Snapshot, sg segment, levels []float64) float64 {
	c, ok, scale := sg.commit, sg.hasCommit, f.scale(s)
	if s.Scans == 1 {
		if pc, pok := f.promiseCommit(s.Carrier, s.Service); pok {
			c, ok, scale = pc, true, scale*m.promiseScale(s)
		}
	}
	if !ok {
		return levelAt(levels, m.target())
	}
	return math.Max(y+c*scale, levels[levelP90])
}

// target is the on-time rate the commit is calibrated for.
func (m *Model) target() float64 {
	if m.PromiseTarget == 0 { // an artifact from before promise targets
		return DefaultPromiseTarget
	}
	return m.PromiseTarget
}

// promiseScale is the promise residuals' scale at s (PromiseSpread).
func (m *Model) promiseScale(s *Snapshot) float64 {
	if v, ok := m.PromiseSpread[s.DestAreas[areaRegion]]; ok && v > 0 {
		return v
	}
	return 1
}

// scale is the spread of the interval at s: PeakSpread in peak season.
func (f *Fit) scale(s *Snapshot) float64 {
	if f.PeakSpread > 1 && s.inPeak() {
		return f.PeakSpread
	}
	return 1
}

// segment picks the most specific segment with calibration data.
func (f *Fit) segment(keys *[segmentLevels]string) segment {
	for _, k := range keys {
		if q, ok := f.Residuals[k]; ok {
			c, has := f.Commits[k]
			return segment{q: q, commit: c, hasCommit: has}
		}
	}
	c, has := f.Commits["*"]
	return segment{q: f.Residuals["*"], commit: c, hasCommit: has}
}

// check refuses a fit that cannot serve p features.
func (f *Fit) check(name string, features []string) error {
	if len(f.Coef) != len(features) {
		return fmt.Errorf("%w: %s fit has %d coefficients for %d features", ErrBadArtifact, name, len(f.Coef), len(features))
	}
	for i, c := range f.Coef {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return fmt.Errorf("%w: %s fit coefficient %d (%s) is %v", ErrBadArtifact, name, i, features[i], c)
		}
	}
	if !(f.TargetScale > 0) {
		return fmt.Errorf("%w: %s fit has target scale %v, want > 0", ErrBadArtifact, name, f.TargetScale)
	}
	if _, ok := f.Residuals["*"]; !ok {
		return fmt.Errorf("%w: %s fit has no residual quantiles", ErrBadArtifact, name)
	}
	for _, cs := range []map[string]float64{f.Commits, f.PromiseCommits} {
		for k, c := range cs {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				return fmt.Errorf("%w: %s fit commit of segment %q is %v", ErrBadArtifact, name, k, c)
			}
		}
	}
	for _, rs := range []map[string][]float64{f.Residuals, f.PromiseResiduals} {
		for k, q := range rs {
			if len(q) != len(ResidualLevels) {
				return fmt.Errorf("%w: %s fit residual segment %q has %d levels, want %d", ErrBadArtifact, name, k, len(q), len(ResidualLevels))
			}
		}
	}
	return nil
}

// DwellFor returns the dwell statistics of a carrier and status.
func (m *Model) DwellFor(carrier string, st schemas.Status) (Dwell, bool) {
	d, ok := m.Dwell[carrier+"|"+string(st)]
	return d, ok
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

// Load reads and checks an artifact: format, checksum, feature schema,
// coefficients and that its predictions are finite. It refuses anything
// it cannot serve correctly.
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
	if len(m.Features) == 0 || m.Lane == nil {
		return nil, fmt.Errorf("%w: no features or no lane fit", ErrBadArtifact)
	}
	if err := m.Lane.check("lane", m.Features); err != nil {
		return nil, err
	}
	if m.Promise != nil {
		if err := m.Promise.check("promise", m.Features); err != nil {
			return nil, err
		}
	}
	if m.DayWindows != nil {
		if err := m.DayWindows.check(); err != nil {
			return nil, err
		}
	}
	if err := checkLayout(m.Features); err != nil {
		return nil, err
	}
	if m.Ranges != nil {
		if err := m.Ranges.check(m.Features); err != nil {
			return nil, err
		}
	}
	m.enc = NewEncoder(m.Features)
	m.enc.ranges = m.Ranges
	m.enc.peaks = m.Peaks
	m.enc.pairs, m.enc.laneDays, m.enc.labelDelay = m.Pairs, m.LaneDays, m.LabelDelay
	if err := m.checkFinite(); err != nil {
		return nil, err
	}
	return &m, nil
}
