package report

import (
	"fmt"

	"github.com/parcelcast/parcelcast/model"
)

// PromiseLines are the promise curve in text: for each on-time target,
// the commit's late rate and mean slack, in days over all shipments (a
// late one counting 0) and over the on-time ones, then the history's own
// promise beside the model's commit at the same late rate. None for a
// backtest without a curve.
func PromiseLines(m *model.Model) []string {
	c := m.Metrics.Promises
	if len(c.Points) == 0 || c.Points[0].N == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("promises made at the first scan of %d test shipments (commit target %s): late share; mean slack from delivery to the promise, over all shipments (a late one counts 0) and over the on-time ones",
		c.Points[0].N, pctTarget(c.Target))}
	for _, p := range c.Points {
		lines = append(lines, fmt.Sprintf("  target %s: late %s, slack %.1f d over all, %.1f d over the on-time",
			pctTarget(p.Target), pct(p.Late), p.MeanSlackAllHours/24, p.MeanSlackOnTimeHours/24))
	}
	if p := c.Commit; p.N > 0 {
		lines = append(lines, fmt.Sprintf("  the served commit (p95_commit, its level found for %s on the history): late %s, slack %.1f d over all, %.1f d over the on-time",
			pctTarget(c.Target), pct(p.Late), p.MeanSlackAllHours/24, p.MeanSlackOnTimeHours/24))
	}
	if o := c.Own; o.N > 0 {
		l := fmt.Sprintf("  the history's own promise (%d of them): late %s, slack %.1f d over all, %.1f d over the on-time",
			o.N, pct(o.Late), o.MeanSlackAllHours/24, o.MeanSlackOnTimeHours/24)
		if s, ok := model.AtLate(c.Model, o.Late); ok {
			l += fmt.Sprintf("; the model at that late rate, on the same shipments: %.1f d over all", s/24)
		}
		lines = append(lines, l)
	}
	return lines
}

// pctTarget is an on-time target as a percentage, with a decimal when it
// has one (95%, 95.5%).
func pctTarget(t float64) string {
	s := fmt.Sprintf("%.1f", 100*t)
	if s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + "%"
}
