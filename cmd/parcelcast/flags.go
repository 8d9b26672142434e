package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
)

var errUsage = errors.New("usage")

// newFlagSet returns a flag set whose usage lists each flag's environment
// variable.
func newFlagSet(name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: parcelcast %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(out, "  -%s", f.Name)
			if name, _ := flag.UnquoteUsage(f); name != "" {
				fmt.Fprintf(out, " %s", name)
			}
			_, u := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "\n    \t%s (env %s", u, envName(f.Name))
			if f.DefValue != "" {
				fmt.Fprintf(out, ", default %q", f.DefValue)
			}
			fmt.Fprintln(out, ")")
		})
	}
	return fs
}

func envName(flagName string) string {
	return "PARCELCAST_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseArgs applies environment fallbacks, then the command line, which
// wins, and leaves positional arguments in fs.Args().
func parseArgs(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// parse is parseArgs for commands that take no positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "parcelcast %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return errUsage
	}
	return nil
}

// logFlags adds --log-level and --log-format and returns a constructor.
func logFlags(fs *flag.FlagSet) func() *slog.Logger {
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	format := fs.String("log-format", "auto", "log format: text, json, or auto (text on a terminal)")
	return func() *slog.Logger {
		var lv slog.Level
		if err := lv.UnmarshalText([]byte(*level)); err != nil {
			lv = slog.LevelInfo
		}
		opts := &slog.HandlerOptions{Level: lv}
		f := *format
		if f == "auto" {
			f = "json"
			if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				f = "text"
			}
		}
		if f == "text" {
			return slog.New(slog.NewTextHandler(os.Stderr, opts))
		}
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
}

// clickhouseFlags adds the ClickHouse connection flags. The password is
// read only from PARCELCAST_CLICKHOUSE_PASSWORD.
func clickhouseFlags(fs *flag.FlagSet) *chstore.Config {
	cfg := &chstore.Config{}
	fs.StringVar(&cfg.Addr, "clickhouse-addr", "127.0.0.1:9000", "ClickHouse native protocol address(es), comma-separated")
	fs.StringVar(&cfg.Database, "clickhouse-database", "parcelcast", "ClickHouse database")
	fs.StringVar(&cfg.Username, "clickhouse-user", "default", "ClickHouse user (password from PARCELCAST_CLICKHOUSE_PASSWORD)")
	cfg.Password = os.Getenv("PARCELCAST_CLICKHOUSE_PASSWORD")
	return cfg
}

func openClickHouse(ctx context.Context, cfg *chstore.Config) (*chstore.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return chstore.Open(ctx, *cfg)
}

// parseAndConnect parses the command line, makes the logger and opens
// ClickHouse: the start of every command that reads or writes it.
func parseAndConnect(ctx context.Context, fs *flag.FlagSet, args []string, newLog func() *slog.Logger, ch *chstore.Config) (*slog.Logger, *chstore.DB, error) {
	if err := parse(fs, args); err != nil {
		return nil, nil, err
	}
	log := newLog()
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return nil, nil, err
	}
	return log, conn, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
