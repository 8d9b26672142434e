package model

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// featureRules describes how features are built. A model artifact stores
// its hash; a loader with other rules refuses the artifact. Change the
// text whenever Encoder changes.
const featureRules = `v1: bias; cs:carrier|service; o:area; d:area; lane:o>d; st:status;
csst:carrier|service|status; wd:local weekday; hour sin/cos; log1p elapsed hours; log1p scans`

// FeatureSchema is the hash of the feature rules in this build.
func FeatureSchema() string {
	s := sha256.Sum256([]byte(featureRules))
	return "v1-" + hex.EncodeToString(s[:8])
}

// Numeric feature names.
const (
	fBias       = "bias"
	fElapsedLog = "elapsed_log"
	fScansLog   = "scans_log"
	fHourSin    = "hour_sin"
	fHourCos    = "hour_cos"
)

// Vocabulary lists the categories seen in training.
type Vocabulary struct {
	CarrierServices []string // "carrier|service"
	Areas           []string
	Lanes           []string // "o>d"
}

// featureNames lays out the feature vector for a vocabulary.
func featureNames(v Vocabulary) []string {
	names := []string{fBias, fElapsedLog, fScansLog, fHourSin, fHourCos}
	for _, cs := range v.CarrierServices {
		names = append(names, "cs:"+cs)
		for _, st := range schemas.Statuses {
			names = append(names, "csst:"+cs+"|"+string(st))
		}
	}
	for _, a := range v.Areas {
		names = append(names, "o:"+a, "d:"+a)
	}
	for _, l := range v.Lanes {
		names = append(names, "lane:"+l)
	}
	for _, st := range schemas.Statuses {
		names = append(names, "st:"+string(st))
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		names = append(names, "wd:"+strconv.Itoa(int(d)))
	}
	return names
}

// Encoder turns snapshots into feature vectors.
type Encoder struct {
	names []string
	index map[string]int
}

// NewEncoder returns an encoder for the given feature names.
func NewEncoder(names []string) *Encoder {
	idx := make(map[string]int, len(names))
	for i, n := range names {
		idx[n] = i
	}
	return &Encoder{names: names, index: idx}
}

// Len is the number of features.
func (e *Encoder) Len() int { return len(e.names) }

// Encode writes the features of s into x, which must have Len elements.
// Categories not seen in training contribute nothing.
func (e *Encoder) Encode(s Snapshot, x []float64) {
	clear(x)
	set := func(name string, v float64) {
		if i, ok := e.index[name]; ok {
			x[i] = v
		}
	}
	set(fBias, 1)
	set(fElapsedLog, math.Log1p(math.Max(s.ElapsedHours, 0)))
	set(fScansLog, math.Log1p(float64(s.Scans)))
	local := s.At.In(time.FixedZone("", s.OffsetMinutes*60))
	h := float64(local.Hour()) + float64(local.Minute())/60
	set(fHourSin, math.Sin(2*math.Pi*h/24))
	set(fHourCos, math.Cos(2*math.Pi*h/24))
	cs := s.Carrier + "|" + s.Service
	var b strings.Builder
	b.WriteString("csst:")
	b.WriteString(cs)
	b.WriteByte('|')
	b.WriteString(string(s.Status))
	set(b.String(), 1)
	set("cs:"+cs, 1)
	set("o:"+s.OriginArea, 1)
	set("d:"+s.DestArea, 1)
	set("lane:"+s.OriginArea+">"+s.DestArea, 1)
	set("st:"+string(s.Status), 1)
	set("wd:"+strconv.Itoa(int(local.Weekday())), 1)
}
