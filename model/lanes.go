package model

import (
	"maps"
	"math"
	"slices"
)

// laneStats are, per lane at the finest area level, the sums a lane's
// mean residual needs once the coefficients are known: mean residual =
// (Σy − (Σx)·β) / rows, for each target. A coarser lane's sums are its
// finer lanes' added up. Memory is O(lanes × features used by a lane),
// whatever the number of rows.
type laneStats struct {
	// shared is how many leading features every lane's rows may set (the
	// global ones); a lane's other columns are its carrier×service block
	// and its areas, a few dozen, kept sparse.
	shared, k int
	lanes     map[string]*laneSum // by the finest key
	tree      *laneTree           // built by the first offsets, once the sums are complete
}

type laneSum struct {
	keys            laneKeys // the lane at every area level
	shipments, rows int
	weight          float64   // the rows' weights added up
	sumY            []float64 // per target, weighted
	sumX            laneX
}

func newLaneStats(shared, k int) *laneStats {
	return &laneStats{shared: shared, k: k, lanes: map[string]*laneSum{}}
}

func (l *laneStats) get(keys laneKeys) *laneSum {
	key := keys[len(keys)-1]
	s, ok := l.lanes[key]
	if !ok {
		s = &laneSum{keys: keys, sumY: make([]float64, l.k), sumX: laneX{head: make([]float64, l.shared)}}
		l.lanes[key] = s
	}
	return s
}

// add adds a row weighing w.
func (s *laneSum) add(x *Row, ys []float64, w float64) {
	s.rows++
	s.weight += w
	for t, y := range ys {
		s.sumY[t] += w * y
	}
	s.sumX.add(x.Idx, x.Val, w)
}

// laneX is a lane's Σx: the shared leading columns dense, the others
// sparse in column order (a lane's rows set the same few of them).
type laneX struct {
	head []float64
	cols []int32
	vals []float64
}

// add adds w times a sparse vector with indices in increasing order.
func (x *laneX) add(idx []int32, val []float64, w float64) {
	g, j := int32(len(x.head)), 0
	for k, i := range idx {
		if i < g {
			x.head[i] += w * val[k]
			continue
		}
		for j < len(x.cols) && x.cols[j] < i {
			j++
		}
		if j == len(x.cols) || x.cols[j] != i {
			x.cols = slices.Insert(x.cols, j, i)
			x.vals = slices.Insert(x.vals, j, 0)
		}
		x.vals[j] += w * val[k]
		j++
	}
}

// merge adds o, a laneX of the same shared width.
func (x *laneX) merge(o *laneX) {
	for i, v := range o.head {
		x.head[i] += v
	}
	x.add(o.cols, o.vals, 1)
}

// dot is Σx·coef, summed in column order as a dense product would be.
func (x *laneX) dot(coef []float64) float64 {
	var s float64
	for i, v := range x.head {
		s += v * coef[i]
	}
	for j, c := range x.cols {
		s += x.vals[j] * coef[c]
	}
	return s
}

// zero sets column i to 0.
func (x *laneX) zero(i int) {
	if i < len(x.head) {
		x.head[i] = 0
		return
	}
	if j, ok := slices.BinarySearch(x.cols, int32(i)); ok {
		x.vals[j] = 0
	}
}

func (l *laneStats) merge(o *laneStats) {
	for _, s := range o.lanes {
		mine := l.get(s.keys)
		mine.shipments += s.shipments
		mine.rows += s.rows
		mine.weight += s.weight
		for t, y := range s.sumY {
			mine.sumY[t] += y
		}
		mine.sumX.merge(&s.sumX)
	}
}

// laneTree is the lanes of every area level, built once from the finest
// lanes' sums: each candidate fit's offsets only add up its residuals.
type laneTree struct {
	finest []*laneSum // the lanes with rows, by key
	levels [areaLevels]laneLevel
	// nodeOf[lv][i] is finest lane i's node at level lv.
	nodeOf [areaLevels][]int
}

// laneLevel is the lanes at one area level, by key.
type laneLevel struct {
	keys      []string
	parent    []int  // node one level up; -1 at the country level
	same      []bool // the key is its parent's: the level adds nothing
	shipments []int
	rows      []int
	weight    []float64 // the rows' weights added up
}

func (l *laneStats) buildTree() *laneTree {
	t := &laneTree{}
	for _, key := range slices.Sorted(maps.Keys(l.lanes)) {
		if s := l.lanes[key]; s.rows > 0 && s.shipments > 0 {
			t.finest = append(t.finest, s)
		}
	}
	for lv := range t.levels {
		index := map[string]int{}
		for _, s := range t.finest {
			if _, ok := index[s.keys[lv]]; !ok {
				index[s.keys[lv]] = 0
			}
		}
		lev := &t.levels[lv]
		lev.keys = slices.Sorted(maps.Keys(index))
		n := len(lev.keys)
		lev.parent, lev.same, lev.shipments, lev.rows = make([]int, n), make([]bool, n), make([]int, n), make([]int, n)
		lev.weight = make([]float64, n)
		for i, k := range lev.keys {
			index[k] = i
			lev.parent[i] = -1
		}
		t.nodeOf[lv] = make([]int, len(t.finest))
		for i, s := range t.finest {
			node := index[s.keys[lv]]
			t.nodeOf[lv][i] = node
			lev.shipments[node] += s.shipments
			lev.rows[node] += s.rows
			lev.weight[node] += s.weight
			if lv > 0 {
				up := t.nodeOf[lv-1][i]
				lev.parent[node] = up
				lev.same[node] = s.keys[lv] == s.keys[lv-1]
			}
		}
	}
	return t
}

// offsets shrinks each lane's mean residual of target t by empirical
// Bayes, level by level along country → region → postal prefix: at the
// country level toward zero, below it toward the parent lane's offset. At
// each level the between-lane variance τ² is what the lanes' deviations
// from their parents vary by beyond the noise σ²/m a mean of m shipments
// has (method of moments); a lane's offset is its parent's plus its
// deviation × τ²/(τ² + σ²/m). A level with no spread of its own beyond
// the noise shrinks to its parents, so the data decides how deep lanes
// go. Snapshots of one shipment share its lane and its luck, so m counts
// shipments, not rows.
//
// The result holds an offset per lane and level where it differs from
// its parent's (offsetOf falls back from the finest key it holds).
func (l *laneStats) offsets(coef []float64, t int, sigma2 float64) map[string]float64 {
	if l.tree == nil {
		l.tree = l.buildTree()
	}
	tr := l.tree
	out := map[string]float64{}
	finest := make([]float64, len(tr.finest)) // each finest lane's Σ residuals
	for i, s := range tr.finest {
		finest[i] = s.sumY[t] - s.sumX.dot(coef)
	}
	var up []float64 // the level above's offsets, by node
	for lv := range tr.levels {
		lev := &tr.levels[lv]
		resid := make([]float64, len(lev.keys)) // Σ residuals, added in the finest lanes' order
		for i, r := range finest {
			resid[tr.nodeOf[lv][i]] += r
		}
		off := make([]float64, len(lev.keys))
		var excess float64
		var count int
		for n := range lev.keys {
			base := 0.0
			if p := lev.parent[n]; p >= 0 {
				base = up[p]
			}
			off[n] = base
			if lev.same[n] {
				continue
			}
			resid[n] = resid[n]/lev.weight[n] - base // now the deviation from the parent
			excess += resid[n]*resid[n] - sigma2/float64(lev.shipments[n])
			count++
		}
		if count > 0 {
			tau2 := math.Max(excess/float64(count), 1e-6)
			for n, k := range lev.keys {
				if lev.same[n] {
					continue
				}
				v := off[n] + resid[n]*tau2/(tau2+sigma2/float64(lev.shipments[n]))
				if math.Abs(v-off[n]) > 1e-6 {
					out[k] = v
				}
				off[n] = v
			}
		}
		up = off
	}
	return out
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
