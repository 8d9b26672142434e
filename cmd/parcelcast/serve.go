package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
)

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// serveHTTP serves h on addr until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return serveListener(ctx, l, h, log)
}

func serveListener(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("http listening", "addr", l.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlagSet("serve", "Serve the ETA API: GET /v1/shipments/{tracking_number}/eta, POST /v1/estimates, /metrics, /healthz, /readyz. Shipments are answered from the live state in memory: bootstrapped from ClickHouse, kept current from the normalized topic.")
	ch := clickhouseFlags(fs)
	addr := fs.String("addr", ":8080", "listen address")
	modelPath := fs.String("model", "models/eta.json", "model artifact; reloaded when it changes, a bad file is refused and the old model kept")
	reload := fs.Duration("reload-interval", predict.DefaultReloadInterval, "how often to check the model file for changes")
	lf := addLiveFlags(fs)
	newLog := logFlags(fs)
	log, conn, err := parseAndConnect(ctx, fs, args, newLog, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	reg := newRegistry()
	store, err := lf.newStore(conn, reg, log)
	if err != nil {
		return err
	}
	srv := predict.NewServer(storeJourneys{store}, m, predict.Options{Log: log, Registry: reg, Ready: store.Ready})
	log.Info("model loaded", "version", m.Version, "path", *modelPath)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return store.Run(ctx) })
	g.Go(func() error { predict.WatchModel(ctx, *modelPath, *reload, srv, log); return nil })
	g.Go(func() error { return serveHTTP(ctx, *addr, srv, log) })
	return g.Wait()
}
