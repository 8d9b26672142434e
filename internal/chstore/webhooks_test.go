package chstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict/webhooks"
	"github.com/parcelcast/parcelcast/schemas"
)

var _ webhooks.Store = (*chstore.Webhooks)(nil)

func TestWebhookSubscriptions(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	w := chstore.NewWebhooks(db)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a := schemas.WebhookSubscription{ID: "wh_a", URL: "https://a.example/hooks", EventTypes: []string{"milestone.delivered", "exception.late"},
		Carriers: []string{"ups"}, Secret: "whsec_AAAA", CreatedAt: t0, UpdatedAt: t0}
	b := schemas.WebhookSubscription{ID: "wh_b", URL: "https://b.example/hooks", EventTypes: []string{"milestone.shipped"},
		OrderRefs: []string{"ORD-1"}, Secret: "whsec_BBBB", CreatedAt: t0, UpdatedAt: t0}
	for _, s := range []schemas.WebhookSubscription{a, b} {
		if err := w.PutSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// A rotation, at the same instant as the creation: still the later.
	rot := a
	rot.PreviousSecret, rot.PreviousUntil, rot.Secret = a.Secret, t0.Add(24*time.Hour), "whsec_CCCC"
	if err := w.PutSubscription(ctx, rot); err != nil {
		t.Fatal(err)
	}
	got, ok, err := w.Subscription(ctx, "wh_a")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got.Secret != "whsec_CCCC" || got.PreviousSecret != "whsec_AAAA" || !got.PreviousUntil.Equal(rot.PreviousUntil) ||
		!slices.Equal(got.EventTypes, a.EventTypes) || !slices.Equal(got.Carriers, a.Carriers) || len(got.OrderRefs) != 0 {
		t.Fatalf("after rotation: %+v", got)
	}
	if err := w.Disable(ctx, "wh_a", "410 Gone", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	del := b
	del.Deleted, del.UpdatedAt = true, t0.Add(time.Hour)
	if err := w.PutSubscription(ctx, del); err != nil {
		t.Fatal(err)
	}
	all, err := w.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].ID != "wh_a" || !all[0].Disabled || all[0].DisabledReason != "410 Gone" {
		t.Fatalf("subscriptions %+v", all)
	}
	if _, ok, err := w.Subscription(ctx, "wh_b"); ok || err != nil {
		t.Fatalf("deleted subscription found: %v %v", ok, err)
	}
	if _, ok, err := w.Subscription(ctx, "nosuch"); ok || err != nil {
		t.Fatalf("unknown subscription found: %v %v", ok, err)
	}
}

func TestWebhookDeadLetters(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	w := chstore.NewWebhooks(db)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	dl := func(sub, id string) schemas.WebhookDeadLetter {
		return schemas.WebhookDeadLetter{MessageID: id, SubscriptionID: sub, EventID: "milestone:" + id, EventType: "milestone.delivered",
			Body: []byte(`{"type":"milestone.delivered"}`), Attempts: 8, LastStatus: 500, LastError: "status 500", State: schemas.DeadLetterDead, At: t0}
	}
	for _, d := range []schemas.WebhookDeadLetter{dl("wh_a", "msg_1"), dl("wh_a", "msg_2"), dl("wh_b", "msg_3")} {
		if err := w.PutDeadLetter(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	n, err := w.Replay(ctx, "wh_a", t0.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	queued, err := w.QueuedReplays(ctx)
	if err != nil || len(queued) != 2 {
		t.Fatalf("queued %+v, %v", queued, err)
	}
	if q := queued[0]; string(q.Body) != `{"type":"milestone.delivered"}` || q.Attempts != 8 || q.LastStatus != 500 || q.EventID != "milestone:msg_1" {
		t.Fatalf("queued %+v", q)
	}
	done := queued[0]
	done.State = schemas.DeadLetterDelivered
	if err := w.PutDeadLetter(ctx, done); err != nil {
		t.Fatal(err)
	}
	if queued, err = w.QueuedReplays(ctx); err != nil || len(queued) != 1 || queued[0].MessageID != "msg_2" {
		t.Fatalf("queued after one delivered: %+v, %v", queued, err)
	}
	// A second replay re-queues nothing already queued or delivered.
	if n, err := w.Replay(ctx, "wh_a", t0.Add(2*time.Minute)); err != nil || n != 0 {
		t.Fatalf("second replay %d, %v", n, err)
	}
	letters, err := w.DeadLetters(ctx, "wh_b")
	if err != nil || len(letters) != 1 || letters[0].State != schemas.DeadLetterDead {
		t.Fatalf("wh_b %+v, %v", letters, err)
	}
}
