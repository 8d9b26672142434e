// Package httpserve runs the HTTP servers of the commands: the API with
// its timeouts, a cap on connections and optional TLS, and the admin
// listener with /metrics and, when asked, pprof.
package httpserve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
)

// Config is how a server treats its connections. A zero duration or
// count takes its default (Defaults); TLS is on when both files are set.
type Config struct {
	// ReadHeaderTimeout bounds a request's headers, ReadTimeout the whole
	// request, WriteTimeout the time from the end of the headers to the
	// end of the answer, IdleTimeout a kept-alive connection's wait.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// MaxConns is how many connections are open at once; more wait to be
	// accepted.
	MaxConns int
	// ShutdownTimeout is how long requests in flight may finish once the
	// server is stopped.
	ShutdownTimeout time.Duration
	// TLSCert and TLSKey are PEM files; both or neither.
	TLSCert, TLSKey string
}

// Defaults are the server settings the commands run with unless told
// otherwise.
func Defaults() Config {
	return Config{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		MaxConns:          4096,
		ShutdownTimeout:   10 * time.Second,
	}
}

func (c Config) withDefaults() Config {
	d := Defaults()
	set := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.ReadHeaderTimeout, d.ReadHeaderTimeout)
	set(&c.ReadTimeout, d.ReadTimeout)
	set(&c.WriteTimeout, d.WriteTimeout)
	set(&c.IdleTimeout, d.IdleTimeout)
	set(&c.ShutdownTimeout, d.ShutdownTimeout)
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.MaxConns == 0 {
		c.MaxConns = d.MaxConns
	}
	return c
}

// Check refuses a configuration that cannot serve: half of TLS.
func (c Config) Check() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("TLS needs both a certificate and a key file")
	}
	return nil
}

// ListenAndServe serves h on addr until ctx ends (see Serve).
func ListenAndServe(ctx context.Context, addr string, h http.Handler, cfg Config, log *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return Serve(ctx, l, h, cfg, log)
}

// Serve serves h on l until ctx ends, then shuts down gracefully within
// the shutdown timeout. It closes l.
func Serve(ctx context.Context, l net.Listener, h http.Handler, cfg Config, log *slog.Logger) error {
	if err := cfg.Check(); err != nil {
		l.Close()
		return err
	}
	cfg = cfg.withDefaults()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.MaxConns > 0 {
		l = netutil.LimitListener(l, cfg.MaxConns)
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			l.Close()
			return fmt.Errorf("tls: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		l = tls.NewListener(l, srv.TLSConfig)
		scheme = "https"
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("http listening", "addr", l.Addr().String(), "scheme", scheme)
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	<-errc
	return nil
}

// AdminHandler serves /metrics from reg and /healthz, and with withPprof
// the runtime profiles under /debug/pprof/.
func AdminHandler(reg *prometheus.Registry, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
