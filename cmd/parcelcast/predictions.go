package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// predictionColumns are the predictions file's columns, in order: CSV's
// header and JSON Lines' keys. docs/model.md describes them.
var predictionColumns = []string{"tracking_number", "carrier", "service", "status", "snapshot_time", "actual_hours_left",
	"p10_hours", "p50_hours", "p90_hours", "p95_hours", "promised_delivery",
	"origin_country", "origin_region", "origin_postal_prefix", "destination_country", "destination_region", "destination_postal_prefix"}

// predictionFile writes the backtest's predictions for analysts: CSV, or
// JSON Lines when the file's name ends in .jsonl, .ndjson or .json.
type predictionFile struct {
	path  string
	f     *os.File
	buf   *bufio.Writer
	csv   *csv.Writer // nil for JSON Lines
	rec   []string
	json  *json.Encoder
	lines map[string]any
}

func createPredictionFile(path string) (*predictionFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("predictions file: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("predictions file: %w", err)
	}
	p := &predictionFile{path: path, f: f, buf: bufio.NewWriter(f), rec: make([]string, len(predictionColumns))}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson", ".json":
		p.json, p.lines = json.NewEncoder(p.buf), make(map[string]any, len(predictionColumns))
	default:
		p.csv = csv.NewWriter(p.buf)
		if err := p.csv.Write(predictionColumns); err != nil {
			f.Close()
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return p, nil
}

// WritePrediction writes one row.
func (p *predictionFile) WritePrediction(tp *model.TestPrediction) error {
	hours := func(h float64) string { return strconv.FormatFloat(h, 'f', 2, 64) }
	promised := ""
	if !tp.Promised.IsZero() {
		promised = tp.Promised.UTC().Format(time.RFC3339)
	}
	vals := [...]string{tp.TrackingNumber, tp.Carrier, tp.Service, tp.Status, tp.At.UTC().Format(time.RFC3339), hours(tp.HoursLeft),
		hours(tp.P10), hours(tp.P50), hours(tp.P90), hours(tp.P95), promised,
		tp.OriginAreas[0], tp.OriginAreas[1], tp.OriginAreas[2], tp.DestAreas[0], tp.DestAreas[1], tp.DestAreas[2]}
	var err error
	if p.csv != nil {
		copy(p.rec, vals[:])
		err = p.csv.Write(p.rec)
	} else {
		for i, c := range predictionColumns {
			switch {
			case strings.HasSuffix(c, "_hours") || c == "actual_hours_left":
				p.lines[c] = json.Number(vals[i])
			case vals[i] == "" && c == "promised_delivery":
				p.lines[c] = nil
			default:
				p.lines[c] = vals[i]
			}
		}
		err = p.json.Encode(p.lines)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (p *predictionFile) Close() error {
	if p.csv != nil {
		p.csv.Flush()
		if err := p.csv.Error(); err != nil {
			p.f.Close()
			return fmt.Errorf("write %s: %w", p.path, err)
		}
	}
	if err := p.buf.Flush(); err != nil {
		p.f.Close()
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	return nil
}

var _ model.PredictionWriter = (*predictionFile)(nil)
