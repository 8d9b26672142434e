package predict

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// memExceptions is a fake of the scanner: a fixed list of exceptions.
type memExceptions []schemas.Exception

func (m memExceptions) ExceptionsOf(tn string) []schemas.Exception {
	var out []schemas.Exception
	for _, e := range m {
		if e.TrackingNumber == tn {
			out = append(out, e)
		}
	}
	return out
}

func (m memExceptions) ListExceptions(q ExceptionQuery) ([]schemas.Exception, string) {
	var out []schemas.Exception
	for _, e := range m {
		if q.Matches(&e) && e.ID > q.After {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	if len(out) > q.Limit {
		return out[:q.Limit], out[q.Limit-1].ID
	}
	return out, ""
}

// testExceptions: a stall and a resolved late of the ups shipment the
// shipment server holds, one of an older shipment under its number, and
// a fedex customs hold.
func testExceptions() memExceptions {
	resolved := t0.Add(5 * time.Hour)
	return memExceptions{
		{ID: "a1", Type: "stalled", State: schemas.ExceptionOpen, TrackingNumber: "1Z999AA10123456784", Carrier: "ups",
			ShipmentStart: t0, Reason: "no scan for 3 days; parcels at this point usually move within 20 hours", OpenedAt: t0.Add(20 * time.Hour)},
		{ID: "a2", Type: "late", State: schemas.ExceptionResolved, TrackingNumber: "1Z999AA10123456784", Carrier: "ups",
			ShipmentStart: t0, Reason: "expected after the promise", OpenedAt: t0.Add(time.Hour), ResolvedAt: &resolved},
		{ID: "a3", Type: "lost", State: schemas.ExceptionOpen, TrackingNumber: "1Z999AA10123456784", Carrier: "ups",
			ShipmentStart: t0.Add(-90 * 24 * time.Hour), Reason: "an older shipment under the number", OpenedAt: t0.Add(-80 * 24 * time.Hour)},
		{ID: "b1", Type: "customs_hold", State: schemas.ExceptionOpen, TrackingNumber: "799531274483", Carrier: "fedex",
			ShipmentStart: t0.Add(time.Hour), Reason: "held in customs since Mon 23 Nov", Detail: "CH: customs", OpenedAt: t0.Add(2 * time.Hour)},
	}
}

func newExceptionServer(t *testing.T) *Server {
	t.Helper()
	base := newTestServer(t)
	store := newStore()
	ex := testExceptions()
	return NewServer(store, base.Model(), Options{Now: func() time.Time { return t0.Add(4 * time.Hour) },
		Orders: store, References: store, LiveReferences: store, Exceptions: ex, ExceptionList: ex})
}

func TestExceptionsRoute(t *testing.T) {
	s := newExceptionServer(t)
	unconfigured := newShipmentServer(t, newStore())
	for _, tc := range []struct {
		name  string
		s     *Server
		query string
		code  int
		ids   string // the ids of the page, comma-separated
		next  string
	}{
		{"open by default", s, "", 200, "a1,a3,b1", ""},
		{"every state", s, "state=all", 200, "a1,a2,a3,b1", ""},
		{"resolved", s, "state=resolved", 200, "a2", ""},
		{"by type", s, "type=customs_hold", 200, "b1", ""},
		{"by carrier", s, "carrier=ups&state=all", 200, "a1,a2,a3", ""},
		{"none of a type", s, "type=returned", 200, "", ""},
		{"first page", s, "limit=2", 200, "a1,a3", "a3"},
		{"next page", s, "limit=2&cursor=a3", 200, "b1", ""},
		{"unknown type", s, "type=lost_in_space", 400, "", ""},
		{"unknown state", s, "state=closed", 400, "", ""},
		{"limit zero", s, "limit=0", 400, "", ""},
		{"limit too big", s, "limit=101", 400, "", ""},
		{"limit not a number", s, "limit=ten", 400, "", ""},
		{"cursor not ours", s, "cursor=ZZ", 400, "", ""},
		{"cursor too long", s, "cursor=" + strings.Repeat("a", 65), 400, "", ""},
		{"carrier too long", s, "carrier=" + strings.Repeat("x", 65), 400, "", ""},
		{"unknown parameter", s, "status=open", 400, "", ""},
		{"repeated parameter", s, "type=late&type=lost", 400, "", ""},
		{"not configured", unconfigured, "", 503, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.s.ServeHTTP(w, httptest.NewRequest("GET", "/v1/exceptions?"+tc.query, nil))
			if w.Code != tc.code {
				t.Fatalf("code %d, want %d: %s", w.Code, tc.code, w.Body)
			}
			if tc.code != 200 {
				return
			}
			var resp ExceptionsResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range resp.Exceptions {
				ids = append(ids, e.ID)
			}
			if got := strings.Join(ids, ","); got != tc.ids || resp.NextCursor != tc.next {
				t.Errorf("page %q next %q, want %q next %q", got, resp.NextCursor, tc.ids, tc.next)
			}
			if resp.Exceptions == nil {
				t.Error("exceptions is null, want a list")
			}
		})
	}
}

// The shipment view lists the exceptions of the shipment it shows.
func TestShipmentViewExceptions(t *testing.T) {
	s := newExceptionServer(t)
	for _, tc := range []struct {
		tn, want string
	}{
		{"1Z999AA10123456784", "late:resolved,stalled:open"},
		{"799531274483", "customs_hold:open"},
		{"9400111899223100000017", ""},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/v1/shipments/"+tc.tn, nil))
		if w.Code != 200 {
			t.Fatalf("%s: code %d: %s", tc.tn, w.Code, w.Body)
		}
		var resp ShipmentResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range resp.Exceptions {
			got = append(got, e.Type+":"+string(e.State))
		}
		sort.Strings(got)
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: exceptions %v, want %s", tc.tn, got, tc.want)
		}
	}
}

func FuzzExceptionQuery(f *testing.F) {
	for _, q := range []string{"", "type=stalled&carrier=ups&state=open&limit=20&cursor=ab12", "state=all", "limit=-1",
		"type=lost_in_space", "cursor=%00", "a=1&a=2", "limit=99999999999999999999"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ParseExceptionQuery(v)
		if err != nil {
			return
		}
		if q.Limit < 1 || q.Limit > MaxPageLimit {
			t.Errorf("limit %d accepted", q.Limit)
		}
		if q.Type != "" && !ValidExceptionType(q.Type) {
			t.Errorf("type %q accepted", q.Type)
		}
		if q.State != "" && q.State != schemas.ExceptionOpen && q.State != schemas.ExceptionResolved {
			t.Errorf("state %q accepted", q.State)
		}
		if len(q.After) > 64 || len(q.Carrier) > 64 {
			t.Errorf("cursor of %d or carrier of %d bytes accepted", len(q.After), len(q.Carrier))
		}
	})
}
