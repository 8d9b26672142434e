package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// TestExceptionFlagsRefused: serve refuses detection settings out of
// range before it touches the database.
func TestExceptionFlagsRefused(t *testing.T) {
	cases := map[string]string{
		"--stall-quantile=1":       "--stall-quantile",
		"--stall-out-quantile=0":   "--stall-out-quantile",
		"--stall-out-quantile=1.5": "--stall-out-quantile",
		"--late-quantile=0":        "--late-quantile",
		"--late-quantile=1":        "--late-quantile",
	}
	for arg, want := range cases {
		t.Run(arg, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			f := addExceptionFlags(fs)
			if err := fs.Parse([]string{arg}); err != nil {
				t.Fatal(err)
			}
			_, _, err := f.newScanner(context.Background(), nil, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one naming %s", err, want)
			}
		})
	}
}
