package trackpage

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// maxNearPoints is how many pickup points a form offers.
const maxNearPoints = 5

// PointList is a fixed list of pickup points, read from a file of the
// carrier integration's.
type PointList struct {
	points []ListedPoint
}

// ListedPoint is one pickup point of a carrier ("" for every carrier).
type ListedPoint struct {
	Carrier string `json:"carrier,omitempty"`
	schemas.PickupPoint
}

// ReadPoints reads a JSON array of points ({"carrier", "id", "name",
// "address"}); each point's address must check.
func ReadPoints(r io.Reader) (*PointList, error) {
	var pts []ListedPoint
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pts); err != nil {
		return nil, fmt.Errorf("pickup points: %w", err)
	}
	seen := map[string]bool{}
	for i := range pts {
		p := &pts[i]
		p.Carrier = strings.ToLower(strings.TrimSpace(p.Carrier))
		p.Address = schemas.NormalizeAddress(p.Address)
		if err := schemas.CheckReference(p.ID); err != nil || p.ID == "" {
			return nil, fmt.Errorf("pickup point %d: id %q is not a reference", i+1, p.ID)
		}
		if err := schemas.CheckAddress(p.Address); err != nil {
			return nil, fmt.Errorf("pickup point %s: %w", p.ID, err)
		}
		if k := p.Carrier + "\x00" + p.ID; seen[k] {
			return nil, fmt.Errorf("pickup point %s is listed twice", p.ID)
		} else {
			seen[k] = true
		}
	}
	return &PointList{points: pts}, nil
}

// Near is the carrier's points in the destination's country and region
// (or sharing its postal code's first three characters), those with the
// longest common postal prefix first.
func (l *PointList) Near(carrier string, dest schemas.Location) []schemas.PickupPoint {
	carrier = strings.ToLower(carrier)
	type scored struct {
		p     schemas.PickupPoint
		score int
	}
	var found []scored
	for _, p := range l.points {
		a := p.Address
		if (p.Carrier != "" && p.Carrier != carrier) || !strings.EqualFold(a.Country, dest.Country) {
			continue
		}
		prefix := commonPrefix(strings.ToUpper(a.PostalCode), strings.ToUpper(dest.PostalCode))
		if prefix < 3 && (dest.Region == "" || !strings.EqualFold(a.Region, dest.Region)) {
			continue
		}
		found = append(found, scored{p.PickupPoint, prefix})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	out := make([]schemas.PickupPoint, 0, min(len(found), maxNearPoints))
	for i := 0; i < len(found) && i < maxNearPoints; i++ {
		out = append(out, found[i].p)
	}
	return out
}

// Point is the carrier's point of that id.
func (l *PointList) Point(carrier, id string) (schemas.PickupPoint, bool) {
	carrier = strings.ToLower(carrier)
	for _, p := range l.points {
		if p.ID == id && (p.Carrier == "" || p.Carrier == carrier) {
			return p.PickupPoint, true
		}
	}
	return schemas.PickupPoint{}, false
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
