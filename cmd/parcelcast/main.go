// Command parcelcast turns carrier tracking scans into delivery ETAs.
//
// Usage:
//
//	parcelcast <command> [flags]
//
// Run `parcelcast help` for the commands and `parcelcast <command> -h`
// for each command's flags. Every flag can also be set from the
// environment as PARCELCAST_<FLAG>, upper case with - as _.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = []command{
	{"demo", "run the whole pipeline locally on embedded defaults", runDemo},
	{"simulate", "generate simulated carrier scans into Kafka or a file", runSimulate},
	{"ingest", "consume carrier feeds from Kafka into ClickHouse", runIngest},
	{"import", "load historical shipments (CSV or JSON Lines) into ClickHouse", runImport},
	{"train", "fit an ETA model on delivered shipments and backtest it", runTrain},
	{"evaluate", "write a model's backtest report (Markdown and PNG plots) and print its summary", runEvaluate},
	{"serve", "serve the ETA HTTP API", runServe},
	{"notify", "deliver milestones and exceptions to webhook subscriptions", runNotify},
	{"migrate", "create or upgrade the ClickHouse schema", runMigrate},
	{"parse", "print the canonical events of one carrier payload", runParse},
	{"detect", "tell the carrier of tracking numbers and check their check digits", runDetect},
	{"version", "print the version", runVersion},
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == args[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "parcelcast: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errInvalid):
		return 1 // the command already said what was wrong
	default:
		fmt.Fprintf(stderr, "parcelcast %s: %v\n", cmd.name, err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "parcelcast turns carrier tracking scans into delivery ETAs.")
	fmt.Fprintln(w, "\nUsage: parcelcast <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'parcelcast <command> -h' for a command's flags. Every flag may be set")
	fmt.Fprintln(w, "from the environment as PARCELCAST_<FLAG> (upper case, - as _).")
}

func runVersion(ctx context.Context, args []string) error {
	fs := newFlagSet("version", "print the version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Println("parcelcast", version)
	return nil
}
