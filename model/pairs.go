package model

import (
	"cmp"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/parcelcast/parcelcast/schemas"
)

// AreaPairs is how much slower than its carrier's service a shipment
// between two areas is, learned from the train slice: by origin>destination
// area pair at every area level (country, region, postal prefix), the
// mean excess of the log transit hours over the carrier×service's mean,
// shrunk by empirical Bayes along country → region → postal prefix, as the
// lane offsets are. Two groups pool the shipments: every carrier and
// service (keys "*|o>d") and one service of any carrier ("svc:ground|o>d").
//
// The distance between two places sets most of a ground parcel's transit,
// and no carrier×service lane between postal prefixes holds enough
// shipments to learn it; the pair of areas does, as every carrier and
// service sending between them shares it. The features are per
// carrier×service (cspair:<cs>, cssvcpair:<cs>), so each service has its
// own loading on them: an overnight flight about none, a ground service most.
type AreaPairs map[string]float64

// pairKey is the area pair of level lv between two area paths.
func pairKey(o, d *AreaPath, lv int) string { return o[lv] + ">" + d[lv] }

// of is the group's value of the finest level of the pair the train slice
// held, 0 for a pair it never saw at any level.
func (p AreaPairs) of(group string, o, d *AreaPath) float64 {
	if len(p) == 0 {
		return 0
	}
	for lv := areaLevels - 1; lv >= 0; lv-- {
		if v, ok := p[group+"|"+pairKey(o, d, lv)]; ok {
			return v
		}
	}
	return 0
}

// pairCell is one carrier×service's shipments on one finest area pair:
// their count, and the sum and sum of squares of their log transit hours.
type pairCell struct {
	cs   string
	keys laneKeys // the pair at every level (no carrier in the key)
	peakSum
	// days are Σ log1p working days taken (workingDaysTaken), Monday to
	// Friday and Monday to Saturday; saturdays counts the deliveries on a
	// Saturday.
	days      [2]float64
	saturdays float64
}

// pairSums collects pairCells by carrier×service and finest pair.
type pairSums map[[2]string]*pairCell

func (ps pairSums) add(cs string, o, d *AreaPath, y float64, days [2]float64, saturday bool) {
	k := [2]string{cs, pairKey(o, d, areaLevels-1)}
	c := ps[k]
	if c == nil {
		c = &pairCell{cs: cs}
		for lv := range c.keys {
			c.keys[lv] = pairKey(o, d, lv)
		}
		ps[k] = c
	}
	c.n, c.sum, c.sumSq = c.n+1, c.sum+y, c.sumSq+y*y
	c.days[0] += days[0]
	c.days[1] += days[1]
	if saturday {
		c.saturdays++
	}
}

func (ps pairSums) merge(o pairSums) {
	for k, s := range o {
		c := ps[k]
		if c == nil {
			c = &pairCell{cs: s.cs, keys: s.keys}
			ps[k] = c
		}
		c.n, c.sum, c.sumSq = c.n+s.n, c.sum+s.sum, c.sumSq+s.sumSq
		c.days[0] += s.days[0]
		c.days[1] += s.days[1]
		c.saturdays += s.saturdays
	}
}

// finish shrinks the pairs' mean excess level by level: at each level the
// between-pair variance τ² of the pairs' deviations from their parent's
// value (zero above the country pairs) is their spread beyond the noise
// σ²/n (method of moments), σ² the shipments' variance within their
// carrier×service and finest pair; a pair's value is its parent's plus its
// deviation × τ²/(τ² + σ²/n). A pair equal to its parent (a level the
// areas say nothing more about) is not stored.
func (ps pairSums) finish(group func(cs string) string) AreaPairs {
	keys := slices.SortedFunc(maps.Keys(ps), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	// Each carrier×service's mean, and the pooled within-cell variance.
	type mean struct{ n, sum float64 }
	means := map[string]*mean{}
	var within, df float64
	for _, k := range keys {
		c := ps[k]
		m := means[c.cs]
		if m == nil {
			m = &mean{}
			means[c.cs] = m
		}
		m.n += c.n
		m.sum += c.sum
		within += c.sumSq - c.sum*c.sum/c.n
		df += c.n - 1
	}
	if df <= 0 {
		return nil
	}
	sigma2 := within / df
	// Per level and pair: shipments and the sum of their excess.
	type node struct {
		n, dev        float64
		parent, group string
	}
	levels := [areaLevels]map[string]*node{}
	order := [areaLevels][]string{}
	for lv := range levels {
		levels[lv] = map[string]*node{}
	}
	for _, k := range keys {
		c := ps[k]
		m := means[c.cs]
		dev := c.sum - c.n*m.sum/m.n
		g := group(c.cs)
		for lv := range levels {
			key := g + "|" + c.keys[lv]
			nd := levels[lv][key]
			if nd == nil {
				nd = &node{group: g}
				if lv > 0 {
					nd.parent = g + "|" + c.keys[lv-1]
				}
				levels[lv][key] = nd
				order[lv] = append(order[lv], key)
			}
			nd.n += c.n
			nd.dev += dev
		}
	}
	out := AreaPairs{}
	var up map[string]float64
	for lv := range levels {
		slices.Sort(order[lv])
		val := map[string]float64{}
		excess, count := map[string]float64{}, map[string]int{} // by group
		for _, k := range order[lv] {
			nd := levels[lv][k]
			base := 0.0
			if lv > 0 {
				base = up[nd.parent]
			}
			val[k] = base
			if lv > 0 && k == nd.parent {
				continue
			}
			d := nd.dev/nd.n - base
			excess[nd.group] += d*d - sigma2/nd.n
			count[nd.group]++
		}
		for _, k := range order[lv] {
			nd := levels[lv][k]
			if lv > 0 && k == nd.parent {
				continue
			}
			tau2 := math.Max(excess[nd.group]/float64(count[nd.group]), 1e-6)
			d := nd.dev/nd.n - val[k]
			v := val[k] + d*tau2/(tau2+sigma2/nd.n)
			out[k] = v
			val[k] = v
		}
		up = val
	}
	return out
}

// Pair groups: every carrier and service (pairAll), and a service of any
// carrier (pairService).
const pairAll = "*"

func pairService(cs string) string {
	_, svc, _ := cut(cs, '|')
	return "svc:" + svc
}

// learn is both groups' pairs in one map.
func (ps pairSums) learn() AreaPairs {
	out := ps.finish(func(string) string { return pairAll })
	maps.Copy(out, ps.finish(pairService))
	return out
}

// pairFolds is how many folds the train slice is split in for the area
// pairs: a train row's are learned from the other folds. Five folds (a
// row's pairs from four fifths of the slice, shrunk about as the served
// ones) did better on the simulated history with the promise hidden and
// worse on the real one (docs/model.md).
const pairFolds = 2

// journeyFold is a train shipment's fold, 1 to pairFolds, from its
// tracking number: the same on every pass.
func journeyFold(j *Journey) int {
	h := fnv.New32a()
	h.Write([]byte(j.TrackingNumber))
	return 1 + int(h.Sum32()%pairFolds)
}

// pairsOf learns the area pairs of every fold together and, for each
// fold, of the others (that fold's rows are encoded with them), and the
// lane days on every fold.
func pairsOf(folds *[pairFolds]pairSums) (all AreaPairs, other [pairFolds]AreaPairs, days LaneDays) {
	every := pairSums{}
	for i := range folds {
		every.merge(folds[i])
		rest := pairSums{}
		for k := range folds {
			if k != i {
				rest.merge(folds[k])
			}
		}
		other[i] = rest.learn()
	}
	all = every.learn()
	return all, other, every.laneDays(all)
}

// LaneDays is, per carrier×service, how many working days its shipments
// take from the local day of the carrier's first scan (workingDaysTaken)
// to the local day of their delivery, as a line in the area pair's
// excesses: log1p(days) ≈ a + b·u + c·v, u the pair's over every carrier
// and service and v over the same service of any carrier, fitted on the
// train slice's carrier×service and area pair cells (weighted least
// squares). The fourth value is 1 for a carrier×service that delivers on
// Saturdays (a twelfth of its deliveries or more: a six-day week delivers
// a sixth), whose days count them. It turns the lane into a date: the
// std* features read the hours from the snapshot to the end of that many
// working days of the destination's calendar (hoursToLaneDate), what a
// carrier's promise gives where the carrier sends one.
type LaneDays map[string][4]float64

// saturdayShare is the share of a carrier×service's deliveries on a
// Saturday from which its working days count Saturdays.
const saturdayShare = 1.0 / 12

// maxLaneDays bounds the working days a lane date is counted to.
const maxLaneDays = 60

// minLaneDaysShipments is the least train shipments a carrier×service
// needs for its line; a thinner one gets none (its std* features are 0).
const minLaneDaysShipments = 30

// laneDays fits each carrier×service's line from its cells, u being each
// cell's area pair excess in pairs (the finest level it has).
func (ps pairSums) laneDays(pairs AreaPairs) LaneDays {
	// Per carrier×service and week (Monday to Friday, to Saturday): the
	// weighted normal equations of log1p(days) on 1, u and v.
	type acc struct {
		n, sat float64
		xx     [3][3]float64
		xy     [2][3]float64
	}
	by := map[string]*acc{}
	for _, k := range slices.SortedFunc(maps.Keys(ps), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		c := ps[k]
		a := by[c.cs]
		if a == nil {
			a = &acc{}
			by[c.cs] = a
		}
		x := [3]float64{1, pairs.ofKeys(pairAll, &c.keys), pairs.ofKeys(pairService(c.cs), &c.keys)}
		a.n += c.n
		a.sat += c.saturdays
		for i := range x {
			for j := range x {
				a.xx[i][j] += c.n * x[i] * x[j]
			}
			for w, d := range c.days {
				a.xy[w][i] += x[i] * d
			}
		}
	}
	out := LaneDays{}
	for cs, a := range by {
		if a.n < minLaneDaysShipments {
			continue
		}
		week := 0
		if a.sat >= saturdayShare*a.n {
			week = 1
		}
		var xx mat.SymDense
		xx.ReuseAsSym(3)
		for i := range 3 {
			for j := i; j < 3; j++ {
				v := a.xx[i][j]
				if i == j && i > 0 {
					v += laneDaysRidge * a.n
				}
				xx.SetSym(i, j, v)
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(&xx) {
			continue
		}
		var b mat.VecDense
		if err := ch.SolveVecTo(&b, mat.NewVecDense(3, a.xy[week][:])); err != nil {
			continue
		}
		out[cs] = [4]float64{b.AtVec(0), b.AtVec(1), b.AtVec(2), float64(week)}
	}
	return out
}

// laneDaysRidge keeps a carrier×service's line defined where its area
// pairs do not vary (a penalty per shipment on the slopes).
const laneDaysRidge = 1e-4

// ofKeys is AreaPairs.of for a cell's pair keys.
func (p AreaPairs) ofKeys(group string, k *laneKeys) float64 {
	for lv := areaLevels - 1; lv >= 0; lv-- {
		if v, ok := p[group+"|"+k[lv]]; ok {
			return v
		}
	}
	return 0
}

// workingDaysTaken counts the destination's working days after the
// start's local day (the first scan after the label's: Snapshot.Started)
// up to and including the delivery's local day, Monday to Friday and
// Monday to Saturday, and whether that day is a Saturday.
func workingDaysTaken(j *Journey, c calendarID) (days [2]int, saturday, ok bool) {
	start := -1
	for i, s := range j.Scans {
		if s.Status != schemas.StatusInfoReceived {
			start = i
			break
		}
	}
	if start < 0 {
		return days, false, false
	}
	for _, s := range j.Scans[start:] {
		if s.Status != schemas.StatusDelivered {
			continue
		}
		a := localCivilDay(j.Scans[start].Time, j.Scans[start].OffsetMinutes)
		b := localCivilDay(s.Time, s.OffsetMinutes)
		for d := a + 1; d <= b; d++ {
			if c.isWorkday(d) {
				days[0]++
			}
			if workday(c, d, true) {
				days[1]++
			}
		}
		return days, isSaturday(b), true
	}
	return days, false, false
}

// labelSlot is a label's local hour, and 24 more when its day is not a
// working day: the slots LabelDelay is kept by.
func labelSlot(c calendarID, day int32, secs int64) int {
	h := int(secs / 3600)
	if !c.isWorkday(day) {
		h += 24
	}
	return min(max(h, 0), labelSlots-1)
}

const labelSlots = 48

// LabelDelay is, per carrier and label slot (labelSlot), the mean number
// of the destination's working days from the label's local day to the
// day the carrier first scans the parcel: about 0 for a label before the
// pickup's cut-off on a working day, 1 after it. A label not yet picked up
// is dated that much later (LaneDays). The carrier "" is every carrier's;
// a carrier's slot is its mean shrunk toward it by labelDelayPrior labels.
type LabelDelay map[string][labelSlots]float64

const labelDelayPrior = 20

// labelSums are, per carrier and label slot, labels and their delays.
type labelSums map[string]*[labelSlots][2]float64

func (ls labelSums) add(j *Journey, c calendarID) {
	if len(j.Scans) < 2 || j.Scans[0].Status != schemas.StatusInfoReceived {
		return
	}
	for _, s := range j.Scans[1:] {
		if s.Status == schemas.StatusInfoReceived {
			continue
		}
		first := j.Scans[0]
		a := localCivilDay(first.Time, first.OffsetMinutes)
		secs := first.Time.Unix() + int64(first.OffsetMinutes)*60 - int64(a)*86400
		b := localCivilDay(s.Time, s.OffsetMinutes)
		n := 0
		for d := a + 1; d <= b && n < maxLaneDays; d++ {
			if c.isWorkday(d) {
				n++
			}
		}
		slot := labelSlot(c, a, secs)
		for _, k := range []string{j.Carrier, ""} {
			v := ls[k]
			if v == nil {
				v = &[labelSlots][2]float64{}
				ls[k] = v
			}
			v[slot][0]++
			v[slot][1] += float64(n)
		}
		return
	}
}

func (ls labelSums) merge(o labelSums) {
	for k, s := range o {
		v := ls[k]
		if v == nil {
			v = &[labelSlots][2]float64{}
			ls[k] = v
		}
		for i := range s {
			v[i][0] += s[i][0]
			v[i][1] += s[i][1]
		}
	}
}

func (ls labelSums) finish() LabelDelay {
	all := ls[""]
	if all == nil {
		return nil
	}
	out := LabelDelay{}
	var global [labelSlots]float64
	for i, s := range all {
		if s[0] > 0 {
			global[i] = s[1] / s[0]
		}
	}
	out[""] = global
	for k, s := range ls {
		if k == "" {
			continue
		}
		var v [labelSlots]float64
		for i := range s {
			v[i] = (s[i][1] + labelDelayPrior*global[i]) / (s[i][0] + labelDelayPrior)
		}
		out[k] = v
	}
	return out
}

// of is the label delay of a carrier's label in a slot.
func (l LabelDelay) of(carrier string, slot int) float64 {
	if v, ok := l[carrier]; ok {
		return v[slot]
	}
	return l[""][slot]
}

// isSaturday reports whether a civil day is a Saturday.
func isSaturday(day int32) bool { return (day%7+7+4)%7 == 6 }

// workday is a working day of calendar c, Saturdays too when sat.
func workday(c calendarID, day int32, sat bool) bool {
	return c.isWorkday(day) || sat && isSaturday(day) && !c.isHoliday(day)
}

// localCivilDay is the civil day (days since 1970-01-01) of t at a local
// offset.
func localCivilDay(t time.Time, offsetMinutes int) int32 {
	u := t.Unix() + int64(offsetMinutes)*60
	d := u / 86400
	if u%86400 < 0 {
		d--
	}
	return int32(d)
}

// hoursToLaneDate is the hours from the snapshot to the end (local
// midnight, at the snapshot's offset) of the working day days after its
// start's local day (Snapshot.StartDay), or, before the carrier has it,
// after the label's day; fractional days interpolate between two working
// days' ends. It may be negative: the date has passed.
func hoursToLaneDate(s *Snapshot, c calendarID, days float64, sat bool) float64 {
	off := int64(s.OffsetMinutes) * 60
	day := s.StartDay
	if !s.Started {
		firstAt := s.At.Unix() - int64(s.ElapsedHours*3600)
		day = localCivilDay(time.Unix(firstAt, 0), s.OffsetMinutes)
	}
	days = min(math.Max(days, 0), maxLaneDays)
	whole := int(days)
	end := func(d int32) float64 { // the end of civil day d, in Unix seconds
		return float64((int64(d)+1)*86400 - off)
	}
	// The ends of the whole-th and the next working day after the start
	// (the 0th being its day itself).
	var ends [2]float64
	d, k := day, 0
	for i := range ends {
		for ; k < whole+i; k++ {
			d++
			for n := 0; !workday(c, d, sat) && n < 14; n++ {
				d++
			}
		}
		ends[i] = end(d)
	}
	t := ends[0] + (days-float64(whole))*(ends[1]-ends[0])
	return (t - float64(s.At.Unix())) / 3600
}

// labelSlotOf is the slot of a snapshot's label (its first scan).
func labelSlotOf(s *Snapshot, c calendarID) int {
	u := s.At.Unix() - int64(s.ElapsedHours*3600) + int64(s.OffsetMinutes)*60
	day := u / 86400
	if u%86400 < 0 {
		day--
	}
	return labelSlot(c, int32(day), u-day*86400)
}
