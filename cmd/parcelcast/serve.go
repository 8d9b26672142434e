package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/httpserve"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
)

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// serveListener serves h on l with the default server settings until
// ctx ends, then shuts down gracefully.
func serveListener(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) error {
	return httpserve.Serve(ctx, l, h, httpserve.Defaults(), log)
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlagSet("serve", "Serve the API from the live state in memory (bootstrapped from ClickHouse, kept current from the normalized topic, ClickHouse for a number not held): GET /v1/shipments/{tracking_number} and its /eta, PUT its /references, GET its /options, POST its /instructions (DELETE one to cancel), GET /v1/orders/{order_ref}, GET /v1/customers/{customer_ref}/shipments, POST /v1/estimates, GET /v1/models/current, GET /v1/exceptions (the exception scanner's, with --exceptions), /v1/webhooks (subscriptions, admin scope), the customer tracking page /track/{tracking_number} and /track?order=&postal_code= (open without a key), /healthz, /readyz (ready once the live state is bootstrapped and caught up); /metrics (and pprof with --pprof) on the admin listener.")
	ch := clickhouseFlags(fs)
	addr := fs.String("addr", ":8080", "API listen address")
	srvCfg := addServerFlags(fs)
	admin := addAdminFlags(fs, serveAdminAddr)
	api := addAPIFlags(fs)
	modelPath := fs.String("model", "models/eta.json", "model artifact; reloaded when it changes, a bad file is refused and the old model kept")
	reload := fs.Duration("reload-interval", predict.DefaultReloadInterval, "how often to check the model file for changes")
	sample := fs.Bool("sample-predictions", predict.DefaultSamplePredictions,
		"record served ETAs (the first per shipment per day, and at each status change) in the predictions table, for online accuracy")
	lf := addLiveFlags(fs)
	ef := addExceptionFlags(fs)
	mf := addMilestoneFlags(fs)
	hooks := addWebhookAPIFlags(fs)
	instrFlags := addInstructionFlags(fs)
	pf := addPageFlags(fs)
	newLog := logFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := srvCfg.Check(); err != nil {
		return err
	}
	keys, err := api.apiKeys()
	if err != nil {
		return err
	}
	log := newLog()
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	if keys == nil {
		log.Warn("serving the API without API keys (--insecure-no-auth)")
	}
	reg := newRegistry()
	var sampler *predict.Sampler
	if *sample {
		sampler = predict.NewSampler(chstore.NewPredictionWriter(conn), predict.DefaultSamplerConfig(), log, reg)
	}
	var observers []func(predict.Shipment)
	if sampler != nil {
		observers = append(observers, sampler.ShipmentChanged)
	}
	scanner, closeScanner, err := ef.newScanner(ctx, conn, splitList(lf.brokers), reg, log)
	if err != nil {
		return err
	}
	defer closeScanner()
	if scanner != nil {
		observers = append(observers, scanner.ShipmentChanged)
	}
	emitter, err := mf.newEmitter(conn, splitList(lf.brokers), lf.silence, reg, log)
	if err != nil {
		return err
	}
	if emitter != nil {
		observers = append(observers, emitter.ShipmentChanged)
	}
	store, err := lf.newStore(conn, api.limits.LookupTimeout, observers, reg, log)
	if err != nil {
		return err
	}
	opts := predict.Options{
		Log: log, Registry: reg, Keys: keys, Limits: api.limits,
		Ready: []predict.ReadyCheck{
			{Name: "clickhouse", Check: conn.Ping},
			{Name: "live_state", Check: func(context.Context) error { return store.Ready() }},
		},
		Orders: store, References: chstore.NewReferences(conn), LiveReferences: store, Sampler: sampler,
		Webhooks: chstore.NewWebhooks(conn), WebhookSafety: hooks.Safety, WebhookGrace: hooks.RotationGrace,
	}
	if scanner != nil {
		opts.Exceptions, opts.ExceptionList = scanner, scanner
	}
	defer instrFlags.wire(&opts, conn, lf, log)()
	srv := predict.NewServer(store, m, opts)
	if err := pf.mount(srv, log); err != nil {
		return err
	}
	if scanner != nil {
		scanner.Attach(store, srv.Model)
	}
	if err := instrFlags.load(ctx, srv, conn, lf); err != nil {
		return err
	}
	log.Info("model loaded", "version", m.Version, "path", *modelPath)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return store.Run(ctx) })
	if sampler != nil {
		g.Go(func() error { sampler.Run(ctx); return nil })
	}
	if scanner != nil {
		g.Go(func() error { return scanner.Run(ctx) })
	}
	if emitter != nil {
		g.Go(func() error { return emitter.Run(ctx, store) })
	}
	g.Go(func() error { return instrFlags.follow(ctx, srv, lf, reg, log) })
	g.Go(func() error { srv.RunRepublish(ctx, predict.DefaultRepublishInterval); return nil })
	g.Go(func() error { predict.WatchModel(ctx, *modelPath, *reload, srv, log); return nil })
	admin.serve(ctx, g, reg, log)
	g.Go(func() error { return httpserve.ListenAndServe(ctx, *addr, srv, *srvCfg, log) })
	return g.Wait()
}
