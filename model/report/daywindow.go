package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/parcelcast/parcelcast/model"
)

// DayWindowLine is the delivery-day window's backtest in one line; empty
// for a model without windows.
func DayWindowLine(m *model.Model) string {
	d := m.Metrics.DayWindow
	if d.OutForDelivery.N == 0 && d.ETADay.N == 0 {
		return ""
	}
	o, e := d.OutForDelivery, d.ETADay
	var b strings.Builder
	b.WriteString("delivery-day window: ")
	if o.N == 0 {
		b.WriteString("no out-for-delivery scans")
	} else {
		fmt.Fprintf(&b, "out for delivery %s within (target %s) of %d, %.1f h long", pct(o.Coverage), pct(model.DayWindowTarget), o.N, o.MeanHours)
	}
	if e.N > 0 {
		fmt.Fprintf(&b, "; ETA day %s within of %d (%s on the day, %s of those within), %.1f h long",
			pct(e.Coverage), e.N, pct(e.OnTheDay), pct(e.CoverageOnTheDay), e.MeanHours)
	}
	return b.String()
}

// dayWindowMarkdown is the report's section on the delivery-day window,
// empty for a model without one.
func dayWindowMarkdown(b *strings.Builder, m *model.Model) {
	line := DayWindowLine(m)
	if line == "" {
		return
	}
	d := m.Metrics.DayWindow
	fmt.Fprintf(b, "\n## Delivery-day window\n\nThe local time-of-day window given once a parcel is out for delivery (at every out-for-delivery scan), "+
		"and before that for its ETA day (at every earlier snapshot). Within: delivered on the date given and inside the window; "+
		"on the day: delivered on that date. The windows hold a mass chosen on the calibration slice (out for delivery %.2f, ETA day %.2f) "+
		"to cover %s there.\n\n%s.\n\n", massOf(m, true), massOf(m, false), pct(model.DayWindowTarget), line)
	fmt.Fprintf(b, "|group|out for delivery n|within|on the day|hours|ETA day n|within|on the day|within on the day|hours|\n|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(name string, s model.DayWindowScores) {
		o, e := s.OutForDelivery, s.ETADay
		fmt.Fprintf(b, "|%s|%d|%s|%s|%.1f|%d|%s|%s|%s|%.1f|\n", name, o.N, pct(o.Coverage), pct(o.OnTheDay), o.MeanHours,
			e.N, pct(e.Coverage), pct(e.OnTheDay), pct(e.CoverageOnTheDay), e.MeanHours)
	}
	row("overall", d.DayWindowScores)
	for _, c := range slices.Sorted(maps.Keys(d.ByCarrier)) {
		row("carrier "+c, d.ByCarrier[c])
	}
	if len(d.ByLevel) > 0 {
		fmt.Fprintf(b, "\nOut for delivery, by the level the window came from (finer cells with too few deliveries fall back to coarser ones):\n\n"+
			"|level|n|within|on the day|hours|\n|---|---|---|---|---|\n")
		for _, lv := range model.DayWindowLevels {
			if s, ok := d.ByLevel[lv]; ok {
				fmt.Fprintf(b, "|%s|%d|%s|%s|%.1f|\n", lv, s.N, pct(s.Coverage), pct(s.OnTheDay), s.MeanHours)
			}
		}
	}
}

func massOf(m *model.Model, ofd bool) float64 {
	if m.DayWindows == nil {
		return 0
	}
	if ofd {
		return m.DayWindows.OutForDelivery.Mass
	}
	return m.DayWindows.ETADay.Mass
}
