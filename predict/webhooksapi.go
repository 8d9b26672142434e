package predict

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/parcelcast/parcelcast/predict/webhooks"
	"github.com/parcelcast/parcelcast/schemas"
)

// WebhookStore persists webhook subscriptions and re-queues their dead
// letters (chstore.Webhooks).
type WebhookStore interface {
	PutSubscription(ctx context.Context, s schemas.WebhookSubscription) error
	Subscriptions(ctx context.Context) ([]schemas.WebhookSubscription, error)
	Subscription(ctx context.Context, id string) (schemas.WebhookSubscription, bool, error)
	Replay(ctx context.Context, subscriptionID string, at time.Time) (int, error)
}

// Bounds of a subscription.
const (
	maxWebhookURL     = 2048
	maxWebhookFilters = 100
)

// webhookID is the shape of a subscription id.
var webhookID = regexp.MustCompile(`^wh_[0-9a-f]{32}$`)

// WebhookFilters narrow the events a subscription gets: empty lists take
// every one.
type WebhookFilters struct {
	Carriers  []string `json:"carriers,omitempty"`
	OrderRefs []string `json:"order_refs,omitempty"`
}

// WebhookRequest is the body of POST /v1/webhooks.
type WebhookRequest struct {
	URL        string         `json:"url"`
	EventTypes []string       `json:"event_types"`
	Filters    WebhookFilters `json:"filters"`
}

// WebhookView is a subscription as the API shows it; Secret only in the
// answer of its creation and of a rotation.
type WebhookView struct {
	ID                    string         `json:"id"`
	URL                   string         `json:"url"`
	EventTypes            []string       `json:"event_types"`
	Filters               WebhookFilters `json:"filters"`
	Enabled               bool           `json:"enabled"`
	DisabledReason        string         `json:"disabled_reason,omitempty"`
	CreatedAt             time.Time      `json:"created_at"`
	UpdatedAt             time.Time      `json:"updated_at"`
	Secret                string         `json:"secret,omitempty"`
	PreviousSecretExpires *time.Time     `json:"previous_secret_expires_at,omitempty"`
}

func webhookView(s schemas.WebhookSubscription, now time.Time, withSecret bool) WebhookView {
	v := WebhookView{ID: s.ID, URL: s.URL, EventTypes: s.EventTypes,
		Filters: WebhookFilters{Carriers: s.Carriers, OrderRefs: s.OrderRefs}, Enabled: !s.Disabled,
		DisabledReason: s.DisabledReason, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
	if withSecret {
		v.Secret = s.Secret
	}
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		until := s.PreviousUntil.UTC()
		v.PreviousSecretExpires = &until
	}
	return v
}

// registerWebhooks adds the subscription routes: all need the admin
// scope, as a subscription sends data to an outside address and its
// answer carries a signing secret.
func (s *Server) registerWebhooks() {
	s.handleScoped("POST /v1/webhooks", "webhooks_create", ScopeAdmin, s.handleCreateWebhook)
	s.handleScoped("GET /v1/webhooks", "webhooks_list", ScopeAdmin, s.handleListWebhooks)
	s.handleScoped("GET /v1/webhooks/{id}", "webhook", ScopeAdmin, s.handleGetWebhook)
	s.handleScoped("DELETE /v1/webhooks/{id}", "webhook_delete", ScopeAdmin, s.handleDeleteWebhook)
	s.handleScoped("POST /v1/webhooks/{id}/rotate", "webhook_rotate", ScopeAdmin, s.handleRotateWebhook)
	s.handleScoped("POST /v1/webhooks/{id}/replay", "webhook_replay", ScopeAdmin, s.handleReplayWebhook)
}

// errBadURL is a URL that is not one: a 400, where an address refused by
// the safety rules is a 422.
var errBadURL = errors.New("url must be an absolute http or https URL")

// checkWebhook validates a subscription request: 400 for a malformed one,
// 422 for an endpoint or an event type that cannot be served.
func (s *Server) checkWebhook(ctx context.Context, req WebhookRequest) (int, string, error) {
	u, err := url.Parse(req.URL)
	switch {
	case req.URL == "" || len(req.URL) > maxWebhookURL || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return http.StatusBadRequest, "invalid_request", errBadURL
	case len(req.EventTypes) == 0 || len(req.EventTypes) > maxWebhookFilters:
		return http.StatusBadRequest, "invalid_request", fmt.Errorf("event_types: between 1 and %d", maxWebhookFilters)
	case len(req.Filters.Carriers) > maxWebhookFilters || len(req.Filters.OrderRefs) > maxWebhookFilters:
		return http.StatusBadRequest, "invalid_request", fmt.Errorf("filters: at most %d of each", maxWebhookFilters)
	}
	for _, c := range req.Filters.Carriers {
		if c == "" || len(c) > 32 {
			return http.StatusBadRequest, "invalid_request", fmt.Errorf("filters.carriers: %q is not a carrier", c)
		}
	}
	for _, ref := range req.Filters.OrderRefs {
		if err := checkRef("filters.order_refs", ref); err != nil || ref == "" {
			return http.StatusBadRequest, "invalid_request", fmt.Errorf("filters.order_refs: %q is not an order reference", ref)
		}
	}
	for _, t := range req.EventTypes {
		if !webhooks.KnownEventType(t) {
			return http.StatusUnprocessableEntity, "unknown_event_type", fmt.Errorf("event type %q is not one of %v", t, webhooks.EventTypes())
		}
	}
	cctx, cancel := context.WithTimeout(ctx, s.limits.LookupTimeout)
	defer cancel()
	if err := s.webhookSafety.CheckURL(cctx, req.URL); err != nil {
		return http.StatusUnprocessableEntity, "url_not_allowed", err
	}
	return 0, "", nil
}

func newWebhookID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random id: %w", err)
	}
	return "wh_" + hex.EncodeToString(b), nil
}

func (s *Server) webhooksConfigured(w http.ResponseWriter) bool {
	if s.webhooks == nil {
		writeError(w, http.StatusServiceUnavailable, "not_configured", "webhooks are not stored by this server")
		return false
	}
	return true
}

func (s *Server) webhookStoreFailed(w http.ResponseWriter, err error) {
	s.dbLog.Error("webhooks", "webhook store failed", "err", err)
	writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "store_failed", "webhooks store unavailable; retry later")
}

func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	var req WebhookRequest
	if !decodeJSON(w, r, s.limits.MaxBody, &req) {
		return
	}
	if code, kind, err := s.checkWebhook(r.Context(), req); err != nil {
		writeError(w, code, kind, err.Error())
		return
	}
	if !s.webhooksConfigured(w) {
		return
	}
	id, err := newWebhookID()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "no id")
		return
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "no secret")
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	types := slices.Clone(req.EventTypes)
	slices.Sort(types)
	sub := schemas.WebhookSubscription{ID: id, URL: req.URL, EventTypes: slices.Compact(types),
		Carriers: req.Filters.Carriers, OrderRefs: req.Filters.OrderRefs, Secret: secret, CreatedAt: now, UpdatedAt: now}
	if _, err := lookup(r.Context(), s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.webhooks.PutSubscription(ctx, sub)
	}); err != nil {
		s.webhookStoreFailed(w, err)
		return
	}
	w.Header().Set("Location", "/v1/webhooks/"+id)
	writeJSON(w, http.StatusCreated, webhookView(sub, now, true))
}

// WebhookList is the answer of GET /v1/webhooks.
type WebhookList struct {
	Webhooks []WebhookView `json:"webhooks"`
}

func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	if !s.webhooksConfigured(w) {
		return
	}
	subs, err := lookup(r.Context(), s, s.webhooks.Subscriptions)
	if err != nil {
		s.webhookStoreFailed(w, err)
		return
	}
	out := WebhookList{Webhooks: make([]WebhookView, 0, len(subs))}
	for _, sub := range subs {
		out.Webhooks = append(out.Webhooks, webhookView(sub, s.now(), false))
	}
	writeJSON(w, 200, out)
}

// webhookOf finds the subscription of the request's id, writing the 404
// or 503 when there is none.
func (s *Server) webhookOf(w http.ResponseWriter, r *http.Request) (schemas.WebhookSubscription, bool) {
	id := r.PathValue("id")
	if !webhookID.MatchString(id) {
		writeError(w, http.StatusNotFound, "not_found", "no webhook "+id)
		return schemas.WebhookSubscription{}, false
	}
	if !s.webhooksConfigured(w) {
		return schemas.WebhookSubscription{}, false
	}
	type found struct {
		sub schemas.WebhookSubscription
		ok  bool
	}
	f, err := lookup(r.Context(), s, func(ctx context.Context) (found, error) {
		sub, ok, err := s.webhooks.Subscription(ctx, id)
		return found{sub, ok}, err
	})
	if err != nil {
		s.webhookStoreFailed(w, err)
		return schemas.WebhookSubscription{}, false
	}
	if !f.ok {
		writeError(w, http.StatusNotFound, "not_found", "no webhook "+id)
		return schemas.WebhookSubscription{}, false
	}
	return f.sub, true
}

func (s *Server) handleGetWebhook(w http.ResponseWriter, r *http.Request) {
	if sub, ok := s.webhookOf(w, r); ok {
		writeJSON(w, 200, webhookView(sub, s.now(), false))
	}
}

func (s *Server) putWebhook(w http.ResponseWriter, r *http.Request, sub schemas.WebhookSubscription) bool {
	if _, err := lookup(r.Context(), s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.webhooks.PutSubscription(ctx, sub)
	}); err != nil {
		s.webhookStoreFailed(w, err)
		return false
	}
	return true
}

func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.webhookOf(w, r)
	if !ok {
		return
	}
	sub.Deleted, sub.UpdatedAt = true, s.now().UTC()
	if s.putWebhook(w, r, sub) {
		writeJSON(w, 200, WebhookDeleted{ID: sub.ID, Deleted: true})
	}
}

// WebhookDeleted is the answer of a deletion.
type WebhookDeleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// handleRotateWebhook gives a subscription a new secret, shown once; the
// old one still signs (both signatures in the header) for the grace
// period, so a receiver can switch without losing a delivery.
func (s *Server) handleRotateWebhook(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.webhookOf(w, r)
	if !ok {
		return
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "no secret")
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	sub.PreviousSecret, sub.PreviousUntil, sub.Secret, sub.UpdatedAt = sub.Secret, now.Add(s.webhookGrace), secret, now
	if s.putWebhook(w, r, sub) {
		writeJSON(w, 200, webhookView(sub, now, true))
	}
}

// WebhookReplay is the answer of a replay: how many dead letters were
// re-queued.
type WebhookReplay struct {
	ID     string `json:"id"`
	Queued int    `json:"queued"`
}

// handleReplayWebhook re-queues the subscription's dead letters; the
// notifier delivers them, with their webhook-id unchanged. A disabled
// endpoint is enabled again: replaying is saying it is back.
func (s *Server) handleReplayWebhook(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.webhookOf(w, r)
	if !ok {
		return
	}
	if sub.Disabled {
		sub.Disabled, sub.DisabledReason, sub.UpdatedAt = false, "", s.now().UTC()
		if !s.putWebhook(w, r, sub) {
			return
		}
	}
	n, err := lookup(r.Context(), s, func(ctx context.Context) (int, error) { return s.webhooks.Replay(ctx, sub.ID, s.now()) })
	if err != nil {
		s.webhookStoreFailed(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, WebhookReplay{ID: sub.ID, Queued: n})
}
