package main

import (
	"flag"

	"github.com/parcelcast/parcelcast/predict/webhooks"
)

// addWebhookAPIFlags adds serve's settings of the /v1/webhooks routes.
func addWebhookAPIFlags(fs *flag.FlagSet) *webhooks.Config {
	d := webhooks.Defaults
	c := &webhooks.Config{}
	fs.BoolVar(&c.Safety.AllowPrivate, "allow-private-endpoints", false, "accept webhook URLs on private and loopback addresses (tests and local use only)")
	fs.DurationVar(&c.RotationGrace, "webhook-rotation-grace", d.RotationGrace, "how long a webhook secret rotated out still signs deliveries")
	return c
}
