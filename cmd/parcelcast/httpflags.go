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

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/internal/httpserve"
	"github.com/parcelcast/parcelcast/predict"
)

// addServerFlags adds the API server's connection settings: timeouts,
// the connection cap and TLS.
func addServerFlags(fs *flag.FlagSet) *httpserve.Config {
	d := httpserve.Defaults()
	c := &d
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", d.ReadHeaderTimeout, "longest a client may take to send a request's headers")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", d.ReadTimeout, "longest a client may take to send a whole request")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", d.WriteTimeout, "longest from a request's headers to the end of its answer")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", d.IdleTimeout, "how long a kept-alive connection may wait for its next request")
	fs.IntVar(&c.MaxConns, "max-conns", d.MaxConns, "connections open at once; more wait to be accepted")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key file of --tls-cert")
	return c
}

// adminFlags are the admin listener's: /metrics, /healthz, and pprof
// when asked.
type adminFlags struct {
	addr  string
	pprof bool
}

// The admin listeners' addresses by default: loopback, so metrics and
// profiles are not served to the network unless asked; one port per
// command, so both run on one machine.
const (
	ingestAdminAddr = "127.0.0.1:9464"
	serveAdminAddr  = "127.0.0.1:9465"
)

func addAdminFlags(fs *flag.FlagSet, def string) *adminFlags {
	a := &adminFlags{}
	fs.StringVar(&a.addr, "admin-addr", def, "admin listener serving /metrics and /healthz, loopback by default ('' to disable)")
	fs.BoolVar(&a.pprof, "pprof", false, "also serve the runtime profiles under /debug/pprof/ on the admin listener")
	return a
}

// serve runs the admin listener in g until ctx ends.
func (a *adminFlags) serve(ctx context.Context, g *errgroup.Group, reg *prometheus.Registry, log *slog.Logger) {
	if a.addr == "" {
		return
	}
	cfg := httpserve.Defaults()
	cfg.WriteTimeout = 2 * time.Minute // a CPU profile takes its seconds to write
	h := httpserve.AdminHandler(reg, a.pprof)
	g.Go(func() error { return httpserve.ListenAndServe(ctx, a.addr, h, cfg, log.With("listener", "admin")) })
}

// apiFlags are the API's keys and request limits.
type apiFlags struct {
	keysFile string
	keys     string
	insecure bool
	limits   predict.Limits
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	d := predict.DefaultLimits()
	f := &apiFlags{limits: d}
	fs.StringVar(&f.keysFile, "api-keys-file", "", "file of API keys, one name:sha256-of-token:scopes a line (scopes: read, write, admin)")
	fs.StringVar(&f.keys, "api-keys", "", "API keys as in --api-keys-file, separated by ';' (best set in the environment)")
	fs.BoolVar(&f.insecure, "insecure-no-auth", false, "serve the API without API keys (local use and tests only)")
	fs.IntVar(&f.limits.MaxInFlight, "max-in-flight", d.MaxInFlight, "API requests handled at once; beyond it 503 with Retry-After (-1: no cap)")
	fs.Float64Var(&f.limits.RatePerKey, "rate-per-key", d.RatePerKey, "each API key's sustained requests per second; beyond it 429 with Retry-After (-1: no limit)")
	fs.IntVar(&f.limits.Burst, "rate-burst", d.Burst, "requests an API key may make at once above its rate")
	fs.Int64Var(&f.limits.MaxBody, "max-body", d.MaxBody, "largest request body in bytes")
	fs.IntVar(&f.limits.MaxBatch, "max-batch", d.MaxBatch, "most lanes in one POST /v1/estimates")
	fs.DurationVar(&f.limits.LookupTimeout, "lookup-timeout", d.LookupTimeout, "deadline of every ClickHouse call of a request; past it 503 with Retry-After")
	fs.IntVar(&f.limits.MaxDBCalls, "max-db-calls", d.MaxDBCalls, "ClickHouse calls out at once, those past their deadline included; beyond it 503 at once (-1: no cap)")
	return f
}

// apiKeys reads the keys of the file and of --api-keys; with neither, it
// refuses to go on unless --insecure-no-auth says so (nil keys).
func (f *apiFlags) apiKeys() (*predict.Keys, error) {
	var text strings.Builder
	if f.keysFile != "" {
		b, err := os.ReadFile(f.keysFile)
		if err != nil {
			return nil, fmt.Errorf("api keys: %w", err)
		}
		text.Write(b)
		text.WriteByte('\n')
	}
	text.WriteString(f.keys)
	ks, err := predict.ParseKeys(strings.NewReader(text.String()))
	if err != nil {
		return nil, err
	}
	switch {
	case ks.Len() > 0 && f.insecure:
		return nil, errors.New("--insecure-no-auth with API keys: choose one")
	case ks.Len() > 0:
		return ks, nil
	case f.insecure:
		return nil, nil
	}
	return nil, errors.New("no API keys: give --api-keys-file or " + envName("api-keys") + " (name:sha256-of-token:scopes), or --insecure-no-auth")
}
