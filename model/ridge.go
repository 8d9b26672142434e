package model

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Ridge accumulates the normal equations XᵀX and Xᵀy one row at a time, so
// memory is O(p²) whatever the number of rows, and solves them with a
// Cholesky factorization for any penalty.
type Ridge struct {
	p   int
	xtx *mat.SymDense
	xty []float64
	yty float64
	n   int
}

// NewRidge returns an accumulator for p features.
func NewRidge(p int) *Ridge {
	return &Ridge{p: p, xtx: mat.NewSymDense(p, nil), xty: make([]float64, p)}
}

// Add adds one dense row.
func (r *Ridge) Add(x []float64, y float64) {
	var row Row
	for i, v := range x {
		row.set(i, v)
	}
	r.AddRow(&row, y)
}

// AddRow adds one sparse row. Its indices must be ascending (Encoder
// writes them so) and not repeat.
func (r *Ridge) AddRow(x *Row, y float64) {
	r.n++
	r.yty += y * y
	raw := r.xtx.RawSymmetric()
	idx, val := x.Idx, x.Val[:len(x.Idx)]
	for a, i := range idx {
		va := val[a]
		r.xty[i] += va * y
		row := raw.Data[int(i)*raw.Stride : int(i)*raw.Stride+r.p]
		for b := a; b < len(idx); b++ {
			row[idx[b]] += va * val[b]
		}
	}
}

// Rows is how many rows were added.
func (r *Ridge) Rows() int { return r.n }

// Solve returns the coefficients minimizing ‖y − Xβ‖² + λ‖β‖², without
// penalizing feature 0 (the intercept).
func (r *Ridge) Solve(lambda float64) ([]float64, error) {
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
	beta := mat.NewVecDense(r.p, nil)
	if err := ch.SolveVecTo(beta, mat.NewVecDense(r.p, r.xty)); err != nil {
		return nil, fmt.Errorf("ridge: solve: %w", err)
	}
	return beta.RawVector().Data, nil
}

// RSS is the residual sum of squares of coefficients beta on the rows
// added: yᵀy − 2βᵀXᵀy + βᵀXᵀXβ.
func (r *Ridge) RSS(beta []float64) float64 {
	b := mat.NewVecDense(r.p, beta)
	var xb mat.VecDense
	xb.MulVec(r.xtx, b)
	return r.yty - 2*mat.Dot(b, mat.NewVecDense(r.p, r.xty)) + mat.Dot(b, &xb)
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
	r.yty += o.yty
	r.n += o.n
}

// without is a copy with the given features' rows and columns zeroed.
func (r *Ridge) without(drop []int) *Ridge {
	c := NewRidge(r.p)
	c.merge(r)
	raw := c.xtx.RawSymmetric()
	for _, i := range drop {
		c.xty[i] = 0
		for j := 0; j < r.p; j++ {
			raw.Data[i*raw.Stride+j] = 0
			raw.Data[j*raw.Stride+i] = 0
		}
	}
	return c
}
