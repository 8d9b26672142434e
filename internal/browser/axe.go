package browser

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID      string   `json:"id"`     // the rule, e.g. "label", "image-alt", "color-contrast"
	Impact  string   `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Tags    []string `json:"tags"`
	Nodes   []string `json:"nodes"` // CSS selectors of the offending elements
}

func (v Violation) String() string {
	return fmt.Sprintf("%s [%s] %s: %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
}

// Blocking reports whether a violation fails a page: serious or critical.
func (v Violation) Blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

var axeScript struct {
	once sync.Once
	src  string
	err  error
}

func loadAxe() (string, error) {
	axeScript.once.Do(func() {
		path, err := AxePath()
		if err != nil {
			axeScript.err = err
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeScript.err = fmt.Errorf("read axe-core (run `make deps`): %w", err)
			return
		}
		axeScript.src = string(b)
	})
	return axeScript.src, axeScript.err
}

// axeRun runs axe over the document with its default rule set (the WCAG 2.0,
// 2.1 and 2.2 A and AA rules and axe's best practices) and keeps only
// what the harness reports: the violations, each node as its selector.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => ({
	version: axe.version,
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl, tags: v.tags,
		nodes: v.nodes.map(n => n.target.map(String).join(" >>> ")),
	})),
}))`

// Axe injects axe-core into the page of a chromedp context (a Tab's
// Context) and returns the rules the page violates.
func Axe(ctx context.Context) ([]Violation, error) {
	src, err := loadAxe()
	if err != nil {
		return nil, err
	}
	// Injected once per document: parsing axe-core is most of its cost.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object" && typeof axe.run === "function"`))
	if err != nil {
		return nil, fmt.Errorf("look for axe-core: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	type result struct {
		Version    string      `json:"version"`
		Violations []Violation `json:"violations"`
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[result](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	if os.Getenv(EnvAxe) == "" && r.Version != AxeVersion {
		return nil, fmt.Errorf("axe-core at the default path is %s, want %s: run `make deps`", r.Version, AxeVersion)
	}
	return r.Violations, nil
}

// Axe runs axe-core in the tab, failing the test if it cannot run.
func (p *Tab) Axe() []Violation {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	vs, err := Axe(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	return vs
}

// AssertAccessible fails the test, listing them, if axe-core finds serious
// or critical violations on the page; lesser ones are logged.
func (p *Tab) AssertAccessible() {
	p.t.Helper()
	var blocking []string
	for _, v := range p.Axe() {
		if v.Blocking() {
			blocking = append(blocking, "  "+v.String())
		} else {
			p.t.Logf("axe (not failing): %s", v)
		}
	}
	if len(blocking) > 0 {
		p.t.Errorf("axe-core found %d serious or critical violation(s) on %s:\n%s",
			len(blocking), Eval[string](p, "location.href"), strings.Join(blocking, "\n"))
	}
}
