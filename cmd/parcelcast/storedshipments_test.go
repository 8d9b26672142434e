package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict"
)

// storedShipments answers predict's shipment, order and customer lookups
// from ClickHouse, every one a query: the scans of scan_events and the
// references set through the API, which win over the feed's. serve
// answers from the live state; the end-to-end tests that store scans
// step by step read them back through this, the database's own answer.
type storedShipments struct {
	scans *chstore.Shipments
	refs  *chstore.References
}

func newStoredShipments(db *chstore.DB) *storedShipments {
	return &storedShipments{scans: chstore.NewShipments(db), refs: chstore.NewReferences(db)}
}

// Shipment implements predict.Shipments.
func (s *storedShipments) Shipment(ctx context.Context, trackingNumber string) (predict.Shipment, bool, error) {
	ships, err := s.load(ctx, []string{trackingNumber})
	if err != nil || len(ships) == 0 {
		return predict.Shipment{}, false, err
	}
	return ships[0], true, nil
}

// load returns the latest shipment of each number that has scans, with
// its references.
func (s *storedShipments) load(ctx context.Context, numbers []string) ([]predict.Shipment, error) {
	recs, err := s.scans.LatestOf(ctx, numbers)
	if err != nil {
		return nil, err
	}
	refs, err := s.refs.GetMany(ctx, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]predict.Shipment, 0, len(recs))
	for _, n := range numbers {
		rec, ok := recs[n]
		if !ok {
			continue
		}
		sh := shipmentOf(&rec)
		if ref, ok := refs[n]; ok {
			applyRefs(&sh, ref)
		}
		out = append(out, sh)
	}
	return out, nil
}

// shipmentOf is the predict view of a stored journey: its timeline, the
// latest mode and feed references any of its scans name, and when its
// newest scan was ingested.
func shipmentOf(rec *chstore.ShipmentRecord) predict.Shipment {
	sh := predict.Shipment{Journey: rec.Journey, Timeline: make([]predict.TimelineScan, len(rec.Events))}
	for i := range rec.Events {
		e := &rec.Events[i]
		sh.Timeline[i] = predict.TimelineScan{EventID: e.EventID, Time: e.EventTime, OffsetMinutes: e.UTCOffsetMinutes,
			Status: e.Status, StatusDetail: e.StatusDetail, CarrierCode: e.CarrierCode, Description: e.Description,
			Location: e.Location, Mode: e.Mode}
		sh.Mode = cmp.Or(e.Mode, sh.Mode)
		sh.OrderRef = cmp.Or(e.OrderRef, sh.OrderRef)
		sh.CustomerRef = cmp.Or(e.CustomerRef, sh.CustomerRef)
		if e.Source.IngestedAt.After(sh.UpdatedAt) {
			sh.UpdatedAt = e.Source.IngestedAt
		}
	}
	return sh
}

// applyRefs gives sh the references set through the API on its number,
// unless sh began after they were set: they were set on an earlier
// shipment under a reused number, and sh keeps its feed's.
func applyRefs(sh *predict.Shipment, ref chstore.Ref) {
	if len(sh.Scans) > 0 && sh.Scans[0].Time.After(ref.UpdatedAt) {
		return
	}
	sh.References = predict.References{OrderRef: ref.OrderRef, CustomerRef: ref.CustomerRef}
}

// byRef returns the shipments whose references, as they stand, carry ref
// as their order (order true) or customer reference: in flight first,
// then by newest scan, then by number.
func (s *storedShipments) byRef(ctx context.Context, order bool, ref string) ([]predict.Shipment, error) {
	fromFeed, err := s.scans.NumbersByRef(ctx, order, ref)
	if err != nil {
		return nil, err
	}
	fromAPI, err := s.refs.Numbers(ctx, order, ref)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, n := range append(fromFeed, fromAPI...) {
		set[n] = true
	}
	ships, err := s.load(ctx, slices.Sorted(maps.Keys(set)))
	if err != nil {
		return nil, err
	}
	ships = slices.DeleteFunc(ships, func(sh predict.Shipment) bool {
		got := sh.CustomerRef
		if order {
			got = sh.OrderRef
		}
		return got != ref
	})
	slices.SortStableFunc(ships, func(a, b predict.Shipment) int {
		return cmp.Or(compareBool(inFlight(&b), inFlight(&a)),
			b.Scans[len(b.Scans)-1].Time.Compare(a.Scans[len(a.Scans)-1].Time),
			cmp.Compare(a.TrackingNumber, b.TrackingNumber))
	})
	return ships, nil
}

func inFlight(sh *predict.Shipment) bool {
	return !sh.Scans[len(sh.Scans)-1].Status.Terminal() && !delivered(sh)
}

func delivered(sh *predict.Shipment) bool {
	_, ok := sh.DeliveredAt()
	return ok
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// ByOrder implements predict.Orders.
func (s *storedShipments) ByOrder(ctx context.Context, orderRef string) ([]predict.Shipment, error) {
	return s.byRef(ctx, true, orderRef)
}

// ByCustomer implements predict.Orders. Its cursor is the offset of the
// page in the customer's shipments as they stand at each request.
func (s *storedShipments) ByCustomer(ctx context.Context, customerRef, after string, limit int) ([]predict.Shipment, string, error) {
	from := 0
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 {
			return nil, "", &predict.BadCursorError{Cursor: after}
		}
		from = n
	}
	ships, err := s.byRef(ctx, false, customerRef)
	if err != nil {
		return nil, "", fmt.Errorf("shipments of a customer: %w", err)
	}
	if from >= len(ships) {
		return nil, "", nil
	}
	to := min(from+limit, len(ships))
	next := ""
	if to < len(ships) {
		next = strconv.Itoa(to)
	}
	return ships[from:to], next, nil
}

var (
	_ predict.Shipments = (*storedShipments)(nil)
	_ predict.Orders    = (*storedShipments)(nil)
)
