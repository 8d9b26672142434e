package trackpage

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// send serves a request, returning the status, headers and body.
func send(t *testing.T, h http.Handler, req *http.Request) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, string(b)
}

func get(t *testing.T, h http.Handler, path string) (int, http.Header, string) {
	t.Helper()
	return send(t, h, httptest.NewRequest("GET", path, nil))
}

func TestShipmentPages(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, path string
		code       int
		state      string
		want       []string // in the page
		not        []string // never in the page
	}{
		{"in flight", "/track/" + f.numbers[caseInFlight], 200, "in_transit",
			[]string{"Arriving ", "8 in 10 parcels like this one arrive", "<svg", "data-p50=", "Promised by Friday, 11 December",
				"UPS Ground, by road", "Pickup scan", "Louisville, KY", "Deliver on another day", "Hold at a pickup point",
				"The UPS Store 1234", `name="csrf"`, "confirm_postal_code", `aria-current="step"`,
				"<dd>Monday, 30 November, 5:01 am</dd>"}, // in Chicago's time, not Louisville's where it was last scanned
			[]string{"60601", "FedEx Office", "<script"}},
		{"out for delivery", "/track/" + f.numbers[caseOut], 200, "out_for_delivery",
			[]string{"Out for delivery today", "At the local facility", "Arriving today"}, nil},
		{"delivered", "/track/" + f.numbers[caseDelivered], 200, "delivered",
			[]string{"Delivered Tuesday at 10:30 am", "Delivered, front door", "No changes can be made", "Out for delivery &lt;img src=x onerror=alert(1)&gt;"},
			[]string{"<svg", `name="csrf"`, "SMITH", "signed", "<img"}},
		{"exception", "/track/" + f.numbers[caseException], 200, "exception",
			[]string{"What is happening", "No scan for 26 hours; parcels at this point usually move within 20 hours", "Weather delay: severe storms",
				"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"},
			[]string{"<script"}},
		{"returned", "/track/" + f.numbers[caseReturned], 200, "returned",
			[]string{"Returned to the sender", "Returned to sender", "Returned to shipper: refused"}, []string{"<svg"}},
		{"late", "/track/" + f.numbers[caseLate], 200, "late", []string{"Running late: now expected"}, nil},
		{"label only", "/track/" + f.numbers[caseLabel], 200, "", []string{"Label created"}, nil},
		{"unknown number", "/track/" + f.unknown, 404, "", []string{"We could not find that parcel"}, nil},
		{"malformed number", "/track/not-a-number", 404, "", []string{"We could not find that parcel"}, nil},
		{"order lookup form", "/track", 200, "", []string{"Find your order", `name="order"`, `name="postal_code"`}, nil},
		{"order", "/track?order=" + fixtureOrder + "&postal_code=" + fixturePostal, 200, "",
			[]string{"Track your order ORD-1001", "Parcel 1 of 2", "Parcel 2 of 2", f.numbers[caseOrderA], f.numbers[caseOrderB]},
			[]string{"confirm_postal_code", f.numbers[caseOrderC]}},
		{"order, the other address's parcel alone", "/track?order=" + fixtureOrder + "&postal_code=10001", 200, "",
			[]string{"Parcel 1 of 1", f.numbers[caseOrderC]}, []string{f.numbers[caseOrderA], f.numbers[caseOrderB]}},
		{"order, postal code written another way", "/track?order=" + fixtureOrder + "&postal_code=60601-1234", 200, "", []string{"Parcel 2 of 2"}, nil},
		{"order, wrong postal code", "/track?order=" + fixtureOrder + "&postal_code=10002", 404, "",
			[]string{"We could not find that order"}, []string{f.numbers[caseOrderA]}},
		{"order unknown", "/track?order=NOPE-1&postal_code=60601", 404, "", []string{"We could not find that order"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := get(t, f.handler(), tc.path)
			if code != tc.code {
				t.Fatalf("GET %s: %d, want %d\n%s", tc.path, code, tc.code, body)
			}
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if h.Get("Content-Security-Policy") == "" || h.Get("Cache-Control") == "" {
				t.Errorf("headers: %v", h)
			}
			if tc.state != "" && !strings.Contains(body, `data-state="`+tc.state+`"`) {
				t.Errorf("state %q not in the page:\n%s", tc.state, firstLines(body))
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%q not in the page", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("%q in the page", w)
				}
			}
			if len(body) > 50<<10 {
				t.Errorf("page weight %d bytes, over 50 KB", len(body))
			}
		})
	}
}

// firstLines is the page without its stylesheet, cut short.
func firstLines(s string) string {
	if a, b := strings.Index(s, "<style>"), strings.Index(s, "</style>"); a >= 0 && b > a {
		s = s[:a] + s[b:]
	}
	if len(s) > 4000 {
		return s[:4000]
	}
	return s
}

var (
	csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	keyRe  = regexp.MustCompile(`name="key" value="([^"]+)"`)
	dateRe = regexp.MustCompile(`name="date" value="([0-9-]+)"`)
)

func post(t *testing.T, h http.Handler, path string, form url.Values, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return send(t, h, req)
}

func TestInstructionForm(t *testing.T) {
	f := newFixture(t)
	n := f.numbers[caseInFlight]
	_, hdr, page := get(t, f.handler(), "/track/"+n)
	etag := hdr.Get("ETag")
	revalidate := func() int {
		req := httptest.NewRequest("GET", "/track/"+n, nil)
		req.Header.Set("If-None-Match", etag)
		code, _, _ := send(t, f.handler(), req)
		return code
	}
	if etag == "" || revalidate() != http.StatusNotModified {
		t.Fatalf("the unchanged page is not answered 304 to its ETag %q", etag)
	}
	tok, key, day := csrfRe.FindStringSubmatch(page), keyRe.FindStringSubmatch(page), dateRe.FindStringSubmatch(page)
	if tok == nil || key == nil || day == nil {
		t.Fatalf("no reschedule form in the page")
	}
	form := func(mod func(url.Values)) url.Values {
		v := url.Values{"csrf": {tok[1]}, "type": {"reschedule"}, "key": {key[1]}, "date": {day[1]},
			"confirm_postal_code": {"60601"}, "back": {"/track/" + n}}
		if mod != nil {
			mod(v)
		}
		return v
	}
	path := "/track/" + n + "/instructions"
	bad := []struct {
		name string
		form url.Values
		hdr  map[string]string
		code int
		want string
	}{
		{"no token", form(func(v url.Values) { v.Del("csrf") }), nil, 403, "expired"},
		{"token of another number", form(func(v url.Values) {
			v.Set("csrf", f.page.tokens.issue(f.numbers[caseOut], false, fixtureNow))
		}), nil, 403, "expired"},
		{"expired token", form(func(v url.Values) {
			v.Set("csrf", f.page.tokens.issue(n, false, fixtureNow.Add(-3*f.page.opts.TokenTTL)))
		}), nil, 403, "expired"},
		{"from another site", form(nil), map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "another site"},
		{"wrong postal code", form(func(v url.Values) { v.Set("confirm_postal_code", "10001") }), nil, 422, "does not match"},
		{"past date", form(func(v url.Values) { v.Set("date", "2026-11-30") }), nil, 422, "is not after"},
		{"no date", form(func(v url.Values) { v.Del("date") }), nil, 422, "choose a day"},
		{"unknown pickup point", form(func(v url.Values) { v.Set("type", "hold_at_location"); v.Set("pickup_point", "FDX-1") }), nil, 422, "choose one of the pickup points"},
		{"bad address", form(func(v url.Values) {
			v.Set("type", "redirect")
			v.Set("line1", "1 Main St")
			v.Set("city", "Springfield")
			v.Set("country", "US")
			v.Set("postal_code", "ABCDE")
		}), nil, 422, "postal code"},
		{"unknown type", form(func(v url.Values) { v.Set("type", "teleport") }), nil, 422, "unknown delivery option"},
		{"no key", form(func(v url.Values) { v.Del("key") }), nil, 400, "could not be read"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := post(t, f.handler(), path, tc.form, tc.hdr)
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Fatalf("%d, want %d with %q:\n%s", code, tc.code, tc.want, firstLines(body))
			}
		})
	}
	code, h, body := post(t, f.handler(), path, form(nil), nil)
	if code != http.StatusSeeOther {
		t.Fatalf("reschedule: %d\n%s", code, firstLines(body))
	}
	loc := h.Get("Location")
	if !strings.HasPrefix(loc, "/track/"+n+"?done=1") {
		t.Fatalf("redirected to %q", loc)
	}
	// The same form again names the same instruction.
	if code, _, _ := post(t, f.handler(), path, form(nil), nil); code != http.StatusSeeOther {
		t.Fatalf("resubmitted: %d", code)
	}
	if code := revalidate(); code != http.StatusOK {
		t.Errorf("after an instruction the page's old ETag is answered %d, want 200", code)
	}
	loc, _, _ = strings.Cut(loc, "#") // a browser keeps the fragment
	_, _, after := get(t, f.handler(), loc)
	for _, w := range []string{"Your request was sent to the carrier.", "Deliver on another day: ", "sent, waiting for the carrier"} {
		if !strings.Contains(after, w) {
			t.Errorf("%q not in the page after the request", w)
		}
	}
	if strings.Count(after, `class="instr"`) != 1 {
		t.Errorf("%d instructions in the timeline, want 1", strings.Count(after, `class="instr"`))
	}
	// A pending instruction closes the other options, and can be cancelled.
	if strings.Contains(after, `name="type"`) || !strings.Contains(after, "Cancel this request") {
		t.Fatalf("options offered while an instruction is pending, or no way to cancel it")
	}
	cancelTok := regexp.MustCompile(`name="csrf" value="([^"]+)"><input type="hidden" name="cancel" value="([^"]+)"`).FindStringSubmatch(after)
	if cancelTok == nil {
		t.Fatal("no cancel form")
	}
	cancel := url.Values{"csrf": {cancelTok[1]}, "cancel": {cancelTok[2]}, "back": {"/track/" + n}, "confirm_postal_code": {"60601"}}
	if code, _, body := post(t, f.handler(), path, cancel, nil); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", code, firstLines(body))
	}
	_, _, cancelled := get(t, f.handler(), "/track/"+n)
	if !strings.Contains(cancelled, "<span class=\"status\">cancelled</span>") || !strings.Contains(cancelled, `name="type"`) {
		t.Errorf("after the cancel: the request not shown cancelled, or the options not open again")
	}
	if code, _, _ := post(t, f.handler(), path, cancel, nil); code != http.StatusSeeOther {
		t.Errorf("the cancel again: %d, want the same answer", code)
	}
}

func TestOrderFormNeedsNoPostalCode(t *testing.T) {
	f := newFixture(t)
	back := "/track?order=" + fixtureOrder + "&postal_code=" + fixturePostal
	_, _, page := get(t, f.handler(), back)
	tok, key := csrfRe.FindStringSubmatch(page), keyRe.FindStringSubmatch(page)
	if tok == nil || key == nil {
		t.Fatal("no form on the order page")
	}
	n := f.numbers[caseOrderA]
	code, h, body := post(t, f.handler(), "/track/"+n+"/instructions", url.Values{"csrf": {tok[1]}, "type": {"redirect"}, "key": {key[1]},
		"back": {back}, "line1": {"100 N State St"}, "city": {"Chicago"}, "region": {"IL"}, "postal_code": {"60602"}, "country": {"US"}}, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("redirect: %d\n%s", code, firstLines(body))
	}
	loc, _, _ := strings.Cut(h.Get("Location"), "#")
	_, _, after := get(t, f.handler(), loc)
	if !strings.Contains(after, "Deliver to another address: 100 N State St, Chicago, 60602, US") {
		t.Errorf("the order page does not show the new address in full")
	}
	_, _, byNumber := get(t, f.handler(), "/track/"+n)
	if strings.Contains(byNumber, "100 N State St") || !strings.Contains(byNumber, "Deliver to another address: Chicago") {
		t.Errorf("the page by number alone shows the street, or not the city")
	}
}

// Each client address has its own rate; an order lookup costs more than
// a page, and a lookup always fits in a burst.
func TestPageRateLimit(t *testing.T) {
	f := newFixture(t)
	page, err := New(f.srv, Options{PerClient: 0.001, Burst: 3, LookupCost: 10})
	if err != nil {
		t.Fatal(err)
	}
	from := func(addr, path string) int { // the order lookup, from a client address
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		page.handleOrder(rec, req)
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
		return rec.Code
	}
	order := "/track?order=" + fixtureOrder + "&postal_code=" + fixturePostal
	if code := from("10.0.0.1:1000", order); code != http.StatusOK {
		t.Fatalf("a first lookup: %d", code)
	}
	if code := from("10.0.0.1:1001", order); code != http.StatusTooManyRequests {
		t.Errorf("a second lookup at once from the same address: %d, want 429", code)
	}
	if code := from("10.0.0.2:1000", order); code != http.StatusOK {
		t.Errorf("a lookup from another address: %d, want 200", code)
	}
}

func TestSamePostalCode(t *testing.T) {
	us := func(pc string) schemas.Location { return schemas.Location{PostalCode: pc, Country: "US"} }
	br := func(pc string) schemas.Location { return schemas.Location{PostalCode: pc, Country: "BR"} }
	gb := func(pc string) schemas.Location { return schemas.Location{PostalCode: pc, Country: "GB"} }
	tests := []struct {
		given string
		dest  schemas.Location
		want  bool
	}{
		{"60601", us("60601"), true},
		{"60601-1234", us("60601"), true},
		{"60601", us("606011234"), true},
		{" 60601 ", us("60601"), true},
		{"60602", us("60601"), false},
		{"6060", us("60601"), false},
		{"606011", us("60601"), false},
		{"01310-100", br("01310100"), true},
		{"01310", br("01310-100"), false}, // a prefix is not a match outside the US
		{"sw1a 1aa", gb("SW1A 1AA"), true},
		{"SW1A1", gb("SW1A 1AA"), false},
		{"", us("60601"), false},
		{"60601", us(""), false},
	}
	for _, tc := range tests {
		if got := samePostalCode(tc.given, tc.dest); got != tc.want {
			t.Errorf("samePostalCode(%q, %s %q) = %v, want %v", tc.given, tc.dest.Country, tc.dest.PostalCode, got, tc.want)
		}
	}
}

func TestShownCarrierText(t *testing.T) {
	tests := []struct{ text, verified, alone string }{
		{"Delivered, front door", "Delivered, front door", "Delivered, front door"},
		{"Delivered, signed by J SMITH", "Delivered, signed by J SMITH", "Delivered"},
		{"LEFT WITH NEIGHBOUR AT 12 ELM ST", "LEFT WITH NEIGHBOUR AT 12 ELM ST", ""},
		{"Entregue – Recipient: Ana Souza", "Entregue – Recipient: Ana Souza", "Entregue"},
	}
	for _, tc := range tests {
		if got := shown(tc.text, true); got != tc.verified {
			t.Errorf("shown(%q) to the order's visitor = %q", tc.text, got)
		}
		if got := shown(tc.text, false); got != tc.alone {
			t.Errorf("shown(%q) by number alone = %q, want %q", tc.text, got, tc.alone)
		}
	}
}

// The band's axis holds now, the window and the promise, and at most
// maxBandDays: a promise far out is left off the drawing.
func TestBandEdges(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, time.UTC) }
	ptr := func(t time.Time) *time.Time { return &t }
	tests := []struct {
		name        string
		p10, p90    time.Time
		promise     *time.Time
		now         time.Time
		days        int
		promiseDraw bool
	}{
		{"now before the window", day(3, 12), day(5, 12), ptr(day(6, 0)), day(1, 12), 6, true},
		{"now after the window (late)", day(3, 12), day(4, 12), ptr(day(4, 0)), day(8, 12), 6, true},
		{"promise before the window", day(5, 12), day(6, 12), ptr(day(2, 0)), day(3, 12), 5, true},
		{"promise years ahead", day(3, 12), day(4, 12), ptr(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)), day(1, 12), maxBandDays, false},
		{"window reversed", day(5, 12), day(3, 12), nil, day(1, 12), 5, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &predict.Window{P10: tc.p10, P50: tc.p10.Add(time.Hour), P90: tc.p90}
			b := newBand(English, w, tc.promise, tc.now, time.UTC)
			if len(b.Days) != tc.days {
				t.Errorf("%d day cells, want %d", len(b.Days), tc.days)
			}
			if b.HasPromise != tc.promiseDraw {
				t.Errorf("promise drawn %v, want %v", b.HasPromise, tc.promiseDraw)
			}
			if !b.HasNow || b.XNow <= bandLeft || b.XNow >= bandRight {
				t.Errorf("now at %v (drawn %v), want it inside the axis", b.XNow, b.HasNow)
			}
			if b.X50 < b.X10 || b.X50 > b.X10+b.W || b.W <= 0 {
				t.Errorf("p50 at %v outside the window %v..%v", b.X50, b.X10, b.X10+b.W)
			}
		})
	}
}

// By number alone, a parcel's forms take a few wrong postal codes, then
// refuse for a while; the order's visitor is not asked.
func TestConfirmTries(t *testing.T) {
	f := newFixture(t)
	n := f.numbers[caseInFlight]
	_, _, page := get(t, f.handler(), "/track/"+n)
	tok, key, day := csrfRe.FindStringSubmatch(page), keyRe.FindStringSubmatch(page), dateRe.FindStringSubmatch(page)
	if tok == nil || key == nil || day == nil {
		t.Fatal("no form")
	}
	form := func(postal string) url.Values {
		return url.Values{"csrf": {tok[1]}, "type": {"reschedule"}, "key": {key[1]}, "date": {day[1]}, "confirm_postal_code": {postal}}
	}
	path := "/track/" + n + "/instructions"
	for i := range f.page.opts.ConfirmTries {
		if code, _, _ := post(t, f.handler(), path, form(fmt.Sprintf("1000%d", i)), nil); code != http.StatusUnprocessableEntity {
			t.Fatalf("wrong postal code %d: %d, want 422", i+1, code)
		}
	}
	code, h, body := post(t, f.handler(), path, form(fixturePostal), nil)
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many postal codes") {
		t.Fatalf("after the tries, the right code: %d %v", code, h)
	}
}
