package importer

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Order and customer references reach every event of the shipment, from
// the importer's own columns, from mapped ones and from JSON Lines; a bad
// one rejects the row.
func TestImportReferences(t *testing.T) {
	const row = "1Z999AA10123456702,ups,2026-03-02T17:30:00-05:00,2026-03-05T14:12:00-06:00"
	for _, tc := range []struct {
		name, in      string
		format        Format
		mapping       string
		order, cust   string
		rejected      int
		rejectedField string
	}{
		{name: "own columns", format: CSV, in: "tracking_number,carrier,ship_time,delivered_time,order_ref,customer_ref\n" + row + ", ORD-1 ,CUS-9\n",
			order: "ORD-1", cust: "CUS-9"},
		{name: "mapped", format: CSV, mapping: "order_number=order_ref,buyer=customer_ref,id=tracking_number,shipped=ship_time,delivered=delivered_time,carrier=carrier",
			in: "id,carrier,shipped,delivered,order_number,buyer\n" + row + ",Pedido 7,cliente-3\n", order: "Pedido 7", cust: "cliente-3"},
		{name: "none", format: CSV, in: "tracking_number,carrier,ship_time,delivered_time\n" + row + "\n"},
		{name: "jsonl", format: JSONL, in: `{"tracking_number":"1Z999AA10123456702","carrier":"ups","ship_time":"2026-03-02T17:30:00-05:00","order_ref":"ORD-2","customer_ref":"CUS-2"}` + "\n",
			order: "ORD-2", cust: "CUS-2"},
		{name: "too long", format: CSV, in: "tracking_number,carrier,ship_time,delivered_time,order_ref\n" + row + "," + strings.Repeat("x", 129) + "\n",
			rejected: 1, rejectedField: "order_ref"},
		{name: "control character", format: JSONL, in: `{"tracking_number":"1Z999AA10123456702","carrier":"ups","ship_time":"2026-03-02T17:30:00-05:00","customer_ref":"a\u0007b"}` + "\n",
			rejected: 1, rejectedField: "customer_ref"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Now: func() time.Time { return now }}
			if tc.mapping != "" {
				m, err := ParseMapping(tc.mapping)
				if err != nil {
					t.Fatal(err)
				}
				opts.Map = m
			}
			var w memWriter
			rep, err := Import(context.Background(), strings.NewReader(tc.in), tc.format, &w, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rejected != tc.rejected {
				t.Fatalf("report %+v, want %d rejected", rep, tc.rejected)
			}
			if tc.rejected > 0 {
				if !strings.Contains(rep.Errors[0].Error(), tc.rejectedField) {
					t.Errorf("rejection %v does not name %s", rep.Errors[0], tc.rejectedField)
				}
				return
			}
			if len(w.events) == 0 {
				t.Fatal("no events")
			}
			for _, e := range w.events {
				if e.OrderRef != tc.order || e.CustomerRef != tc.cust {
					t.Errorf("%s event: refs %q %q, want %q %q", e.Status, e.OrderRef, e.CustomerRef, tc.order, tc.cust)
				}
			}
		})
	}
}
