package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/trackpage"
)

// pageFlags are serve's flags of the customer tracking page.
type pageFlags struct {
	off        bool
	brand      string
	secretFile string
	points     string
	perClient  float64
}

func addPageFlags(fs *flag.FlagSet) *pageFlags {
	f := &pageFlags{}
	d := trackpage.Defaults
	fs.BoolVar(&f.off, "no-tracking-page", false, "do not serve the customer tracking page (/track/{tracking_number}, /track?order=&postal_code=)")
	fs.StringVar(&f.brand, "page-brand", d.Brand, "name shown in the tracking page's header")
	fs.StringVar(&f.secretFile, "page-secret-file", "", "file holding the secret that signs the tracking page's forms (replicas behind one name need the same; "+
		"PARCELCAST_PAGE_SECRET also sets it; default: a random one per process, so a form outlives no restart)")
	fs.StringVar(&f.points, "pickup-points", "", "JSON file of the pickup points a parcel can be held at ([{\"carrier\",\"id\",\"name\",\"address\"}]); none offered without it")
	fs.Float64Var(&f.perClient, "page-rate", d.PerClient, "tracking page requests per second per client address (an order lookup or a form costs several; -1: no limit)")
	return f
}

// mount serves the tracking page on srv, unless turned off.
func (f *pageFlags) mount(srv *predict.Server, log *slog.Logger) error {
	if f.off {
		return nil
	}
	opts := trackpage.Options{Brand: f.brand, PerClient: f.perClient, Log: log}
	secret := os.Getenv("PARCELCAST_PAGE_SECRET")
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return fmt.Errorf("--page-secret-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret != "" && len(secret) < 16 {
		return errors.New("the tracking page's secret must be at least 16 characters")
	}
	opts.Secret = []byte(secret)
	if secret == "" {
		log.Warn("the tracking page's forms are signed with a secret of this process: behind a load balancer, give every replica the same --page-secret-file (or PARCELCAST_PAGE_SECRET), or a form shown by one is refused by another")
	}
	if f.points != "" {
		file, err := os.Open(f.points)
		if err != nil {
			return fmt.Errorf("--pickup-points: %w", err)
		}
		defer file.Close()
		pts, err := trackpage.ReadPoints(file)
		if err != nil {
			return fmt.Errorf("--pickup-points %s: %w", f.points, err)
		}
		opts.Points = pts
	}
	p, err := trackpage.New(srv, opts)
	if err != nil {
		return err
	}
	p.Register(srv)
	return nil
}
