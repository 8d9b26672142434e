package model

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Ridge accumulates the normal equations XᵀX and Xᵀy one row at a time, so
// memory is O(p²) whatever the number of rows, and solves them with a
// Cholesky factorization.
type Ridge struct {
	p   int
	xtx *mat.SymDense
	xty *mat.VecDense
	n   int
}

// NewRidge returns an accumulator for p features.
func NewRidge(p int) *Ridge {
	return &Ridge{p: p, xtx: mat.NewSymDense(p, nil), xty: mat.NewVecDense(p, nil)}
}

// Add adds one row with weight 1.
func (r *Ridge) Add(x []float64, y float64) {
	r.n++
	raw := r.xtx.RawSymmetric()
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := raw.Data[i*raw.Stride:]
		for j := i; j < r.p; j++ {
			if xj := x[j]; xj != 0 {
				row[j] += xi * xj
			}
		}
		r.xty.SetVec(i, r.xty.AtVec(i)+xi*y)
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
	if err := ch.SolveVecTo(beta, r.xty); err != nil {
		return nil, fmt.Errorf("ridge: solve: %w", err)
	}
	return beta.RawVector().Data, nil
}
