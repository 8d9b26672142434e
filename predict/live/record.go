package live

import (
	"cmp"
	"encoding/hex"
	"hash/fnv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// scan is one event held in memory: fixed size, every string an index
// into the store's tables.
type scan struct {
	// id is the event id, which tells a replay from a new scan: the 16
	// bytes of the 32 hex digits ingest's ids are (schemas.ComputeEventID),
	// else a hash of the id, which is then kept in extra.ids.
	id       [16]byte
	time     uint32 // Unix seconds
	promised uint32 // Unix seconds of the promised delivery, 0 if none
	kind     uint32 // kindKey
	place    uint32 // placeKey
	lane     uint32 // laneKey
	// rawID is 0 for a hex id, else 1 + its index in extra.ids.
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
	owner uint32 // ownerKey
	scans []scan
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

// eventID reads an event id: the bytes of 32 lower-case hex digits (hex
// true), or else a 128-bit FNV-1a hash of it.
func eventID(id string) (b [16]byte, isHex bool) {
	if len(id) == 32 && strings.ToLower(id) == id {
		if _, err := hex.Decode(b[:], []byte(id)); err == nil {
			return b, true
		}
	}
	h := fnv.New128a()
	_, _ = h.Write([]byte(id))
	h.Sum(b[:0])
	return b, false
}

// compactScan turns an event into its record, interning its strings;
// isHex reports whether the id is kept in the record.
func (in *interns) compactScan(e *schemas.ScanEvent) (sc scan, isHex bool) {
	sc = scan{
		time:   uint32(e.EventTime.Unix()),
		offset: int16(e.UTCOffsetMinutes),
		kind:   in.kinds.id(kindKey{status: e.Status, detail: e.StatusDetail, code: e.CarrierCode, desc: e.Description, mode: e.Mode}),
		place: in.places.id(placeKey{city: e.Location.City, region: e.Location.Region, postal: e.Location.PostalCode,
			country: e.Location.Country, hasCoords: e.Location.HasCoords, lat: e.Location.Lat, lon: e.Location.Lon}),
		lane: in.lanes.id(laneKey{service: e.Service,
			oPostal: e.Origin.PostalCode, oRegion: e.Origin.Region, oCountry: e.Origin.Country,
			dPostal: e.Destination.PostalCode, dRegion: e.Destination.Region, dCountry: e.Destination.Country}),
	}
	sc.id, isHex = eventID(e.EventID)
	if e.PromisedDelivery != nil && e.PromisedDelivery.Unix() > 0 && e.PromisedDelivery.Unix() < 1<<32 {
		sc.promised = uint32(e.PromisedDelivery.Unix())
	}
	if e.OffsetInferred {
		sc.flags |= flagOffsetInferred
	}
	if e.OffsetApproximate {
		sc.flags |= flagOffsetApproximate
	}
	return sc, isHex
}

// compare orders two scans of a group as chstore.History does: by time,
// then status in journey order, service, origin and destination postal
// codes (as strings).
func (in *interns) compare(a, b *scan) int {
	if c := cmp.Compare(a.time, b.time); c != 0 || a.kind == b.kind && a.lane == b.lane {
		return c
	}
	ka, kb := in.kinds.get(a.kind), in.kinds.get(b.kind)
	la, lb := in.lanes.get(a.lane), in.lanes.get(b.lane)
	return cmp.Or(cmp.Compare(ka.status.Ordinal(), kb.status.Ordinal()), cmp.Compare(la.service, lb.service),
		cmp.Compare(la.oPostal, lb.oPostal), cmp.Compare(la.dPostal, lb.dPostal))
}

// insert adds sc to the group in order unless a scan with its id is
// there; it reports whether it was added.
func (in *interns) insert(g *group, sc scan) bool {
	for i := range g.scans {
		if g.scans[i].id == sc.id {
			return false
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
	return true
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
		if best == nil || cmp.Or(cmp.Compare(g.scans[s].time, best.scans[start].time), in.compareOwners(g.owner, best.owner)) > 0 {
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

// compareOwners orders groups by carrier, then shipment key.
func (in *interns) compareOwners(a, b uint32) int {
	if a == b {
		return 0
	}
	oa, ob := in.owners.get(a), in.owners.get(b)
	return cmp.Or(cmp.Compare(oa.carrier, ob.carrier), cmp.Compare(oa.key, ob.key))
}

func (in *interns) status(sc *scan) schemas.Status { return in.kinds.get(sc.kind).status }

// shipment builds the view of the record's latest journey.
func (in *interns) shipment(r *record) (predict.Shipment, bool) {
	g, start, end := in.latest(r, nil)
	if g == nil {
		return predict.Shipment{}, false
	}
	scans := g.scans[start:end]
	first, owner := in.lanes.get(scans[0].lane), in.owners.get(g.owner)
	sh := predict.Shipment{
		Journey: model.Journey{
			TrackingNumber: r.number, Carrier: owner.carrier, ShipmentKey: owner.key, Service: first.service,
			Origin:      schemas.Location{PostalCode: first.oPostal, Region: first.oRegion, Country: first.oCountry},
			Destination: schemas.Location{PostalCode: first.dPostal, Region: first.dRegion, Country: first.dCountry},
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
		sh.Scans[i] = model.Scan{Time: at, Status: k.status, OffsetMinutes: int(sc.offset)}
		ts := predict.TimelineScan{Time: at, OffsetMinutes: int(sc.offset), Status: k.status,
			StatusDetail: k.detail, CarrierCode: k.code, Description: k.desc, Mode: k.mode,
			Location: schemas.Location{City: p.city, Region: p.region, PostalCode: p.postal, Country: p.country,
				HasCoords: p.hasCoords, Lat: p.lat, Lon: p.lon}}
		if sc.rawID > 0 {
			ts.EventID = r.ex.ids[sc.rawID-1]
		} else {
			ts.EventID = hex.EncodeToString(sc.id[:])
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
