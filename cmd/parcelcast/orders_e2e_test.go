package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict"
)

// TestOrdersEndToEnd: an order reference a generic-feed scan carries and
// one set by a PUT both put their shipment in the order's view, through
// Kafka, ingest and ClickHouse; a PUT wins over the feed's reference.
func TestOrdersEndToEnd(t *testing.T) {
	ctx := context.Background()
	_, conn := migratedDatabase(t, "e2e_refs_")

	// Three shipments on the generic feed: the first two carry references.
	topic := testenv.RandomName(ingest.RawTopicPrefix+"e2e_refs_") + ".generic"
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, topic, ingest.DeadLetterTopic); err != nil {
		t.Fatal(err)
	}
	records := []string{
		`{"tracking_number":"LX40012345678","carrier":"lasership","service":"ground","status":"picked_up","event_time":"2026-06-02T09:10:00-04:00","location":{"city":"Edison","region":"NJ","postal_code":"08817","country":"US"},"destination":{"postal_code":"10001","region":"NY","country":"US"},"order_ref":"ORD-77","customer_ref":"CUS-5"}`,
		`{"tracking_number":"LX40012345678","carrier":"lasership","service":"ground","status":"in_transit","event_time":"2026-06-02T19:10:00-04:00","location":{"city":"Newark","region":"NJ","country":"US"},"order_ref":"ORD-77"}`,
		`{"tracking_number":"LX40012345679","carrier":"lasership","service":"ground","status":"picked_up","event_time":"2026-06-02T09:20:00-04:00","order_ref":"ORD-77","customer_ref":"CUS-5"}`,
		`{"tracking_number":"1Z999AA10123456784","carrier":"ups","service":"ground","status":"picked_up","event_time":"2026-06-02T10:00:00-04:00","location":{"city":"Albany","region":"NY","country":"US"}}`,
	}
	w := newScanWriter(env.Kafka.Brokers)
	msgs := make([]kafka.Message, len(records))
	for i, r := range records {
		var scan struct {
			TrackingNumber string `json:"tracking_number"`
		}
		if err := json.Unmarshal([]byte(r), &scan); err != nil {
			t.Fatal(err)
		}
		msgs[i] = kafka.Message{Topic: topic, Key: []byte(scan.TrackingNumber), Value: []byte(r)}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := ingestAll(ctx, env.Kafka.Brokers, map[string]string{topic: "generic"}, conn, int64(len(records)), nil); err != nil {
		t.Fatalf("ingest: %v", err)
	}

	stored := newStoredShipments(conn)
	now := time.Date(2026, 6, 3, 12, 0, 0, 0, time.UTC)
	srv := predict.NewServer(stored, nil, predict.Options{Now: func() time.Time { return now },
		Orders: stored, References: chstore.NewReferences(conn)})
	put := func(tn, body string) {
		t.Helper()
		req := httptest.NewRequest("PUT", "/v1/shipments/"+tn+"/references", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", tn, rec.Code, rec.Body)
		}
	}
	order := func(ref string) []string {
		t.Helper()
		var resp predict.OrderResponse
		getJSON(t, srv, "/v1/orders/"+ref, &resp)
		var numbers []string
		for _, s := range resp.Shipments {
			numbers = append(numbers, s.TrackingNumber)
		}
		slices.Sort(numbers)
		return numbers
	}
	if got := order("ORD-77"); !slices.Equal(got, []string{"LX40012345678", "LX40012345679"}) {
		t.Fatalf("order from the feed: %v", got)
	}
	// The UPS shipment joins the order by a PUT; the second LaserShip one
	// leaves it for another, as a PUT wins over the feed.
	put("1Z999AA10123456784", `{"order_ref":"ORD-77","customer_ref":"CUS-5"}`)
	put("LX40012345679", `{"order_ref":"ORD-78"}`)
	if got := order("ORD-77"); !slices.Equal(got, []string{"1Z999AA10123456784", "LX40012345678"}) {
		t.Errorf("order after the PUTs: %v", got)
	}
	if got := order("ORD-78"); !slices.Equal(got, []string{"LX40012345679"}) {
		t.Errorf("the other order: %v", got)
	}
	// The shipment view shows the feed's references and its timeline.
	var view predict.ShipmentResponse
	getJSON(t, srv, "/v1/shipments/LX40012345678", &view)
	if view.References.OrderRef != "ORD-77" || view.References.CustomerRef != "CUS-5" || len(view.Timeline) != 2 ||
		view.Timeline[1].Location.City != "Newark" || view.Timeline[1].LocalTime != "2026-06-02T19:10:00-04:00" ||
		view.TrackingURL == "" {
		t.Errorf("shipment view: %+v", view)
	}
	// The customer's shipments, a page at a time: CUS-5 lost LX40012345679 to the PUT.
	var page predict.CustomerShipmentsResponse
	getJSON(t, srv, "/v1/customers/CUS-5/shipments?limit=1", &page)
	if len(page.Shipments) != 1 || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	got := []string{page.Shipments[0].TrackingNumber}
	next := predict.CustomerShipmentsResponse{}
	getJSON(t, srv, "/v1/customers/CUS-5/shipments?limit=1&cursor="+page.NextCursor, &next)
	for _, s := range next.Shipments {
		got = append(got, s.TrackingNumber)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"1Z999AA10123456784", "LX40012345678"}) || next.NextCursor != "" {
		t.Errorf("customer pages: %v, next %q", got, next.NextCursor)
	}
}
