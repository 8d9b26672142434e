package model_test

import (
	"encoding/json"
	"testing"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestDecodeBeforeDwellLegs reads an artifact written before the leg
// dwells, the out-for-delivery leads and the p99.9: it loads, and its
// scans fall back to the carrier and status cell.
func TestDecodeBeforeDwellLegs(t *testing.T) {
	body, err := json.Marshal(smallModel())
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["dwell_legs"]; ok {
		t.Fatal("a model without leg dwells writes them")
	}
	raw["dwell"] = json.RawMessage(`{"ups|in_transit":{"n":900,"p50_hours":5,"p90_hours":12,"p99_hours":20}}`)
	if body, err = json.Marshal(raw); err != nil {
		t.Fatal(err)
	}
	art, err := model.ArtifactOf(body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Decode(art)
	if err != nil {
		t.Fatalf("an artifact from before the leg dwells is refused: %v", err)
	}
	j := &model.Journey{Carrier: "ups", Service: "ground", Scans: []model.Scan{{Status: schemas.StatusInTransit}}}
	cells := m.DwellCells(j, 0)
	if len(cells) != 1 || cells[0].Working || cells[0].N != 900 || cells[0].P999Hours != 0 {
		t.Errorf("cells %+v, want the carrier and status cell alone", cells)
	}
	if _, ok := m.OutForDeliveryLead("ups", "ground", 1); ok {
		t.Error("a lead from an artifact that has none")
	}
}
