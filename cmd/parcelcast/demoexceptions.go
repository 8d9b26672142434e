package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/predict/exceptions"
)

// demoScanner is the exception scanner with serve's defaults, storing in
// the demo's database and publishing on its broker.
func demoScanner(ctx context.Context, conn *chstore.DB, brokers []string, reg prometheus.Registerer, log *slog.Logger) (*exceptions.Scanner, func(), error) {
	fs := flag.NewFlagSet("demo-exceptions", flag.ContinueOnError)
	ef := addExceptionFlags(fs)
	if err := fs.Parse(nil); err != nil {
		return nil, nil, err
	}
	if err := localenv.EnsureTopics(ctx, brokers, 4, ef.topic); err != nil {
		return nil, nil, err
	}
	return ef.newScanner(ctx, conn, brokers, reg, log)
}

// showExceptions checks every shipment held once, writes what opened,
// and shows the open exceptions by type, one of them as the API lists it,
// and the tracking page of its shipment. It returns that shipment's
// number ("" when nothing is open).
func showExceptions(ctx context.Context, out io.Writer, base string, sc *exceptions.Scanner) (string, error) {
	sc.Sweep(time.Now())
	if err := sc.Flush(ctx); err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var page struct {
		Exceptions []struct {
			Type           string `json:"type"`
			TrackingNumber string `json:"tracking_number"`
			Carrier        string `json:"carrier"`
			Reason         string `json:"reason"`
		} `json:"exceptions"`
		NextCursor string `json:"next_cursor"`
	}
	byType := map[string]int{}
	var first string
	cursor := ""
	for range 50 { // a few thousand shipments: a few pages
		q := url.Values{"state": {"open"}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/exceptions?"+q.Encode(), nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		page.Exceptions, page.NextCursor = nil, ""
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			return "", fmt.Errorf("GET /v1/exceptions: HTTP %d: %v", resp.StatusCode, err)
		}
		for _, e := range page.Exceptions {
			byType[e.Type]++
			if first == "" && e.Type == "stalled" {
				first = e.TrackingNumber
				fmt.Fprintf(out, "\nGET /v1/exceptions?state=open   (one of them)\n      { \"type\": %q, \"carrier\": %q, \"tracking_number\": %q,\n        \"reason\": %q, … }\n      its tracking page: %s/track/%s\n",
					e.Type, e.Carrier, e.TrackingNumber, e.Reason, base, e.TrackingNumber)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		parts = append(parts, fmt.Sprintf("%s %d", t, byType[t]))
	}
	fmt.Fprintf(out, "      open exceptions: %s\n", strings.Join(parts, ", "))
	return first, nil
}
