package model

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Ridge accumulates the normal equations XᵀX and Xᵀy one row at a time, so
// memory is O(p²) whatever the number of rows, and solves them with a
// Cholesky factorization for any penalty. It can hold several targets of
// the same rows (one Xᵀy each): XᵀX, the costly part, is shared.
type Ridge struct {
	p, k int
	xtx  *mat.SymDense
	xty  []float64 // p×k: feature i's sums are xty[i*k : i*k+k]
	yty  []float64 // per target
	n    int
}

// NewRidge returns an accumulator for p features and k targets.
func NewRidge(p, k int) *Ridge {
	return &Ridge{p: p, k: k, xtx: mat.NewSymDense(p, nil), xty: make([]float64, p*k), yty: make([]float64, k)}
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
// must be ascending (Encoder writes them so) and not repeat.
func (r *Ridge) AddRow(x *Row, ys []float64) {
	r.n++
	for t, y := range ys {
		r.yty[t] += y * y
	}
	raw := r.xtx.RawSymmetric()
	idx, val := x.Idx, x.Val[:len(x.Idx)]
	for a, i := range idx {
		va := val[a]
		xty := r.xty[int(i)*r.k : int(i)*r.k+r.k]
		for t, y := range ys {
			xty[t] += va * y
		}
		row := raw.Data[int(i)*raw.Stride : int(i)*raw.Stride+r.p]
		for b := a; b < len(idx); b++ {
			row[idx[b]] += va * val[b]
		}
	}
}

// Rows is how many rows were added.
func (r *Ridge) Rows() int { return r.n }

// Solve returns, for every target, the coefficients minimizing
// ‖y − Xβ‖² + λ‖β‖², without penalizing feature 0 (the intercept): one
// factorization, one solve per target.
func (r *Ridge) Solve(lambda float64) ([][]float64, error) {
	if r.n == 0 {
		return nil, errors.New("ridge: no rows")
	}
	a := mat.NewSymDense(r.p, nil)
	a.CopySym(r.xtx)
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
	xb.MulVec(r.xtx, b)
	return r.yty[t] - 2*mat.Dot(b, mat.NewDense(r.p, r.k, r.xty).ColView(t)) + mat.Dot(b, &xb)
}

// merge adds the rows another accumulator of the same size saw.
func (r *Ridge) merge(o *Ridge) {
	a, b := r.xtx.RawSymmetric(), o.xtx.RawSymmetric()
	for i, v := range b.Data {
		a.Data[i] += v
	}
	for i, v := range o.xty {
		r.xty[i] += v
	}
	for t, v := range o.yty {
		r.yty[t] += v
	}
	r.n += o.n
}

// without is a copy with the given features' rows and columns zeroed.
func (r *Ridge) without(drop []int) *Ridge {
	c := NewRidge(r.p, r.k)
	c.merge(r)
	raw := c.xtx.RawSymmetric()
	for _, i := range drop {
		clear(c.xty[i*r.k : i*r.k+r.k])
		for j := 0; j < r.p; j++ {
			raw.Data[i*raw.Stride+j] = 0
			raw.Data[j*raw.Stride+i] = 0
		}
	}
	return c
}
