package trackpage

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parcelcast/parcelcast/internal/browser"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestPagesInBrowser renders each kind of page in headless Chromium:
// the headline, no console error or failed load, no serious or critical
// accessibility violation, and screenshots at desktop and phone widths
// in test-artifacts/.
func TestPagesInBrowser(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	order := "/track?" + url.Values{"order": {fixtureOrder}, "postal_code": {fixturePostal}}.Encode()
	tests := []struct {
		name, path string
		code       int
		sel, want  string
	}{
		{"in-flight", "/track/" + f.numbers[caseInFlight], 200, "h1", "Arriving "},
		{"out-for-delivery", "/track/" + f.numbers[caseOut], 200, "h1", "Arriving today"},
		{"delivered", "/track/" + f.numbers[caseDelivered], 200, "h1", "Delivered Tuesday at 10:30 am"},
		{"exception", "/track/" + f.numbers[caseException], 200, ".problems", "No scan for 26 hours"},
		{"returned-to-sender", "/track/" + f.numbers[caseReturned], 200, "h1", "Returned to the sender"},
		{"late", "/track/" + f.numbers[caseLate], 200, "h1", "Running late: now expected"},
		{"unknown-number", "/track/" + f.unknown, 404, "h1", "We could not find that parcel"},
		{"order", order, 200, "h1", "Track your order " + fixtureOrder},
		{"order-lookup", "/track", 200, "h1", "Find your order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := browser.NewTab(t)
			if got := tab.Navigate(srv.URL + tc.path); got != tc.code {
				t.Fatalf("GET %s: %d, want %d", tc.path, got, tc.code)
			}
			if got := tab.Text(tc.sel); !strings.Contains(got, tc.want) {
				t.Errorf("%s is %q, want it to hold %q", tc.sel, got, tc.want)
			}
			tab.AssertAccessible()
			tab.Screenshots("page")
		})
	}
	t.Run("order shows every shipment", func(t *testing.T) {
		tab := browser.NewTab(t)
		tab.Navigate(srv.URL + order)
		if n := tab.Count("article.shipment"); n != 2 {
			t.Errorf("%d shipments on the order's page, want 2", n)
		}
	})
}

// TestBandMatchesAPI reads the band's instants off the rendered SVG and
// compares them with what GET /v1/shipments/{tracking_number} answers.
func TestBandMatchesAPI(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	for _, c := range []string{caseInFlight, caseOut, caseLate} {
		n := f.numbers[c]
		resp, err := http.Get(srv.URL + "/v1/shipments/" + n)
		if err != nil {
			t.Fatal(err)
		}
		var view struct {
			ETA struct {
				P10, P50, P90 string
			} `json:"eta"`
			Promised string `json:"promised_delivery"`
		}
		err = json.NewDecoder(resp.Body).Decode(&view)
		resp.Body.Close()
		if err != nil || view.ETA.P50 == "" {
			t.Fatalf("%s: the API's view has no ETA (%v)", c, err)
		}
		tab := browser.NewTab(t)
		tab.Navigate(srv.URL + "/track/" + n)
		for attr, want := range map[string]string{"data-p10": view.ETA.P10, "data-p50": view.ETA.P50, "data-p90": view.ETA.P90, "data-promise": view.Promised} {
			if got, _ := tab.Attr(".band svg", attr); got != want {
				t.Errorf("%s: the band's %s is %q, the API's %q", c, attr, got, want)
			}
		}
		// The band is drawn in that order on the axis.
		xs := browser.Eval[[]float64](tab, `["rect.win", "line.p50"].map(s => document.querySelector(s)).map((e, i) => i == 0 ? [+e.getAttribute("x"), +e.getAttribute("x") + +e.getAttribute("width")] : [+e.getAttribute("x1")]).flat()`)
		if len(xs) != 3 || xs[2] < xs[0] || xs[2] > xs[1] {
			t.Errorf("%s: the p50 is drawn at %v, outside the window", c, xs)
		}
	}
}

// TestDeliveryOptionInBrowser chooses another day in the page's form,
// without JavaScript's help, and finds the request in the reloaded page's
// history, stored in ClickHouse.
func TestDeliveryOptionInBrowser(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	n := f.numbers[caseInFlight]
	tab := browser.NewTab(t)
	tab.Navigate(srv.URL + "/track/" + n)
	form := `details.option:has(input[name=type][value=reschedule])`
	tab.Run(chromedp.Click(chromedp.CSS(form + " summary")))
	day, _ := tab.Attr(form+" input[name=date]:checked", "value")
	tab.Fill(form+" input[name=confirm_postal_code]", fixturePostal)
	if code := tab.Submit(form + " button[type=submit]"); code != http.StatusOK {
		t.Fatalf("after the form: %d", code)
	}
	if got := tab.Text(".notice"); !strings.Contains(got, "sent to the carrier") {
		t.Errorf("notice %q", got)
	}
	tab.Navigate(srv.URL + "/track/" + n) // a reload, from the live state and ClickHouse
	if got := tab.Text(".timeline .instr"); !strings.Contains(got, "Deliver on another day") || !strings.Contains(got, "sent, waiting for the carrier") {
		t.Errorf("the history's request line is %q", got)
	}
	tab.AssertAccessible()
	tab.Screenshots("after-reschedule")
	stored := 0
	err := chstore.NewInstructions(f.db).Since(t.Context(), fixtureNow.Add(-time.Hour), func(in schemas.Instruction) error {
		if in.TrackingNumber == n && in.Date == day && in.Type == schemas.InstructionReschedule {
			stored++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored != 1 {
		t.Errorf("%d instructions stored for %s on %s, want 1", stored, n, day)
	}
}
