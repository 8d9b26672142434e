package trackpage

import (
	"net/url"
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
			}
			continue
		}
		f := form{Type: string(o.Type), Token: p.tokens.issue(sh.TrackingNumber, verified, now),
			Key: p.tokens.key(sh.TrackingNumber, string(o.Type), len(given)), Confirm: !verified}
		switch o.Type {
		case schemas.InstructionHoldAtLocation:
			if p.points == nil {
				continue
			}
			g := group{Name: "pickup_point", Legend: loc.T("pickup_point")}
			for _, pt := range p.points.Near(sh.Carrier, sh.Destination) {
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

// samePostalCode compares postal codes as people write them: case,
// spaces and dashes aside; a ZIP+4 matches its ZIP.
func samePostalCode(given, known string) bool {
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
	g, k := norm(given), norm(known)
	switch {
	case g == "" || k == "":
		return false
	case g == k:
		return true
	case len(g) >= 5 && len(k) >= 5 && (strings.HasPrefix(g, k) || strings.HasPrefix(k, g)):
		return true
	}
	return false
}
