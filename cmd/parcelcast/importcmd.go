package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parcelcast/parcelcast/ingest/importer"
	"github.com/parcelcast/parcelcast/internal/chstore"
)

func runImport(ctx context.Context, args []string) error {
	fs := newFlagSet("import", "Load historical shipments into ClickHouse from CSV (a header row of the column names) or JSON Lines "+
		"(one object per line, optionally with its scans), so a model can train on them before any feed is connected. "+
		"Bad rows are reported with their line and skipped; good rows load. Exits 1 when any row was rejected. "+
		"Columns: "+strings.Join(importer.Columns, ", ")+" (JSON Lines also: scans). See docs/import.md.\n\n"+
		"  parcelcast import history.csv\n  parcelcast import -format jsonl - < shipments.ndjson")
	ch := clickhouseFlags(fs)
	format := fs.String("format", "", "csv or jsonl (default: by file name, .csv is CSV, anything else JSON Lines)")
	batch := fs.Int("batch-size", 10000, "scan events per ClickHouse insert")
	newLog := logFlags(fs)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "parcelcast import: name at least one FILE (- for standard input)")
		return errUsage
	}
	log := newLog()
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	w := chstore.NewScanWriter(conn)
	rejected := 0
	for _, name := range fs.Args() {
		rep, err := importFile(ctx, name, importer.Format(*format), w, *batch, os.Stderr)
		if err != nil {
			return err
		}
		rejected += rep.Rejected
		log.Info("imported", "file", name, "rows", rep.Rows, "loaded", rep.Loaded, "rejected", rep.Rejected, "events", rep.Events)
		fmt.Printf("%s: %d rows, %d loaded (%d scan events), %d rejected\n", name, rep.Rows, rep.Loaded, rep.Events, rep.Rejected)
	}
	if rejected > 0 {
		return errInvalid
	}
	return nil
}

// importFile imports one file (or standard input for "-") and writes its
// rejected rows to errOut.
func importFile(ctx context.Context, name string, format importer.Format, w importer.Writer, batch int, errOut io.Writer) (importer.Report, error) {
	in := io.Reader(os.Stdin)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return importer.Report{}, err
		}
		defer f.Close()
		in = f
	}
	if format == "" {
		format = importer.FormatOf(name)
	}
	rep, err := importer.Import(ctx, in, format, w, importer.Options{Source: filepath.Base(name), BatchSize: batch})
	for _, e := range rep.Errors {
		fmt.Fprintf(errOut, "%s:%d: %s\n", name, e.Line, strings.ReplaceAll(e.Err.Error(), "\n", "; "))
	}
	if rep.Rejected > len(rep.Errors) {
		fmt.Fprintf(errOut, "%s: %d more rejected rows not shown\n", name, rep.Rejected-len(rep.Errors))
	}
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}
