package trackpage

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// PickupPoints lists the pickup points a parcel can be held at.
type PickupPoints interface {
	// Near returns the carrier's points for a destination, nearest first.
	Near(carrier string, dest schemas.Location) []schemas.PickupPoint
	// Point returns one by id.
	Point(carrier, id string) (schemas.PickupPoint, bool)
}

// forms are the delivery options open now, each a form; without any,
// why not.
func (p *Page) forms(sh *predict.Shipment, opts *predict.OptionsResponse, given []predict.InstructionView, zone *time.Location, now time.Time, verified bool) ([]form, string) {
	loc := p.loc
	var out []form
	why := ""
	for _, o := range opts.Options {
		if !o.Available {
			if why == "" {
				why = o.Reason
				if strings.HasPrefix(why, "instruction ") { // a pending one, named by its id
					why = strings.TrimSuffix(loc.T("pending_request"), ".")
				}
			}
			continue
		}
		f := form{Type: string(o.Type), Token: p.tokens.issue(sh.TrackingNumber, verified, now),
			Key: p.tokens.key(sh.TrackingNumber, sh.Scans[0].Time, string(o.Type), len(given)), Confirm: !verified}
		switch o.Type {
		case schemas.InstructionHoldAtLocation:
			if p.points == nil {
				continue
			}
			g := group{Name: "pickup_point", Legend: loc.T("pickup_point")}
			near := p.points.Near(sh.Carrier, sh.Destination)
			if !verified { // their order would hint at the destination's postal code
				slices.SortFunc(near, func(a, b schemas.PickupPoint) int { return strings.Compare(a.Name, b.Name) })
			}
			for _, pt := range near {
				g.Choices = append(g.Choices, choice{Value: pt.ID, Label: strings.Join(nonEmpty(pt.Name, pt.Address.Line1, pt.Address.City), ", ")})
			}
			if len(g.Choices) == 0 {
				continue
			}
			f.Legend, f.Groups = loc.T("hold"), []group{g}
		case schemas.InstructionReschedule:
			g := group{Name: "date", Legend: loc.T("date")}
			for _, d := range o.Dates {
				if t, err := time.ParseInLocation(time.DateOnly, d, zone); err == nil {
					g.Choices = append(g.Choices, choice{Value: d, Label: loc.Day(t)})
				}
			}
			if len(g.Choices) == 0 {
				continue
			}
			f.Legend, f.Groups = loc.T("reschedule"), []group{g}
		case schemas.InstructionRedirect:
			f.Legend, f.Address, f.Country = loc.T("redirect"), true, sh.Destination.Country
		case schemas.InstructionReturnToSender:
			f.Legend = loc.T("return")
		default:
			continue
		}
		out = append(out, f)
	}
	if len(out) > 0 {
		return out, ""
	}
	if why != "" {
		return nil, loc.T("options_none") + " (" + why + ")"
	}
	return nil, loc.T("options_none")
}

// request reads a submitted form as an instruction request; the pickup
// point comes from the list, not from the form.
func (p *Page) request(carrier string, f url.Values) (predict.InstructionRequest, string) {
	req := predict.InstructionRequest{Type: schemas.InstructionType(f.Get("type"))}
	switch req.Type {
	case schemas.InstructionHoldAtLocation:
		if p.points == nil {
			return req, "no pickup points are listed"
		}
		pt, ok := p.points.Point(carrier, f.Get("pickup_point"))
		if !ok {
			return req, "choose one of the pickup points listed"
		}
		req.PickupPoint = &pt
	case schemas.InstructionReschedule:
		if req.Date = f.Get("date"); req.Date == "" {
			return req, "choose a day"
		}
	case schemas.InstructionRedirect:
		a := schemas.Address{Name: f.Get("name"), Line1: f.Get("line1"), Line2: f.Get("line2"), City: f.Get("city"),
			Region: f.Get("region"), PostalCode: f.Get("postal_code"), Country: f.Get("country")}
		req.Address = &a
	case schemas.InstructionReturnToSender:
	default:
		return req, "unknown delivery option"
	}
	return req, ""
}

// samePostalCode compares a postal code given with a destination's as
// people write them: case, spaces and dashes aside; in the US a ZIP+4
// matches its ZIP. Nothing else is a match: a prefix is not.
func samePostalCode(given string, dest schemas.Location) bool {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '-':
				return -1
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			}
			return r
		}, s)
	}
	g, k := norm(given), norm(dest.PostalCode)
	switch {
	case g == "" || k == "":
		return false
	case g == k:
		return true
	case strings.EqualFold(dest.Country, "US") && digits(g) && digits(k) && (len(g) == 5 || len(g) == 9) && (len(k) == 5 || len(k) == 9):
		return g[:5] == k[:5]
	}
	return false
}

func digits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
