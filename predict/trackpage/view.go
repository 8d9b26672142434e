package trackpage

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/milestones"
	"github.com/parcelcast/parcelcast/schemas"
)

// shipmentData is one shipment as the page shows it: every text already
// in the page's words, so the template only places them.
type shipmentData struct {
	Number      string
	Heading     string // "Parcel 1 of 2" on an order page
	State       string // in_transit, out_for_delivery, delivered, late, exception, returned, cancelled, label, pickup
	Headline    string
	Sure        string // how sure the estimate is, in words
	Promise     string
	Carrier     string // "UPS Ground"
	Mode        string // "by air"
	TrackingURL string
	From, To    string
	Updated     string
	Steps       []step
	Band        *band
	Problems    []problem
	Timeline    []row
	Forms       []form
	Pending     *pending // the request waiting for the carrier, which may be cancelled
	NoForms     string   // why no option is offered, when none is
	Done        bool     // an instruction was just given
	Back        string   // where a form returns to
	Order       bool     // shown as one of an order's shipments
	FormError   string
}

type step struct {
	Label string
	Done  bool
	Now   bool
	When  string
}

type problem struct {
	Reason, Detail, Since string
	Open                  bool
}

// row is one line of the history: a scan, or an instruction given.
type row struct {
	When, ISO, Place, Words, Status string
	Instruction                     bool
}

// pending is the shipment's request waiting for the carrier, as a form
// that cancels it.
type pending struct {
	ID, Words, Token string
	Confirm          bool
}

// form is one delivery option the customer can take now.
type form struct {
	Type    string
	Legend  string
	Groups  []group // the choices it asks for: a pickup point, a day
	Address bool
	Country string
	Token   string
	Key     string
	Confirm bool // ask the destination's postal code: the page was reached by number alone
}

// group is a set of choices of one field.
type group struct {
	Name, Legend string
	Choices      []choice
}

type choice struct{ Value, Label string }

// zoneOf is the destination's time zone: the delivery scan's offset
// once delivered, else the zone of the destination where its place
// resolves to one (daylight-saving time included), else the delivery
// window's offset, else the latest scan's.
func zoneOf(sh *predict.Shipment, v *predict.ShipmentResponse) *time.Location {
	off := sh.Scans[len(sh.Scans)-1].OffsetMinutes
	if at, ok := sh.DeliveredAt(); ok {
		for _, sc := range sh.Scans {
			if sc.Time.Equal(at) {
				off = sc.OffsetMinutes
			}
		}
		return time.FixedZone("", off*60)
	}
	if z, err := zone.Resolve(v.Destination); err == nil {
		if loc, err := z.Load(); err == nil {
			return loc
		}
	}
	if w := v.DeliveryWindow; w != nil {
		if m, ok := parseOffset(w.UTCOffset); ok {
			off = m
		}
	}
	return time.FixedZone("", off*60)
}

// parseOffset reads "+02:00" or "-05:30" as minutes.
func parseOffset(s string) (int, bool) {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[4:])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	if s[0] == '-' {
		return -(h*60 + m), true
	}
	return h*60 + m, true
}

// build makes the page's view of a shipment. verified says the visitor
// proved the order (its reference and postal code): addresses they gave
// are shown in full then, and a form asks for no postal code.
func (p *Page) build(sh *predict.Shipment, v *predict.ShipmentResponse, opts *predict.OptionsResponse, now time.Time, verified bool) shipmentData {
	loc := p.loc
	zone := zoneOf(sh, v)
	now = now.In(zone)
	d := shipmentData{Number: v.TrackingNumber, TrackingURL: v.TrackingURL,
		Carrier: strings.TrimSpace(loc.Carrier(v.Carrier) + " " + loc.Service(v.Service)), Mode: loc.Mode(v.Mode),
		From: place(v.Origin), To: place(v.Destination)}
	if !v.UpdatedAt.IsZero() {
		d.Updated = p.when(v.UpdatedAt.In(zone), now)
	}
	d.State, d.Headline = p.headline(sh, v, zone, now)
	if e := v.ETA; e != nil && d.State != "delivered" {
		a, b := e.P10.In(zone), e.P90.In(zone)
		if sameDay(a, b) {
			d.Sure = loc.T("sure") + " " + p.relDay(a, now) + "."
		} else {
			d.Sure = loc.T("sure") + " " + loc.T("between") + " " + p.relDay(a, now) + " " + loc.T("and") + " " + p.relDay(b, now) + "."
		}
		d.Band = newBand(loc, e, v.PromisedDelivery, now, zone)
	}
	if pr := v.PromisedDelivery; pr != nil {
		d.Promise = loc.T("promised") + " " + loc.Day(pr.In(zone))
	}
	d.Steps = p.steps(sh, zone, now)
	for _, e := range v.Exceptions {
		pb := problem{Reason: sentence(e.Reason), Detail: shown(e.Detail, verified), Open: e.State == schemas.ExceptionOpen, Since: p.when(e.OpenedAt.In(zone), now)}
		if pb.Open {
			d.Problems = append([]problem{pb}, d.Problems...)
		} else {
			d.Problems = append(d.Problems, pb)
		}
	}
	if (d.State == "in_transit" || d.State == "late") && len(d.Problems) > 0 && d.Problems[0].Open {
		d.State = "exception"
	}
	d.Timeline = p.timeline(v, zone, now, verified)
	if opts != nil {
		d.Forms, d.NoForms = p.forms(sh, opts, v.Instructions, zone, now, verified)
		for _, in := range v.Instructions {
			if in.State == string(schemas.InstructionPending) {
				d.Pending = &pending{ID: in.ID, Words: p.instructionWords(in, zone, verified),
					Token: p.tokens.issue(sh.TrackingNumber, verified, now), Confirm: !verified}
			}
		}
	}
	return d
}

// headline is the shipment's state and its one line.
func (p *Page) headline(sh *predict.Shipment, v *predict.ShipmentResponse, zone *time.Location, now time.Time) (string, string) {
	loc := p.loc
	last := sh.Scans[len(sh.Scans)-1].Status
	switch {
	case v.DeliveredAt != nil:
		at := v.DeliveredAt.In(zone)
		day := loc.Day(at)
		if now.Sub(at) < 6*24*time.Hour {
			day = loc.Weekday(at)
		}
		return "delivered", loc.T("delivered") + " " + day + " " + loc.T("at") + " " + loc.Clock(at)
	case last == schemas.StatusReturnedToSender:
		return "returned", loc.T("returned")
	case last == schemas.StatusCancelled:
		return "cancelled", loc.T("cancelled")
	case last == schemas.StatusAvailableForPickup:
		h := loc.T("pickup_ready")
		if c := sh.Timeline; len(c) > 0 && c[len(c)-1].Location.City != "" {
			h += " " + loc.T("at") + " " + c[len(c)-1].Location.City
		}
		return "pickup", h
	case v.ETA == nil && last == schemas.StatusInfoReceived:
		return "label", loc.T("label_created")
	case v.ETA == nil:
		return "in_transit", loc.T("on_its_way")
	}
	e := v.ETA
	day := p.relDay(e.P50.In(zone), now)
	window := ""
	if w := v.DeliveryWindow; w != nil {
		if date, err := time.ParseInLocation(time.DateOnly, w.Date, zone); err == nil {
			from, err1 := time.ParseInLocation("15:04", w.Start, zone)
			to, err2 := time.ParseInLocation("15:04", w.End, zone)
			if err1 == nil && err2 == nil {
				day = p.relDay(date, now)
				window = ", " + loc.ClockRange(from, to)
			}
		}
	}
	state := "in_transit"
	if last == schemas.StatusOutForDelivery {
		state = "out_for_delivery"
	}
	switch {
	case v.ExpectedEvent == schemas.StatusAvailableForPickup:
		return "pickup", loc.T("pickup_expected") + " " + day
	case v.OnTime == predict.Late:
		return "late", loc.T("late") + " " + day + window
	}
	return state, loc.T("arriving") + " " + day + window
}

// relDay is "today", "tomorrow" or the date.
func (p *Page) relDay(t, now time.Time) string {
	switch {
	case sameDay(t, now):
		return p.loc.T("today")
	case sameDay(t, now.AddDate(0, 0, 1)):
		return p.loc.T("tomorrow")
	}
	return p.loc.Day(t)
}

// when is a past instant in words: the date (the weekday within a week)
// and the time.
func (p *Page) when(t, now time.Time) string {
	day := p.loc.Day(t)
	if sameDay(t, now) {
		day = p.loc.T("today")
	}
	return day + ", " + p.loc.Clock(t)
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// steps is the progress bar: shipped, at the local facility, out for
// delivery, delivered (at the pickup point, or returned, where that is
// the end).
func (p *Page) steps(sh *predict.Shipment, zone *time.Location, now time.Time) []step {
	loc := p.loc
	reached := map[schemas.MilestoneKind]time.Time{}
	for _, r := range milestones.Detect(*sh) {
		reached[r.Kind] = r.At
	}
	last := schemas.MilestoneDelivered
	lastLabel := loc.T("step_delivered")
	if _, ok := reached[schemas.MilestoneAvailableForPickup]; ok {
		if _, done := reached[schemas.MilestoneDelivered]; !done {
			last, lastLabel = schemas.MilestoneAvailableForPickup, loc.T("step_pickup")
		}
	}
	if _, ok := reached[schemas.MilestoneReturnedToSender]; ok {
		last, lastLabel = schemas.MilestoneReturnedToSender, loc.T("step_returned")
	}
	kinds := []struct {
		k     schemas.MilestoneKind
		label string
	}{
		{schemas.MilestoneShipped, loc.T("step_shipped")},
		{schemas.MilestoneArrivedAtFacility, loc.T("step_local")},
		{schemas.MilestoneOutForDelivery, loc.T("step_out")},
		{last, lastLabel},
	}
	out := make([]step, len(kinds))
	current := -1
	for i, k := range kinds {
		out[i].Label = k.label
		if at, ok := reached[k.k]; ok {
			out[i].Done, out[i].When = true, p.when(at.In(zone), now)
			current = i
		}
	}
	// A later step reached means the earlier ones were passed, scanned or not.
	for i := 0; i < current; i++ {
		out[i].Done = true
	}
	if current >= 0 {
		out[current].Now = true
	}
	return out
}

// timeline is the history, newest first: the scans and the instructions
// given.
func (p *Page) timeline(v *predict.ShipmentResponse, zone *time.Location, now time.Time, verified bool) []row {
	rows := make([]row, 0, len(v.Timeline)+len(v.Instructions))
	ins := v.Instructions
	emit := func(in predict.InstructionView) {
		rows = append(rows, row{When: p.when(in.CreatedAt.In(zone), now), ISO: in.CreatedAt.UTC().Format(time.RFC3339),
			Words: p.instructionWords(in, zone, verified), Status: p.loc.T(stateKey(in.State)), Instruction: true})
	}
	for i := len(v.Timeline) - 1; i >= 0; i-- {
		e := v.Timeline[i]
		for len(ins) > 0 && !ins[len(ins)-1].CreatedAt.Before(e.Time) {
			emit(ins[len(ins)-1])
			ins = ins[:len(ins)-1]
		}
		local := e.Time.In(time.FixedZone("", e.OffsetMinutes*60))
		rows = append(rows, row{When: p.when(local, now.In(local.Location())), ISO: e.Time.UTC().Format(time.RFC3339),
			Place: place(e.Location), Words: shown(e.Description, verified), Status: p.loc.Status(e.Status)})
	}
	for i := len(ins) - 1; i >= 0; i-- {
		emit(ins[i])
	}
	return rows
}

func stateKey(s string) string {
	if s == string(schemas.InstructionCancelled) {
		return "cancelled_state"
	}
	return s
}

// instructionWords says what was asked. By number alone a new address
// shows its city only.
func (p *Page) instructionWords(in predict.InstructionView, zone *time.Location, verified bool) string {
	loc := p.loc
	switch schemas.InstructionType(in.Type) {
	case schemas.InstructionHoldAtLocation:
		s := loc.T("hold")
		if in.PickupPoint != nil {
			s += ": " + strings.TrimSpace(in.PickupPoint.Name+" "+in.PickupPoint.Address.City)
		}
		return s
	case schemas.InstructionReschedule:
		if d, err := time.ParseInLocation(time.DateOnly, in.Date, zone); err == nil {
			return loc.T("reschedule") + ": " + loc.Day(d)
		}
		return loc.T("reschedule")
	case schemas.InstructionRedirect:
		s := loc.T("redirect")
		if a := in.Address; a != nil {
			if verified {
				s += ": " + strings.Join(nonEmpty(a.Line1, a.Line2, a.City, a.PostalCode, a.Country), ", ")
			} else {
				s += ": " + a.City
			}
		}
		return s
	case schemas.InstructionReturnToSender:
		return loc.T("return")
	}
	return in.Type
}

// personal are where a carrier's text goes on to name a person or an
// address ("Delivered, signed by J SMITH"); lower case.
var personal = []string{"signed by", "signature", "received by", "left with", "delivered to", "recipient", "attn", "attention", "c/o"}

// shown is a carrier's own text as a page shows it: whole to a visitor
// who proved the order, cut before any name or address otherwise.
func shown(s string, verified bool) string {
	if verified {
		return s
	}
	lower := []byte(s) // ASCII lower case, byte for byte, so indexes hold in s
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	cut := len(s)
	for _, w := range personal {
		if i := bytes.Index(lower, []byte(w)); i >= 0 && i < cut {
			cut = i
		}
	}
	return strings.TrimRight(s[:cut], " ,;:-–(")
}

// sentence starts s with a capital letter.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// place is a city with its region or country: never a street.
func place(l schemas.Location) string {
	return strings.Join(nonEmpty(l.City, firstNonEmpty(l.Region, l.Country)), ", ")
}

func nonEmpty(vs ...string) []string {
	out := vs[:0:0]
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
