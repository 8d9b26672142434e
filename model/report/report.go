// Package report turns a model's backtest into a summary table and a
// Markdown report with PNG plots (calibration, error by days to go, and
// the distribution of errors), drawn with gonum.org/v1/plot.
package report

import (
	"fmt"
	"image/color"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/parcelcast/parcelcast/model"
)

// Row is one line of the summary table.
type Row struct {
	Group string
	Score model.Score
}

// Rows lists the summary's groups: overall, without the promise, then by
// carrier, service and days to go.
func Rows(m *model.Model) []Row {
	mt := m.Metrics
	rows := []Row{{"overall", mt.Overall}, {"overall, promise hidden", mt.WithoutPromise}}
	for _, k := range slices.Sorted(maps.Keys(mt.ByCarrier)) {
		rows = append(rows, Row{"carrier " + orNone(k), mt.ByCarrier[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(mt.ByService)) {
		rows = append(rows, Row{"service " + orNone(k), mt.ByService[k]})
	}
	for _, k := range model.DaysToGoBuckets {
		if s, ok := mt.ByDaysToGo[k]; ok {
			rows = append(rows, Row{"days to go " + k, s})
		}
	}
	return rows
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

var header = []string{"group", "snapshots", "MAE h", "RMSE h", "within 1 day", "p10–p90", "p95 on time",
	"p95 slack h", "standard MAE h", "lane median MAE h", "lane mode MAE h", "vs lane median"}

func cells(r Row) []string {
	s := r.Score
	b := s.Baselines
	return []string{r.Group, fmt.Sprint(s.N), f1(s.MAEHours), f1(s.RMSEHours), pct(s.Within1Day), pct(s.Coverage80),
		pct(s.P95OnTime), f1(s.P95SlackHours), covered(b[model.BaselineStandard], s.N),
		f1(b[model.BaselineLaneMedian].MAEHours), f1(b[model.BaselineLaneMode].MAEHours),
		fmt.Sprintf("%+.0f%%", -100*s.Reduction(model.BaselineLaneMedian))}
}

// covered is a baseline's MAE, with the share of the group's snapshots
// it estimated when it abstained on some ("–" on all).
func covered(b model.BaselineScore, n int) string {
	switch {
	case b.N == 0 && b.MAEHours == 0 && n > 0:
		return "–"
	case b.N > 0 && b.N < n:
		return fmt.Sprintf("%.1f (%.0f%%)", b.MAEHours, 100*float64(b.N)/float64(n))
	}
	return f1(b.MAEHours)
}

func f1(v float64) string  { return fmt.Sprintf("%.1f", v) }
func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// Summary writes the summary table as aligned text.
func Summary(w io.Writer, m *model.Model) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, r := range Rows(m) {
		fmt.Fprintln(tw, strings.Join(cells(r), "\t")+"\t")
	}
	return tw.Flush()
}

// Plot file names inside a report directory.
const (
	CalibrationPNG = "calibration.png"
	DaysToGoPNG    = "error_by_days_to_go.png"
	ErrorsPNG      = "errors.png"
	ReportMD       = "report.md"
)

// Write writes report.md and its plots into dir and returns the report's
// path.
func Write(dir string, m *model.Model) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report dir: %w", err)
	}
	for name, draw := range map[string]func(*model.Model) (*plot.Plot, error){
		CalibrationPNG: calibrationPlot, DaysToGoPNG: daysToGoPlot, ErrorsPNG: errorsPlot,
	} {
		p, err := draw(m)
		if err != nil {
			return "", fmt.Errorf("plot %s: %w", name, err)
		}
		if err := p.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("save %s: %w", name, err)
		}
	}
	path := filepath.Join(dir, ReportMD)
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("write report: %w", err)
	}
	err = markdown(f, m)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("write report: %w", err)
	}
	return path, nil
}

func markdown(w io.Writer, m *model.Model) error {
	mt := m.Metrics
	win := m.Window
	var b strings.Builder
	fmt.Fprintf(&b, "# ETA model %s: backtest\n\n", m.Version)
	fmt.Fprintf(&b, "Trained %s on shipments first scanned %s to %s (%d snapshot rows), calibrated on %s to %s (%d rows), "+
		"tested on %s to %s: %d snapshots of %d shipments the fit never saw.\n\n",
		m.TrainedAt.Format("2006-01-02 15:04 MST"), day(win.TrainFrom), day(win.TrainTo), mt.TrainRows,
		day(win.TrainTo), day(win.CalibTo), mt.CalibRows, day(win.CalibTo), day(win.TestTo), mt.TestRows, mt.TestShipments)
	fmt.Fprintf(&b, "%s.\n\n", Headline(m))
	fmt.Fprintf(&b, "Errors are in hours between the predicted (p50) and the actual delivery, over every scan before delivery. "+
		"Baselines: **carrier standard** (the carrier's promised date, or the service standard in business days; "+
		"without either it abstains, and its MAE is over the snapshots it estimated, their share in brackets), "+
		"**lane median** (median transit of the carrier, service and lane in the train slice, less the time elapsed) and "+
		"**lane mode** (the most common transit day, recent shipments weighing more).\n\n")
	fmt.Fprintf(&b, "## Summary\n\n|%s|\n|%s\n", strings.Join(header, "|"), strings.Repeat("---|", len(header)))
	for _, r := range Rows(m) {
		fmt.Fprintf(&b, "|%s|\n", strings.Join(cells(r), "|"))
	}
	fmt.Fprintf(&b, "\n## Penalty and target scale\n\nRidge penalties and target scales (each fit predicts log(1 + hours/scale)) tried, "+
		"scored on the calibration slice (the test slice never chooses):\n\n|fit|lambda|target scale h|calibration MAE h|\n|---|---|---|---|\n")
	for _, l := range mt.Lambdas {
		fmt.Fprintf(&b, "|%s|%g|%g|%.2f|\n", l.Fit, l.Lambda, l.TargetScale, l.MAEHours)
	}
	if c := m.Metrics.Promises; len(c.Points) > 0 && c.Points[0].N > 0 {
		fmt.Fprintf(&b, "\n## Promises\n\nA commit for each on-time target, made at each test shipment's first scan and calibrated on the calibration slice "+
			"(the commit target is %s). Slack is the time from delivery to the promise, in days, as a mean over all shipments "+
			"(a late one counts 0) and over the on-time ones only.\n\n|promise|shipments|late|mean slack d, all|mean slack d, on-time|\n|---|---|---|---|---|\n",
			pctTarget(c.Target))
		for _, p := range c.Points {
			fmt.Fprintf(&b, "|model, target %s|%d|%s|%.1f|%.1f|\n", pctTarget(p.Target), p.N, pct(p.Late), p.MeanSlackAllHours/24, p.MeanSlackOnTimeHours/24)
		}
		if o := c.Own; o.N > 0 {
			fmt.Fprintf(&b, "|the history's own|%d|%s|%.1f|%.1f|\n", o.N, pct(o.Late), o.MeanSlackAllHours/24, o.MeanSlackOnTimeHours/24)
			if s, ok := model.AtLate(c.Model, o.Late); ok {
				fmt.Fprintf(&b, "\nAt the history's own late rate (%s), the model's commit on the same %d shipments has %.1f d of mean slack over all of them.\n",
					pct(o.Late), o.N, s/24)
			}
		}
	}
	fmt.Fprintf(&b, "\n## Calibration\n\nShare of test deliveries before each quantile of the prediction; a calibrated model lies on the diagonal, "+
		"a little outside it away from the median (each level is widened by its sampling error on the calibration slice).\n\n![calibration](%s)\n\n", CalibrationPNG)
	fmt.Fprintf(&b, "## Error by days to go\n\nMAE by the true time left at the snapshot.\n\n![error by days to go](%s)\n\n", DaysToGoPNG)
	fmt.Fprintf(&b, "## Errors\n\nDistribution of p50 − actual (hours; negative = delivered later than predicted). The bins span the test errors; the end bins also hold the 0.5%% beyond either side.\n\n![errors](%s)\n", ErrorsPNG)
	dayWindowMarkdown(&b, m)
	_, err := io.WriteString(w, b.String())
	return err
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func calibrationPlot(m *model.Model) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Calibration of the predicted quantiles"
	p.X.Label.Text = "nominal quantile level"
	p.Y.Label.Text = "share delivered before it"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}
	pts := make(plotter.XYs, len(m.Metrics.Calibration))
	for i, c := range m.Metrics.Calibration {
		pts[i] = plotter.XY{X: c.Level, Y: c.Observed}
	}
	if err := plotutil.AddLinePoints(p, "model", pts); err != nil {
		return nil, err
	}
	ref, err := plotter.NewLine(diag)
	if err != nil {
		return nil, err
	}
	ref.Color = color.Gray{Y: 150}
	ref.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	p.Add(ref)
	p.Legend.Add("perfect", ref)
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p, nil
}

func daysToGoPlot(m *model.Model) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "MAE by days to go"
	p.Y.Label.Text = "MAE (hours)"
	var names []string
	for _, k := range model.DaysToGoBuckets {
		if _, ok := m.Metrics.ByDaysToGo[k]; ok {
			names = append(names, k)
		}
	}
	series := append([]string{"model"}, model.BaselineNames...)
	w := vg.Points(12)
	for i, name := range series {
		vals := make(plotter.Values, len(names))
		for j, k := range names {
			s := m.Metrics.ByDaysToGo[k]
			if name == "model" {
				vals[j] = s.MAEHours
			} else {
				vals[j] = s.Baselines[name].MAEHours
			}
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		bars.Color = plotutil.Color(i)
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(bars)
		p.Legend.Add(strings.ReplaceAll(name, "_", " "), bars)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(names...)
	p.X.Label.Text = "true time left"
	return p, nil
}

func errorsPlot(m *model.Model) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Distribution of errors (p50 − actual)"
	p.X.Label.Text = "hours"
	p.Y.Label.Text = "snapshots"
	e := m.Metrics.Errors
	if len(e.Counts) == 0 {
		return p, nil
	}
	// The histogram's own bins: the x axis spans them, however wide the
	// errors are.
	h := &plotter.Histogram{Width: e.Width, LineStyle: plotter.DefaultLineStyle}
	for i, c := range e.Counts {
		lo := e.From + e.Width*float64(i)
		h.Bins = append(h.Bins, plotter.HistogramBin{Min: lo, Max: lo + e.Width, Weight: float64(c)})
	}
	h.FillColor = plotutil.Color(0)
	p.Add(h)
	return p, nil
}
