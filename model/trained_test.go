package model_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

// Several tests read the model the default configuration trains on the
// same simulated history; training is most of their cost, so each
// history is trained once. Only tests that leave every setting at its
// default may share one; a model is read, never changed.
var trained sync.Map // history name → *trainedModel

type trainedModel struct {
	once sync.Once
	m    *model.Model
	err  error
}

// usHistory is the main simulated history: seed 11, 12,000 shipments,
// 120 days from March 2026, the US only.
func usHistory() *modeltest.Mem {
	return modeltest.NewMem(sim.Config{Seed: 11, Shipments: 12000, Days: 120, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
}

// mixedHistory is the same with a quarter of its shipments in Brazil.
func mixedHistory() *modeltest.Mem {
	return modeltest.NewMem(sim.Config{Seed: 11, Shipments: 12000, Days: 120, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), BrazilShare: 0.25})
}

// trainedOn is the default configuration's model of the named history
// (usHistory or mixedHistory), trained on first use.
func trainedOn(t *testing.T, name string) *model.Model {
	t.Helper()
	v, _ := trained.LoadOrStore(name, &trainedModel{})
	tm := v.(*trainedModel)
	tm.once.Do(func() {
		src := usHistory
		if name == "mixed" {
			src = mixedHistory
		}
		tm.m, tm.err = model.Train(context.Background(), src(), model.DefaultTrainConfig())
	})
	if tm.err != nil {
		t.Fatal(tm.err)
	}
	return tm.m
}
