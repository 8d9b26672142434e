package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// errInvalid is returned when a command ran but its input was bad: the
// command printed what it found and exits with status 1.
var errInvalid = errors.New("invalid input")

func runParse(ctx context.Context, args []string) error {
	fs := newFlagSet("parse", "Print the canonical scan events of one carrier payload as JSON lines, the way ingest would store them. "+
		"Reads FILE, or standard input when FILE is - or absent. Exits 1, after printing the events it could read, when the payload has errors "+
		"or is the carrier's error reply (credentials refused, quota, the carrier's own failure), naming the carrier's code; a not-found reply exits 0.\n\n"+
		"  parcelcast parse -carrier ups response.json\n  curl -s … | parcelcast parse -carrier fedex -")
	feed := fs.String("carrier", "", "the feed's format: "+strings.Join(ingest.FeedNames(), ", "))
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *feed == "" || fs.NArg() > 1 {
		fmt.Fprintln(os.Stderr, "parcelcast parse: need -carrier and at most one FILE")
		return errUsage
	}
	if _, err := ingest.Feed(*feed); err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	return parsePayload(os.Stdout, os.Stderr, in, *feed)
}

// parsePayload parses one payload of feed from in, writes its events to
// out as JSON lines and its error to errOut.
func parsePayload(out, errOut io.Writer, in io.Reader, feed string) error {
	p, err := ingest.Feed(feed)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("read payload: %w", err)
	}
	events, perr := ingest.Parse(p, b)
	enc := json.NewEncoder(out)
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return err
		}
	}
	replies, _ := carrier.ReplyErrors(perr)
	if carrier.DeadLetters(perr) {
		fmt.Fprintf(errOut, "parcelcast parse: %v\n", perr)
		if r := carrier.FirstFatal(replies); r != nil {
			fmt.Fprintf(errOut, "parcelcast parse: %s refused the request with code %s (dead-letter reason: %s)\n",
				r.Carrier, r.Code, ingest.Reason(perr))
		}
		return errInvalid
	}
	for _, r := range replies { // errors beside scans that were kept: counted, not dead-lettered
		fmt.Fprintf(errOut, "parcelcast parse: %s error %s beside scans, which are kept: %s\n", r.Carrier, r.Code, r.Message)
	}
	if len(events) == 0 {
		fmt.Fprintln(errOut, "parcelcast parse: the payload is well formed but carries no scans (a not-found reply?)")
	}
	return nil
}

func runDetect(ctx context.Context, args []string) error {
	fs := newFlagSet("detect", "Print, for each tracking number, the carriers and number families it fits and whether its check digit is right. "+
		"Exits 1 when a number fits no family with a right check digit.\n\n  parcelcast detect 1Z999AA10123456784 9400111201080805483016")
	asJSON := fs.Bool("json", false, "print one JSON object per number instead of a table")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "parcelcast detect: give one or more tracking numbers")
		return errUsage
	}
	return detectNumbers(os.Stdout, fs.Args(), *asJSON)
}

type detection struct {
	Input   string          `json:"input"`
	Valid   bool            `json:"valid"`
	Matches []trackno.Match `json:"matches"`
}

func detectNumbers(out io.Writer, numbers []string, asJSON bool) error {
	allValid := true
	enc := json.NewEncoder(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "NUMBER\tCARRIER\tFAMILY\tVALID")
	}
	for _, n := range numbers {
		d := detection{Input: n, Matches: trackno.Detect(n)}
		if d.Matches == nil {
			d.Matches = []trackno.Match{}
		}
		_, d.Valid = trackno.Best(n)
		allValid = allValid && d.Valid
		if asJSON {
			if err := enc.Encode(d); err != nil {
				return err
			}
			continue
		}
		if len(d.Matches) == 0 {
			fmt.Fprintf(tw, "%s\t-\tno known family\tfalse\n", n)
		}
		for _, m := range d.Matches {
			valid := fmt.Sprint(m.Valid)
			switch {
			case m.Problem != "":
				valid += " (" + m.Problem + ")"
			case !m.CheckDigit:
				valid += " (no check digit)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n, m.Carrier, m.Family, valid)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !allValid {
		return errInvalid
	}
	return nil
}
