package live

import (
	"cmp"
	"hash/fnv"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// scan is one event held in memory: fixed size, every string an index
// into the store's tables.
type scan struct {
	// idLo and idHi are a 64-bit hash of the event id, which tells a
	// replay from a new scan among one number's scans.
	idLo, idHi uint32
	time       uint32 // Unix seconds
	promised   uint32 // Unix seconds of the promised delivery, 0 if none
	kind       uint32 // kindKey
	place      uint32 // placeKey
	lane       uint32 // laneKey
	// rawID is 0 when the event id is the one schemas.ComputeEventID gives
	// (it is computed again when shown), else 1 + its index in extra.ids.
	rawID  uint32
	offset int16
	flags  uint8
}

const (
	flagOffsetInferred uint8 = 1 << iota
	flagOffsetApproximate
)

// group is one carrier's scans of a number under one shipment key, in
// the order chstore.History sorts them: time, then status, service and
// postal codes.
type group struct {
	carrier, key uint32
	scans        []scan
}

// record is everything held under one tracking number. Most numbers have
// one carrier and no shipment key: one group, held inline.
type record struct {
	number  string
	group          // the first group
	updated uint32 // Unix seconds of the newest ingestion
	ex      *extra // nil for most numbers
}

// extra holds what few records need.
type extra struct {
	more   []group
	ids    []string // event ids not computed by schemas.ComputeEventID
	refs   predict.References
	refsAt uint32 // the time of the scan the references came from
}

func (r *record) groups(fn func(g *group) bool) {
	if !fn(&r.group) || r.ex == nil {
		return
	}
	for i := range r.ex.more {
		if !fn(&r.ex.more[i]) {
			return
		}
	}
}

func (r *record) scanCount() int {
	n := 0
	r.groups(func(g *group) bool { n += len(g.scans); return true })
	return n
}

// lastTime is the time of the record's newest scan.
func (r *record) lastTime() uint32 {
	var t uint32
	r.groups(func(g *group) bool {
		if n := len(g.scans); n > 0 {
			t = max(t, g.scans[n-1].time)
		}
		return true
	})
	return t
}

func (r *record) refs() predict.References {
	if r.ex == nil {
		return predict.References{}
	}
	return r.ex.refs
}

// idHash is the 64-bit FNV-1a hash of an event id.
func idHash(id string) (lo, hi uint32) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	s := h.Sum64()
	return uint32(s), uint32(s >> 32)
}

// compactScan turns an event into its record, interning its strings.
func (in *interns) compactScan(e *schemas.ScanEvent) scan {
	s := in.strs
	sc := scan{
		time:   uint32(e.EventTime.Unix()),
		offset: int16(e.UTCOffsetMinutes),
		kind: in.kinds.id(kindKey{status: s.id(string(e.Status)), detail: s.id(e.StatusDetail), code: s.id(e.CarrierCode),
			desc: s.id(e.Description), mode: s.id(e.Mode)}),
		place: in.places.id(placeKey{city: s.id(e.Location.City), region: s.id(e.Location.Region),
			postal: s.id(e.Location.PostalCode), country: s.id(e.Location.Country),
			hasCoords: e.Location.HasCoords, lat: e.Location.Lat, lon: e.Location.Lon}),
		lane: in.lanes.id(laneKey{service: s.id(e.Service),
			oPostal: s.id(e.Origin.PostalCode), oRegion: s.id(e.Origin.Region), oCountry: s.id(e.Origin.Country),
			dPostal: s.id(e.Destination.PostalCode), dRegion: s.id(e.Destination.Region), dCountry: s.id(e.Destination.Country)}),
	}
	sc.idLo, sc.idHi = idHash(e.EventID)
	if e.PromisedDelivery != nil && !e.PromisedDelivery.IsZero() && e.PromisedDelivery.Unix() > 0 {
		sc.promised = uint32(e.PromisedDelivery.Unix())
	}
	if e.OffsetInferred {
		sc.flags |= flagOffsetInferred
	}
	if e.OffsetApproximate {
		sc.flags |= flagOffsetApproximate
	}
	return sc
}

// compare orders two scans of a group as chstore.History does: by time,
// then status, service, origin and destination postal codes (as strings).
func (in *interns) compare(a, b *scan) int {
	if c := cmp.Compare(a.time, b.time); c != 0 || a.kind == b.kind && a.lane == b.lane {
		return c
	}
	ka, kb := in.kinds.get(a.kind), in.kinds.get(b.kind)
	la, lb := in.lanes.get(a.lane), in.lanes.get(b.lane)
	str := func(i, j uint32) int { return cmp.Compare(in.strs.get(i), in.strs.get(j)) }
	return cmp.Or(str(ka.status, kb.status), str(la.service, lb.service), str(la.oPostal, lb.oPostal), str(la.dPostal, lb.dPostal))
}

// insert adds sc to the group in order unless a scan with its id is
// there; it reports whether it was added and whether it went last.
func (in *interns) insert(g *group, sc scan) (added, last bool) {
	for i := range g.scans {
		if g.scans[i].idLo == sc.idLo && g.scans[i].idHi == sc.idHi {
			return false, false
		}
	}
	// After the last scan that sorts before or with it: a tie keeps the
	// order of arrival, as a stable sort would.
	i := len(g.scans)
	for i > 0 && in.compare(&g.scans[i-1], &sc) > 0 {
		i--
	}
	g.scans = append(g.scans, scan{})
	copy(g.scans[i+1:], g.scans[i:])
	g.scans[i] = sc
	return true, i == len(g.scans)-1
}

// latest finds the record's latest journey: in each group the last one
// model.JourneyStarts splits off, and of those the one whose first scan
// is newest, then by carrier and shipment key, as chstore.History.Journey
// chooses. It returns the group and the journey's scans' bounds in it.
func (in *interns) latest(r *record, buf []model.Scan) (best *group, start, end int) {
	r.groups(func(g *group) bool {
		if len(g.scans) == 0 {
			return true
		}
		buf = buf[:0]
		for i := range g.scans {
			buf = append(buf, model.Scan{Time: time.Unix(int64(g.scans[i].time), 0), Status: in.status(&g.scans[i])})
		}
		s, e := latestJourney(buf)
		if best == nil || cmp.Or(cmp.Compare(g.scans[s].time, best.scans[start].time),
			cmp.Compare(in.strs.get(g.carrier), in.strs.get(best.carrier)),
			cmp.Compare(in.strs.get(g.key), in.strs.get(best.key))) > 0 {
			best, start, end = g, s, e
		}
		return true
	})
	return best, start, end
}

// latestJourney is the bounds of the latest journey in scans: the last
// one model.JourneyStarts splits off, or, when journeys begin in the same
// second (a delivery and a new label scanned together), the first of
// those, as History.Journey keeps the first of equals.
func latestJourney(scans []model.Scan) (start, end int) {
	var starts [8]int
	st := append(model.JourneyStarts(starts[:0], scans), len(scans))
	i := len(st) - 2
	for i > 0 && scans[st[i-1]].Time.Equal(scans[st[i]].Time) {
		i--
	}
	return st[i], st[i+1]
}

func (in *interns) status(sc *scan) schemas.Status {
	return schemas.Status(in.strs.get(in.kinds.get(sc.kind).status))
}

// shipment builds the view of the record's latest journey.
func (in *interns) shipment(r *record) (predict.Shipment, bool) {
	g, start, end := in.latest(r, nil)
	if g == nil {
		return predict.Shipment{}, false
	}
	scans := g.scans[start:end]
	first := in.lanes.get(scans[0].lane)
	s := in.strs.get
	sh := predict.Shipment{
		Journey: model.Journey{
			TrackingNumber: r.number, Carrier: s(g.carrier), ShipmentKey: s(g.key), Service: s(first.service),
			Origin:      schemas.Location{PostalCode: s(first.oPostal), Region: s(first.oRegion), Country: s(first.oCountry)},
			Destination: schemas.Location{PostalCode: s(first.dPostal), Region: s(first.dRegion), Country: s(first.dCountry)},
			Scans:       make([]model.Scan, len(scans)),
		},
		Timeline:   make([]predict.TimelineScan, len(scans)),
		References: r.refs(),
		UpdatedAt:  time.Unix(int64(r.updated), 0).UTC(),
	}
	var promised uint32
	for i := range scans {
		sc := &scans[i]
		k, p := in.kinds.get(sc.kind), in.places.get(sc.place)
		at := time.Unix(int64(sc.time), 0).UTC()
		status := schemas.Status(s(k.status))
		sh.Scans[i] = model.Scan{Time: at, Status: status, OffsetMinutes: int(sc.offset)}
		ts := predict.TimelineScan{Time: at, OffsetMinutes: int(sc.offset), Status: status,
			StatusDetail: s(k.detail), CarrierCode: s(k.code), Description: s(k.desc), Mode: s(k.mode),
			Location: schemas.Location{City: s(p.city), Region: s(p.region), PostalCode: s(p.postal), Country: s(p.country),
				HasCoords: p.hasCoords, Lat: p.lat, Lon: p.lon}}
		if sc.rawID > 0 {
			ts.EventID = r.ex.ids[sc.rawID-1]
		} else {
			ts.EventID = schemas.ComputeEventID(&schemas.ScanEvent{Carrier: sh.Carrier, TrackingNumber: r.number,
				ShipmentKey: sh.ShipmentKey, CarrierCode: ts.CarrierCode, Status: status, EventTime: at, Location: ts.Location})
		}
		sh.Timeline[i] = ts
		if ts.Mode != "" {
			sh.Mode = ts.Mode
		}
		promised = max(promised, sc.promised)
	}
	if promised > 0 {
		sh.Promised = time.Unix(int64(promised), 0).UTC()
	}
	return sh, true
}
