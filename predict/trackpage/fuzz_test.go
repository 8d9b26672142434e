package trackpage

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

var (
	fuzzOnce sync.Once
	fuzzFix  *fixture
)

// FuzzPage sends the page's routes any number, query and form: every
// answer is a whole HTML page of a status below 500, and no form is taken
// without the page's token.
func FuzzPage(f *testing.F) {
	f.Add("1Z001AA10000000001", "order=ORD-1001&postal_code=60601", "type=reschedule&date=2026-12-02&csrf=x&key=page-1")
	f.Add("", "order=&postal_code=", "")
	f.Add("%00", "postal_code=60601-1234&order=ORD-1001", "type=redirect&line1=%FF&country=US")
	f.Add("1Z999AA10123456784", "order="+strings.Repeat("x", 300), "csrf=AAAA&type=hold_at_location&pickup_point=UPS-ACC-CHI-1")
	f.Fuzz(func(t *testing.T, number, query, form string) {
		fuzzOnce.Do(func() { fuzzFix = newFixture(t) })
		h := fuzzFix.handler()
		for _, req := range []*http.Request{
			httptest.NewRequest("GET", "/track/"+url.PathEscape(number), nil),
			httptest.NewRequest("GET", "/track?"+queryOf(query), nil),
			httptest.NewRequest("POST", "/track/"+url.PathEscape(number)+"/instructions", strings.NewReader(form)),
		} {
			if req.Method == "POST" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code >= 500 {
				t.Fatalf("%s %s: %d", req.Method, req.URL, rec.Code)
			}
			if rec.Code == http.StatusSeeOther {
				t.Fatalf("%s %s: a form was taken without a token: %q", req.Method, req.URL, form)
			}
			switch ct := rec.Header().Get("Content-Type"); {
			case rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect || rec.Code == http.StatusPermanentRedirect:
				// the mux cleaning the path
			case strings.HasPrefix(ct, "text/html"):
				if !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
					t.Fatalf("%s %s: %d, not a whole page: %q", req.Method, req.URL, rec.Code, body[:min(len(body), 200)])
				}
			case ct != "application/json":
				t.Fatalf("%s %s: %d with Content-Type %q", req.Method, req.URL, rec.Code, ct)
			}
		}
	})
}

// queryOf is a query as a browser would send it.
func queryOf(s string) string {
	q, _ := url.ParseQuery(s)
	return q.Encode()
}

// FuzzReadPoints reads any pickup point file: a list or an error.
func FuzzReadPoints(f *testing.F) {
	f.Add(`[{"carrier":"ups","id":"P1","name":"Shop","address":{"line1":"1 Main St","city":"Chicago","region":"IL","postal_code":"60601","country":"US"}}]`)
	f.Add(`[{"id":""}]`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ReadPoints(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, p := range l.points {
			if got, ok := l.Point(p.Carrier, p.ID); !ok || got.ID != p.ID {
				t.Fatalf("point %q listed but not found", p.ID)
			}
		}
	})
}
