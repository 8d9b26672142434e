package model

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// The robust refit: the chosen fits' coefficients refitted for the least
// absolute deviations by iteratively reweighted least squares, each pass
// over the train slice weighing a row by the inverse of its residual
// under the coefficients before. Most parcels keep to their lane's and
// promise's time to the hour and a few lose a day or two; least squares
// bends toward the few, least absolute deviations keeps to the many. The
// lane offsets stay the least-squares fit's. The calibration slice then
// chooses between the two.

// robustRefitting is off only in the tests that measure the refit.
var robustRefitting = true

// robustPasses is how many reweighted passes the refit makes.
const robustPasses = 3

// robustFloor bounds a row's weight, 1/max(|residual|, robustFloor), so
// that a row fitted exactly does not take the whole fit.
const robustFloor = 0.05

// robustWorker is one goroutine's share of a reweighted pass: each fit's
// weighted normal equations.
type robustWorker struct {
	m      *Model
	fits   perFit[*Fit]
	coefs  perFit[[]float64] // the coefficients the weights come from
	ridges perFit[*Ridge]
	decay  perFit[float64] // the rows' decay weights added up, which the penalty was against
	// noLaneDate marks the area-pair and lane-date features, which a fit
	// chosen without them (Fit.LaneDate false) must not get back.
	noLaneDate []bool
	row, hid   Row
	masked     Row
	trainTo    time.Time
	n          int
}

func newRobustWorker(m *Model, coefs perFit[[]float64], trainTo time.Time) *robustWorker {
	w := &robustWorker{m: m, fits: perFit[*Fit]{m.Lane, m.Promise}, coefs: coefs, trainTo: trainTo,
		noLaneDate: make([]bool, len(m.Features))}
	for _, i := range m.enc.laneDateFeatures() {
		w.noLaneDate[i] = true
	}
	for k, f := range w.fits {
		if f != nil {
			w.ridges[k] = NewRidge(len(m.Features), 1)
		}
	}
	return w
}

func (w *robustWorker) journey(j *Journey) {
	if len(j.Scans) == 0 {
		return
	}
	key := laneKeysOf(j)
	promised := !j.Promised.IsZero() && w.fits[promiseFit] != nil
	age := w.trainTo.Sub(j.Scans[0].Time).Hours() / 24
	w.row.Fold, w.row.ownPeak = journeyFold(j), peakOwnWeek
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := w.m.enc.encodeBoth(s, &w.row, &w.hid)
		if promised {
			w.add(promiseFit, &w.row, &key, hoursLeft, age)
		}
		w.add(laneFit, laneRow, &key, hoursLeft, age)
		w.n++
	})
}

func (w *robustWorker) add(k fitKind, row *Row, lane *laneKeys, hoursLeft, age float64) {
	f := w.fits[k]
	if !f.LaneDate {
		copyWithout(row, &w.masked, w.noLaneDate)
		row = &w.masked
	}
	y := toTarget(hoursLeft, f.TargetScale) - offsetOf(f.LaneOffsets, lane)
	r := y - row.Dot(w.coefs[k])
	d := decayWeight(age, f.HalfLifeDays)
	w.decay[k] += d
	w.ridges[k].AddWeightedRow(row, []float64{y}, d/math.Max(math.Abs(r), robustFloor))
}

func (w *robustWorker) merge(o *robustWorker) {
	for k, r := range w.ridges {
		if r != nil {
			r.merge(o.ridges[k])
		}
		w.decay[k] += o.decay[k]
	}
	w.n += o.n
}

func (w *robustWorker) rows() int { return w.n }

// robustRefit returns each chosen fit's coefficients refitted for the
// least absolute deviations (nil for a fit it has not).
func (m *Model) robustRefit(ctx context.Context, src Source, cfg TrainConfig, nw int) (perFit[[]float64], error) {
	var coefs perFit[[]float64]
	chosen := perFit[*Fit]{m.Lane, m.Promise}
	for k, f := range chosen {
		if f != nil {
			coefs[k] = f.Coef
		}
	}
	w := m.Window
	for pass := range robustPasses {
		rw, err := runWorkers(ctx, src, cfg, "robust", nw, w.TrainFrom, w.TrainTo, w.CalibTo, func() *robustWorker {
			return newRobustWorker(m, coefs, w.TrainTo)
		})
		if err != nil {
			return coefs, fmt.Errorf("robust refit, pass %d: %w", pass+1, err)
		}
		for k, f := range rw.fits {
			if f == nil {
				continue
			}
			// The weights sum to about the rows' absolute residuals, not
			// their squares: the penalty is scaled to the same share of
			// them as it had of the decay weights.
			r := rw.ridges[k]
			lambda := f.Lambda * r.Weight() / math.Max(rw.decay[k], 1e-12)
			sol, err := r.Solve(lambda)
			if err != nil {
				return coefs, fmt.Errorf("robust refit, pass %d: %w", pass+1, err)
			}
			coefs[k] = sol[0]
		}
	}
	return coefs, nil
}

// chooseRobust refits the chosen fits for the least absolute deviations
// and keeps, fit by fit, whichever of the two does better on the
// calibration slice, its deliveries weighed by the censoring as the
// penalty choice weighs them.
// fits and plain are the fit pass's sums, with and without the lane-date
// features, from which a kept refit's drift margin and peak spread are
// measured again.
func (m *Model) chooseRobust(ctx context.Context, src Source, cfg TrainConfig, nw int, every uint32, fits, plain perFit[*fitAcc], calibWeeks, testWeeks int) error {
	coefs, err := m.robustRefit(ctx, src, cfg, nw)
	if err != nil {
		return err
	}
	chosen := perFit[*Fit]{m.Lane, m.Promise}
	var two perFit[*fitAcc]
	for k, f := range chosen {
		two[k] = &fitAcc{}
		if f != nil {
			for _, c := range [][]float64{f.Coef, coefs[k]} {
				two[k].cands = append(two[k].cands, &candidate{lambda: f.Lambda, scale: f.TargetScale, halfLife: f.HalfLifeDays,
					laneDate: f.LaneDate, coef: c, offsets: f.LaneOffsets})
			}
		}
	}
	w := m.Window
	sel, err := runWorkers(ctx, src, cfg, "robust choice", nw, w.TrainTo, w.CalibTo, w.CalibTo, func() *selectWorker {
		return newSelectWorker(m, two, every)
	})
	if err != nil {
		return fmt.Errorf("robust choice: %w", err)
	}
	if err := src.InFlight(ctx, w.TrainTo, w.CalibTo, w.CalibTo, func(j *Journey) error {
		sel.inFlight(j, w.CalibTo)
		return nil
	}); err != nil {
		return fmt.Errorf("robust choice: in flight at %s: %w", w.CalibTo.Format(time.DateOnly), err)
	}
	var wt *[censorDays]float64
	if selectWeighting {
		w := sel.cens.weights()
		wt = &w
	}
	for k, f := range chosen {
		if f == nil || len(sel.cands[k]) < 2 || sel.cands[k][0].n == 0 {
			continue
		}
		ls, robust := sel.cands[k][0].mae(wt), sel.cands[k][1].mae(wt)
		cfg.Log.Info("robust refit scored on the calibration slice", "fit", fitKind(k).String(), "least_squares_mae_hours", ls, "robust_mae_hours", robust)
		if robust < ls {
			f.Coef, f.Robust = coefs[k], true
			acc := fits[k]
			if !f.LaneDate && plain[k] != nil {
				acc = plain[k]
			}
			acc.respread(f, calibWeeks, testWeeks)
		}
	}
	return nil
}

// respread measures f's drift margin and peak spread again for its
// coefficients, from the sums of the fit pass it was chosen from.
func (f *fitAcc) respread(fit *Fit, calibWeeks, testWeeks int) {
	t, i := slices.Index(f.scales, fit.TargetScale), slices.Index(f.halfLives, fit.HalfLifeDays)
	if t < 0 || i < 0 {
		return
	}
	r := f.ridgeOf(i)
	sigma2 := r.RSS(fit.Coef, t) / r.Weight()
	fit.DriftSpread = f.weeks.driftSpread(fit.Coef, t, sigma2, calibWeeks, testWeeks)
	fit.PeakSpread = f.peakSpread(fit.Coef, t)
}
