package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest/importer"
	"github.com/parcelcast/parcelcast/internal/chstore"
)

func runImport(ctx context.Context, args []string) error {
	fs := newFlagSet("import", "Load historical shipments into ClickHouse from CSV (a header row of the column names) or JSON Lines "+
		"(one object per line, optionally with its scans), so a model can train on them before any feed is connected. "+
		"Bad rows are reported with their line and skipped; good rows load. Exits 1 when any row was rejected. "+
		"Columns: "+strings.Join(importer.Columns, ", ")+" (JSON Lines also: scans); -map reads a file's own column names. "+
		"See docs/import.md.\n\n"+
		"  parcelcast import history.csv\n  parcelcast import -format jsonl - < shipments.ndjson\n"+
		"  parcelcast import -map order_id=tracking_number,shipped_at=ship_time -carrier acme -country BR orders.csv")
	ch := clickhouseFlags(fs)
	f := addImportFlags(fs)
	newLog := logFlags(fs)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "parcelcast import: name at least one FILE (- for standard input)")
		return errUsage
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	log := newLog()
	ctxOpen, cancel := context.WithTimeout(ctx, openTimeout)
	conn, err := chstore.OpenMigrated(ctxOpen, *ch)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close()
	w := chstore.NewScanWriter(conn)
	rejected := 0
	for _, name := range fs.Args() {
		rep, err := importFile(ctx, name, importer.Format(*f.format), w, opts, os.Stderr)
		if err != nil {
			return err
		}
		rejected += rep.Rejected
		log.Info("imported", "file", name, "rows", rep.Rows, "loaded", rep.Loaded, "rejected", rep.Rejected, "events", rep.Events)
		fmt.Printf("%s: %d rows, %d loaded (%d scan events), %d rejected\n", name, rep.Rows, rep.Loaded, rep.Events, rep.Rejected)
		if len(rep.Ignored) > 0 {
			fmt.Printf("%s: columns not read: %s\n", name, strings.Join(rep.Ignored, ", "))
		}
	}
	if rejected > 0 {
		return errInvalid
	}
	return nil
}

// openTimeout bounds connecting to ClickHouse, as openClickHouse does.
const openTimeout = 30 * time.Second

// importFlags are the import command's flags about the files.
type importFlags struct {
	format                    *string
	batch                     *int
	mapping                   *string
	carrier, service, country *string
}

func addImportFlags(fs *flag.FlagSet) *importFlags {
	return &importFlags{
		format: fs.String("format", "", "csv or jsonl (default: by file name, .csv is CSV, anything else JSON Lines)"),
		batch:  fs.Int("batch-size", importer.DefaultBatchSize, "scan events per ClickHouse insert"),
		mapping: fs.String("map", "", "the file's own column names: file_column=importer_column,... "+
			"(with a mapping, columns neither mapped nor the importer's own are not read)"),
		carrier: fs.String("carrier", "", "carrier of rows that have none (a file without a carrier column needs it)"),
		service: fs.String("service", "", "service of rows that have none"),
		country: fs.String("country", "", "origin and destination country of rows that have none (ISO 3166 code or English name)"),
	}
}

// options checks the flags and turns them into the importer's options.
func (f *importFlags) options() (importer.Options, error) {
	m, err := importer.ParseMapping(*f.mapping)
	if err != nil {
		return importer.Options{}, fmt.Errorf("-map: %w", err)
	}
	switch importer.Format(*f.format) {
	case "", importer.CSV, importer.JSONL:
	default:
		return importer.Options{}, fmt.Errorf("-format: %q is neither csv nor jsonl", *f.format)
	}
	if *f.batch <= 0 {
		return importer.Options{}, fmt.Errorf("-batch-size: %d is not a positive number", *f.batch)
	}
	return importer.Options{BatchSize: *f.batch, Map: m,
		Defaults: importer.Defaults{Carrier: *f.carrier, Service: *f.service, Country: *f.country}}, nil
}

// importFile imports one file (or standard input for "-") and writes its
// rejected rows to errOut. opts.Source is set from the name.
func importFile(ctx context.Context, name string, format importer.Format, w importer.Writer, opts importer.Options, errOut io.Writer) (importer.Report, error) {
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
	opts.Source = filepath.Base(name)
	rep, err := importer.Import(ctx, in, format, w, opts)
	for _, e := range rep.Errors {
		fmt.Fprintf(errOut, "%s:%d: %s\n", name, e.Line, strings.ReplaceAll(e.Err.Error(), "\n", "; "))
	}
	if rep.Rejected > len(rep.Errors) {
		fmt.Fprintf(errOut, "%s: %d more rejected rows not shown\n", name, rep.Rejected-len(rep.Errors))
	}
	if err != nil {
		if chstore.Missing(err) {
			err = fmt.Errorf("%w: %v", chstore.ErrNotMigrated, err)
		}
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}
