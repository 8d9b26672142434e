package model

import (
	"errors"
	"fmt"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

// Ridge accumulates the normal equations XᵀX and Xᵀy one row at a time, so
// memory is O(p²) whatever the number of rows, and solves them with a
// Cholesky factorization for any penalty. It can hold several targets of
// the same rows (one Xᵀy each): XᵀX, the costly part, is shared. XᵀX is
// kept as its packed upper triangle, half the memory of a square matrix:
// a row touches elements all over it, so the smaller it is, the more of
// it stays in cache.
type Ridge struct {
	p, k  int
	upper []float64 // XᵀX[i][j] for j ≥ i at upper[start[i]+j]
	start []int
	xty   []float64 // p×k: feature i's sums are xty[i*k : i*k+k]
	yty   []float64 // per target
	n     int
	wsum  float64       // the rows' weights added up
	sym   *mat.SymDense // XᵀX unpacked, built when needed
}

// NewRidge returns an accumulator for p features and k targets.
func NewRidge(p, k int) *Ridge {
	r := &Ridge{p: p, k: k, upper: make([]float64, p*(p+1)/2), start: make([]int, p),
		xty: make([]float64, p*k), yty: make([]float64, k)}
	for i := 1; i < p; i++ {
		r.start[i] = r.start[i-1] + p - i // row i−1 holds p−(i−1) elements, from column i−1
	}
	return r
}

// Add adds one dense row with its value of every target.
func (r *Ridge) Add(x []float64, ys ...float64) {
	var row Row
	for i, v := range x {
		row.set(i, v)
	}
	r.AddRow(&row, ys)
}

// AddRow adds one sparse row with its value of every target. Its indices
// must be ascending (Encoder writes them so), not repeat, and be below p;
// AddRow panics otherwise.
func (r *Ridge) AddRow(x *Row, ys []float64) { r.AddWeightedRow(x, ys, 1) }

// AddWeightedRow adds a row that counts w times in the squared error
// (weighted least squares); Rows still counts it once.
func (r *Ridge) AddWeightedRow(x *Row, ys []float64, w float64) {
	idx, val := x.Idx, x.Val[:len(x.Idx)]
	for k, i := range idx {
		if i < 0 || int(i) >= r.p || (k > 0 && i <= idx[k-1]) {
			panic(fmt.Sprintf("ridge: row index %d at %d is out of order or range (p = %d)", i, k, r.p))
		}
	}
	r.n++
	r.wsum += w
	r.sym = nil
	for t, y := range ys {
		r.yty[t] += w * y * y
	}
	for a, i := range idx {
		va := val[a] * w
		xty := r.xty[int(i)*r.k : int(i)*r.k+r.k]
		for t, y := range ys {
			xty[t] += va * y
		}
		// Row i of the upper triangle, from column i on. The indices
		// were checked above, so every element pointer stays inside it:
		// this loop, the fit pass's costliest, skips the bounds check
		// per element (docs/benchmarks.md).
		rowStart := unsafe.Pointer(&r.upper[r.start[i]])
		for b := a; b < len(idx); b++ {
			*(*float64)(unsafe.Add(rowStart, uintptr(idx[b])*8)) += va * val[b]
		}
	}
}

// Rows is how many rows were added.
func (r *Ridge) Rows() int { return r.n }

// Weight is the rows' weights added up: Rows when every row weighs 1.
func (r *Ridge) Weight() float64 { return r.wsum }

// xtx is XᵀX as a symmetric matrix; callers must not change it.
func (r *Ridge) xtx() *mat.SymDense {
	if r.sym == nil {
		r.sym = mat.NewSymDense(r.p, nil)
		for i := 0; i < r.p; i++ {
			for j := i; j < r.p; j++ {
				r.sym.SetSym(i, j, r.upper[r.start[i]+j])
			}
		}
	}
	return r.sym
}

// Solve returns, for every target, the coefficients minimizing
// ‖y − Xβ‖² + λ‖β‖², without penalizing feature 0 (the intercept): one
// factorization, one solve per target.
func (r *Ridge) Solve(lambda float64) ([][]float64, error) {
	if r.n == 0 {
		return nil, errors.New("ridge: no rows")
	}
	a := mat.NewSymDense(r.p, nil)
	a.CopySym(r.xtx())
	for i := 1; i < r.p; i++ {
		a.SetSym(i, i, a.At(i, i)+lambda)
	}
	// A tiny jitter on the intercept keeps the system definite when a
	// feature never varies.
	a.SetSym(0, 0, a.At(0, 0)+1e-9)
	var ch mat.Cholesky
	if ok := ch.Factorize(a); !ok {
		return nil, fmt.Errorf("ridge: normal equations not positive definite (lambda %g)", lambda)
	}
	var beta mat.Dense
	if err := ch.SolveTo(&beta, mat.NewDense(r.p, r.k, r.xty)); err != nil {
		return nil, fmt.Errorf("ridge: solve: %w", err)
	}
	out := make([][]float64, r.k)
	for t := range out {
		out[t] = mat.Col(nil, t, &beta)
	}
	return out, nil
}

// RSS is the residual sum of squares of coefficients beta for target t
// on the rows added: yᵀy − 2βᵀXᵀy + βᵀXᵀXβ.
func (r *Ridge) RSS(beta []float64, t int) float64 {
	b := mat.NewVecDense(r.p, beta)
	var xb mat.VecDense
	xb.MulVec(r.xtx(), b)
	return r.yty[t] - 2*mat.Dot(b, mat.NewDense(r.p, r.k, r.xty).ColView(t)) + mat.Dot(b, &xb)
}

// merge adds the rows another accumulator of the same size saw.
func (r *Ridge) merge(o *Ridge) {
	for i, v := range o.upper {
		r.upper[i] += v
	}
	for i, v := range o.xty {
		r.xty[i] += v
	}
	for t, v := range o.yty {
		r.yty[t] += v
	}
	r.n += o.n
	r.wsum += o.wsum
	r.sym = nil
}

// without is a copy with the given features' rows and columns zeroed.
func (r *Ridge) without(drop []int) *Ridge {
	c := NewRidge(r.p, r.k)
	c.merge(r)
	for _, i := range drop {
		clear(c.xty[i*r.k : i*r.k+r.k])
		for j := i; j < r.p; j++ {
			c.upper[c.start[i]+j] = 0
		}
		for row := 0; row < i; row++ {
			c.upper[c.start[row]+i] = 0
		}
	}
	return c
}
