package model_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// smallModel knows ups|ground between the regions US1 and US9: bias 24 h,
// residuals spread evenly from -0.9 at 5% to +0.9 at 95%.
func smallModel() *model.Model {
	q := make([]float64, len(model.ResidualLevels))
	for i, l := range model.ResidualLevels {
		q[i] = (l - 0.5) * 2
	}
	features := append(append([]string{"bias"}, model.CarrierServiceFeatures("ups|ground")...), "o:US1", "d:US9")
	coef := make([]float64, len(features))
	coef[0] = math.Log(25)
	return &model.Model{
		FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "small-1",
		Features: features,
		Lane: &model.Fit{TargetScale: 1, Coef: coef,
			LaneOffsets: map[string]float64{"ups|ground|US>US": 0.01},
			Residuals:   map[string][]float64{"*": q}},
	}
}

// encode is an artifact of m, with its checksum, as Save writes it.
func encode(t *testing.T, m *model.Model) []byte {
	t.Helper()
	path := t.TempDir() + "/m.json"
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRefusesNonFinite(t *testing.T) {
	// JSON has no NaN: an artifact gets one only through a number too large
	// for a float64, or a prediction that overflows.
	for _, tc := range []struct {
		name string
		edit func(m *model.Model)
		want string
	}{
		{"fine", func(m *model.Model) {}, ""},
		{"overflowing coefficient", func(m *model.Model) { m.Lane.Coef[0] = 1e300 }, "prediction"},
		{"overflowing residual", func(m *model.Model) { m.Lane.Residuals["*"][18] = 1e300 }, "prediction"},
		{"overflowing offset", func(m *model.Model) { m.Lane.LaneOffsets["ups|ground|US>US"] = 800 }, "offset"},
		{"overflow together", func(m *model.Model) { m.Lane.Coef[0], m.Lane.Coef[1] = 400, 400 }, "prediction"},
		{"area pair beyond any transit", func(m *model.Model) { m.Pairs = model.AreaPairs{"*|US>US": 1e200} }, "area pair"},
		{"negative label delay", func(m *model.Model) { m.LabelDelay = model.LabelDelay{"ups": {3: -1}} }, "label delay"},
		{"area pairs and lane days", func(m *model.Model) {
			m.Pairs = model.AreaPairs{"*|US>US": 0.2}
			m.LaneDays = model.LaneDays{"ups|ground": {1, 0.5, 0, 1}}
			m.LabelDelay = model.LabelDelay{"": {17: 1}}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := smallModel()
			tc.edit(m)
			_, err := model.Decode(encode(t, m))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused a fine model: %v", err)
			case tc.want != "" && (err == nil || !errors.Is(err, model.ErrBadArtifact) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want a bad artifact about %q", err, tc.want)
			}
		})
	}
}

// A value JSON can only spell as out of range is refused by the decoder;
// one that is spelled as a number but is not finite on reading is too.
func TestDecodeRefusesNonFiniteNumbers(t *testing.T) {
	m := smallModel()
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"residual", `"residual_quantiles":{"*":[-0.9`, `"residual_quantiles":{"*":[-1e999`},
		{"coefficient", `"coef":[3.2`, `"coef":[1e999`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := strings.Replace(string(body), tc.from, tc.to, 1)
			if b == string(body) {
				t.Fatalf("%q not in the artifact", tc.from)
			}
			art, err := model.ArtifactOf([]byte(b))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := model.Decode(art); !errors.Is(err, model.ErrBadArtifact) {
				t.Fatalf("err = %v, want a bad artifact", err)
			}
		})
	}
}

func TestQuantiles(t *testing.T) {
	m, err := model.Decode(encode(t, smallModel()))
	if err != nil {
		t.Fatal(err)
	}
	s := model.Snapshot{Carrier: "ups", Service: "ground", Status: schemas.StatusInfoReceived,
		At: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC), Scans: 1}
	levels := []float64{0.10, 0.50, 0.75, 0.85, 0.90, 0.95, 0.97, 0.99}
	out := make([]float64, len(levels))
	m.Quantiles(s, levels, out)
	p := m.Predict(s)
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"p10", out[0], p.P10}, {"p50", out[1], p.P50}, {"p90", out[4], p.P90}, {"p95", out[5], p.P95},
		// Between levels: the residual at 0.75 is +0.5 on the log scale.
		{"p75", out[2], 25*math.Exp(0.5) - 1},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %g, want %g", tc.name, tc.got, tc.want)
		}
	}
	for i := 1; i < len(out); i++ {
		if out[i] < out[i-1] {
			t.Errorf("level %g: %g below level %g's %g", levels[i], out[i], levels[i-1], out[i-1])
		}
	}
	if !(out[6] > out[5] && out[7] > out[6]) || math.IsInf(out[7], 0) {
		t.Errorf("tail beyond p95 not extended: %v", out)
	}
}

func TestBusinessDays(t *testing.T) {
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // the day before Thanksgiving
	for _, tc := range []struct {
		country  string
		from, to time.Time
		want     int
	}{
		{"US", wed, wed.Add(2 * time.Hour), 0},
		{"US", wed, wed.AddDate(0, 0, 1), 0},                    // Thanksgiving
		{"US", wed, wed.AddDate(0, 0, 2), 1},                    // Friday
		{"US", wed, wed.AddDate(0, 0, 5), 2},                    // Monday
		{"BR", wed, wed.AddDate(0, 0, 1), 1},                    // no Thanksgiving in Brazil
		{"ZZ", wed, wed.AddDate(0, 0, 7), 5},                    // no calendar: Monday to Friday
		{"US", wed, wed.AddDate(0, 0, -3), 0},                   // backwards
		{"?", wed, wed.Add(24 * time.Hour), 1},                  // no country
		{"US", wed.AddDate(0, 0, 31), wed.AddDate(0, 0, 32), 0}, // Christmas Day
	} {
		if got := model.BusinessDays(tc.country, tc.from, tc.to); got != tc.want {
			t.Errorf("%s %s → %s: %d, want %d", tc.country, tc.from.Format(time.DateOnly), tc.to.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestCoverage(t *testing.T) {
	m, err := model.Decode(encode(t, smallModel()))
	if err != nil {
		t.Fatal(err)
	}
	us := func(zip string) schemas.Location { return schemas.Location{PostalCode: zip, Country: "US"} }
	for _, tc := range []struct {
		name             string
		carrier, service string
		o, d             schemas.Location
		level            model.LaneLevel
		known            bool
	}{
		{"known areas, country lane", "ups", "ground", us("10001"), us("94103"), model.LevelCountryLane, true},
		{"unknown area", "ups", "ground", us("10001"), us("30301"), model.LevelCountryLane, false},
		{"unknown service", "ups", "express", us("10001"), us("94103"), model.LevelCarrier, false},
		{"unknown carrier", "acme", "ground", us("10001"), us("94103"), model.LevelGlobal, false},
		{"unknown country", "ups", "ground", us("10001"), schemas.Location{Country: "FR"}, model.LevelCarrierService, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, d := model.Areas(tc.o), model.Areas(tc.d)
			c := m.Coverage(model.Snapshot{Carrier: tc.carrier, Service: tc.service,
				OriginArea: model.Area(tc.o), DestArea: model.Area(tc.d), OriginAreas: o, DestAreas: d})
			if c.Level != tc.level || c.Known() != tc.known {
				t.Errorf("coverage %+v (%s), want %s known=%v", c, c.Level, tc.level, tc.known)
			}
		})
	}
}
