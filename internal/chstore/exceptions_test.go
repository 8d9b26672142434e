package chstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

// The scanner stores its exceptions in the table.
var _ exceptions.Store = (*chstore.Exceptions)(nil)

// A resolve replaces the open row, written in another insert or the same
// one; a resolved exception older than since is not read back.
func TestExceptionsTable(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	store := chstore.NewExceptions(db)
	at := time.Date(2026, 11, 18, 14, 0, 0, 0, time.UTC)
	open := func(id, tn string, opened time.Time) schemas.Exception {
		return schemas.Exception{ID: id, Type: exceptions.Stalled, State: schemas.ExceptionOpen, TrackingNumber: tn,
			Carrier: "ups", ShipmentKey: "K1", ShipmentStart: opened.Add(-20 * time.Hour), Reason: "no scan for 2 days",
			Detail: "X1: held", OpenedAt: opened, OrderRef: "O-1", CustomerRef: "C-1"}
	}
	resolve := func(e schemas.Exception, at time.Time) schemas.Exception {
		e.State, e.ResolvedAt = schemas.ExceptionResolved, &at
		return e
	}
	stillOpen := open("a", "1ZA", at)
	resolvedLater := open("b", "1ZB", at)
	resolvedOld := open("c", "1ZC", at.Add(-60*24*time.Hour))
	sameInsert := open("d", "1ZD", at)
	for _, batch := range [][]schemas.Exception{
		{stillOpen, resolvedLater, resolvedOld, stillOpen},
		{resolve(resolvedLater, at.Add(3*time.Hour)), resolve(resolvedOld, at.Add(-59*24*time.Hour))},
		{sameInsert, resolve(sameInsert, at.Add(time.Hour))},
		{resolvedLater}, // a replay of the open row after the resolve
	} {
		if err := store.WriteExceptions(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]schemas.Exception{}
	if err := store.Exceptions(ctx, at.Add(-30*24*time.Hour), func(e schemas.Exception) error {
		if _, dup := got[e.ID]; dup {
			t.Errorf("%s read twice", e.ID)
		}
		got[e.ID] = e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		id       string
		state    schemas.ExceptionState
		resolved time.Time
		absent   bool
	}{
		"open stays open":               {id: "a", state: schemas.ExceptionOpen},
		"resolve in a later insert":     {id: "b", state: schemas.ExceptionResolved, resolved: at.Add(3 * time.Hour)},
		"resolved before since":         {id: "c", absent: true},
		"open and resolve in one batch": {id: "d", state: schemas.ExceptionResolved, resolved: at.Add(time.Hour)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e, ok := got[c.id]
			if ok == c.absent {
				t.Fatalf("read %v, want absent=%v", ok, c.absent)
			}
			if c.absent {
				return
			}
			if e.State != c.state {
				t.Errorf("state %s, want %s", e.State, c.state)
			}
			if c.state == schemas.ExceptionOpen && e.ResolvedAt != nil {
				t.Errorf("open with resolved_at %v", e.ResolvedAt)
			}
			if c.state == schemas.ExceptionResolved && (e.ResolvedAt == nil || !e.ResolvedAt.Equal(c.resolved)) {
				t.Errorf("resolved at %v, want %v", e.ResolvedAt, c.resolved)
			}
			want := open(c.id, e.TrackingNumber, at)
			if e.Type != want.Type || e.Carrier != "ups" || e.ShipmentKey != "K1" || !e.ShipmentStart.Equal(want.ShipmentStart) ||
				e.Reason != want.Reason || e.Detail != want.Detail || !e.OpenedAt.Equal(at) || e.OrderRef != "O-1" || e.CustomerRef != "C-1" {
				t.Errorf("read %+v, want the fields written %+v", e, want)
			}
		})
	}
}
