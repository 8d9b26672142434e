package model

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

func TestAreas(t *testing.T) {
	for _, c := range []struct {
		name string
		loc  schemas.Location
		want AreaPath
	}{
		{"US ZIP: its first digit is the region", schemas.Location{PostalCode: "10001", Region: "NY", Country: "US"}, AreaPath{"US", "US1", "US1:100"}},
		{"US ZIP without a country", schemas.Location{PostalCode: "94103"}, AreaPath{"US", "US9", "US9:941"}},
		{"US without a ZIP: the country, as before areas abroad", schemas.Location{Region: "NY", Country: "US"}, AreaPath{"US", "US", "US"}},
		{"Brazil: state and CEP prefix", schemas.Location{PostalCode: "01310", Region: "sp", Country: "BR"}, AreaPath{"BR", "BR-SP", "BR-SP:013"}},
		{"lower-case country", schemas.Location{PostalCode: "22041", Region: "RJ", Country: "br"}, AreaPath{"BR", "BR-RJ", "BR-RJ:220"}},
		{"no region: the country, then the postal prefix", schemas.Location{PostalCode: "ec1a 1bb", Country: "GB"}, AreaPath{"GB", "GB", "GB:EC1"}},
		{"dashes and spaces do not count", schemas.Location{PostalCode: "100-0001", Country: "JP"}, AreaPath{"JP", "JP", "JP:100"}},
		{"short postal code", schemas.Location{PostalCode: "7", Region: "X", Country: "ZZ"}, AreaPath{"ZZ", "ZZ-X", "ZZ-X:7"}},
		{"country only", schemas.Location{Country: "DE"}, AreaPath{"DE", "DE", "DE"}},
		{"nothing known", schemas.Location{}, AreaPath{"?", "?", "?"}},
	} {
		if got := Areas(c.loc); got != c.want {
			t.Errorf("%s: Areas(%+v) = %q, want %q", c.name, c.loc, got, c.want)
		}
		if got := Area(c.loc); got != c.want[areaRegion] {
			t.Errorf("%s: Area = %q, want the region %q", c.name, got, c.want[areaRegion])
		}
	}
}

// The lane offsets shrink along country → region → postal prefix: each
// level toward its parent, as far as its own spread beyond the noise
// says.
func TestLaneOffsetsShrinkAlongAreas(t *testing.T) {
	const sigma2 = 0.25
	// spPrefixes are n lanes within SP, each to itself, that do not differ.
	type lane struct {
		o, d      AreaPath
		shipments int
		resid     float64
	}
	spPrefixes := func(n, shipments int, resid float64) []lane {
		var out []lane
		for i := range n {
			p := AreaPath{"BR", "BR-SP", "BR-SP:1" + strconv.Itoa(10+i)}
			out = append(out, lane{p, p, shipments, resid})
		}
		return out
	}
	sp1, sp2 := AreaPath{"BR", "BR-SP", "BR-SP:010"}, AreaPath{"BR", "BR-SP", "BR-SP:020"}
	rj1, rj2 := AreaPath{"BR", "BR-RJ", "BR-RJ:220"}, AreaPath{"BR", "BR-RJ", "BR-RJ:230"}
	mg1, mg2 := AreaPath{"BR", "BR-MG", "BR-MG:300"}, AreaPath{"BR", "BR-MG", "BR-MG:310"}
	key := func(l int, o, d AreaPath) string { return Lane("c", "s", o[l], d[l]) }
	for _, c := range []struct {
		name  string
		lanes []lane
		check func(t *testing.T, off map[string]float64)
	}{
		{
			name: "regions differ, their prefixes do not: the prefixes keep their region's offset",
			lanes: []lane{{sp1, sp1, 400, 0.5}, {sp2, sp2, 400, 0.5}, {rj1, rj1, 400, -0.5}, {rj2, rj2, 400, -0.5},
				{mg1, mg1, 400, 0.5}, {mg2, mg2, 400, -0.5}, {sp1, rj1, 400, -0.5}, {rj1, sp1, 400, 0.5}},
			check: func(t *testing.T, off map[string]float64) {
				l := laneKeysFor("c", "s", sp2, sp2)
				if v := offsetOf(off, &l); math.Abs(v-0.5) > 0.02 {
					t.Errorf("SP prefix lane %.3f, want its region's 0.5", v)
				}
				l = laneKeysFor("c", "s", rj1, rj1)
				if v := offsetOf(off, &l); math.Abs(v+0.5) > 0.02 {
					t.Errorf("RJ prefix lane %.3f, want its region's -0.5", v)
				}
				if v, ok := off[key(areaPostal, sp1, sp1)]; ok && math.Abs(v-off[key(areaRegion, sp1, sp1)]) > 0.02 {
					t.Errorf("SP prefix lane has its own offset %.3f, region %.3f", v, off[key(areaRegion, sp1, sp1)])
				}
			},
		},
		{
			name: "prefixes differ within a region: the data goes one level deeper",
			lanes: []lane{{mg1, mg1, 400, 0.5}, {mg2, mg2, 400, -0.5}, {sp1, sp1, 400, 0.5}, {sp2, sp2, 400, -0.5},
				{rj1, rj1, 400, 0.5}, {rj2, rj2, 400, -0.5}},
			check: func(t *testing.T, off map[string]float64) {
				for _, c := range []struct {
					p    AreaPath
					want float64
				}{{mg1, 0.5}, {mg2, -0.5}, {sp2, -0.5}} {
					l := laneKeysFor("c", "s", c.p, c.p)
					if v := offsetOf(off, &l); math.Abs(v-c.want) > 0.02 {
						t.Errorf("%s lane %.3f, want %.1f", c.p[areaPostal], v, c.want)
					}
				}
			},
		},
		{
			name: "a rare prefix lane shrinks toward its region, not toward zero",
			lanes: append(spPrefixes(20, 400, 0.5), lane{rj1, rj1, 400, -0.5}, lane{mg1, mg1, 400, 0.5},
				lane{rj1, sp1, 400, -0.5}, lane{sp1, rj1, 400, 0.5}, lane{sp2, sp2, 1, -0.5}),
			check: func(t *testing.T, off map[string]float64) {
				l := laneKeysFor("c", "s", sp2, sp2)
				if v := offsetOf(off, &l); v < 0.3 || v >= 0.5 {
					t.Errorf("rare SP prefix lane %.3f, want shrunk toward its region's 0.5", v)
				}
			},
		},
		{
			name:  "a lane with no region or prefix is one lane, shrunk toward zero",
			lanes: []lane{{AreaPath{"GB", "GB", "GB"}, AreaPath{"DE", "DE", "DE"}, 1, 0.5}, {sp1, sp1, 400, 0.5}, {rj1, rj1, 400, -0.5}},
			check: func(t *testing.T, off map[string]float64) {
				k := Lane("c", "s", "GB", "DE")
				if v := off[k]; v <= 0 || v > 0.25 {
					t.Errorf("rare lane %.3f, want shrunk well toward 0", v)
				}
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLaneStats(1, 1)
			for _, ln := range c.lanes {
				s := l.get(laneKeysFor("c", "s", ln.o, ln.d))
				for range ln.shipments {
					s.shipments++
					s.add(&Row{Idx: []int32{0}, Val: []float64{1}}, []float64{ln.resid}, 1)
				}
			}
			c.check(t, l.offsets([]float64{0}, 0, sigma2))
		})
	}
}

// offsetOf takes the finest lane it knows and falls back level by level.
func TestOffsetOfFallsBack(t *testing.T) {
	o, d := AreaPath{"BR", "BR-SP", "BR-SP:010"}, AreaPath{"BR", "BR-RJ", "BR-RJ:220"}
	keys := laneKeysFor("c", "s", o, d)
	for _, c := range []struct {
		name string
		m    map[string]float64
		want float64
	}{
		{"every level", map[string]float64{keys[0]: 1, keys[1]: 2, keys[2]: 3}, 3},
		{"no prefix lane", map[string]float64{keys[0]: 1, keys[1]: 2}, 2},
		{"the country lane only", map[string]float64{keys[0]: 1}, 1},
		{"none", map[string]float64{"other": 9}, 0},
	} {
		if got := offsetOf(c.m, &keys); got != c.want {
			t.Errorf("%s: %g, want %g", c.name, got, c.want)
		}
	}
	// A snapshot with its region areas only finds the region lane.
	s := Snapshot{Carrier: "c", Service: "s", OriginArea: "BR-SP", DestArea: "BR-RJ"}
	k := laneKeysOfSnapshot(&s)
	if got := offsetOf(map[string]float64{keys[0]: 1, keys[1]: 2, keys[2]: 3}, &k); got != 2 {
		t.Errorf("regions only: %g, want the region lane's 2", got)
	}
}

// The lane baselines take the region lane, then the country lane, then
// the carrier's service, then everything.
func TestBaselineKeysFollowAreas(t *testing.T) {
	j := Journey{Carrier: "olist", Service: "", Origin: schemas.Location{PostalCode: "01310", Region: "SP", Country: "BR"},
		Destination: schemas.Location{PostalCode: "22041", Region: "RJ", Country: "BR"}}
	keys := baselineKeysOf(&j)
	want := baselineKey{"olist||BR-SP>BR-RJ", "olist||BR>BR", "olist||*>*", "*|*|*>*"}
	if keys != want {
		t.Fatalf("keys %q, want %q", keys, want)
	}
	for _, c := range []struct {
		name string
		m    map[string]float64
		want float64
	}{
		{"region lane", map[string]float64{want[0]: 100, want[1]: 200, want[3]: 300}, 100},
		{"country lane", map[string]float64{want[1]: 200, want[3]: 300}, 200},
		{"everything", map[string]float64{want[3]: 300}, 300},
	} {
		b := Baselines{LaneMedianHours: c.m}
		if got := b.laneTransitsOf(keys).median; got != c.want {
			t.Errorf("%s: %g, want %g", c.name, got, c.want)
		}
	}
}

// A lane's compact Σx adds, merges, zeroes and multiplies as the dense
// vector it stands for, to the bit.
func TestLaneXMatchesDense(t *testing.T) {
	const p = 40
	coef := make([]float64, p)
	for i := range coef {
		coef[i] = math.Sin(float64(i)) * 3
	}
	for _, c := range []struct {
		name   string
		shared int
		rows   [][]int32
		zero   []int
	}{
		{"all shared", p, [][]int32{{0, 3, 39}, {1, 3}}, []int{3}},
		{"none shared", 0, [][]int32{{5, 9}, {2, 9, 30}, {1}}, []int{9, 7}},
		{"a lane's columns", 12, [][]int32{{0, 4, 20, 33, 38}, {1, 20, 21, 33}, {11, 12, 39}}, []int{20, 11, 25}},
	} {
		dense := make([]float64, p)
		x, y := laneX{head: make([]float64, c.shared)}, laneX{head: make([]float64, c.shared)}
		for r, idx := range c.rows {
			val := make([]float64, len(idx))
			for k := range idx {
				val[k] = float64(r+1) + float64(k)/7
				dense[idx[k]] += val[k]
			}
			if r%2 == 0 {
				x.add(idx, val, 1)
			} else {
				y.add(idx, val, 1)
			}
		}
		x.merge(&y)
		for _, i := range c.zero {
			x.zero(i)
			dense[i] = 0
		}
		if got, want := x.dot(coef), dot(dense, coef); got != want {
			t.Errorf("%s: dot %v, want %v", c.name, got, want)
		}
		if !slices.IsSorted(x.cols) {
			t.Errorf("%s: columns out of order: %v", c.name, x.cols)
		}
	}
}
