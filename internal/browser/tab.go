package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// actionTimeout bounds each helper of a Tab, so a missing element or a
// page that never loads fails the test instead of hanging it.
const actionTimeout = 30 * time.Second

// Problem is something a page did wrong: a console error, an uncaught
// exception or a sub-resource that failed to load.
type Problem struct {
	Kind string // "console", "exception" or "network"
	Text string
	URL  string // the script or the resource, when known
}

func (p Problem) String() string {
	if p.URL == "" {
		return p.Kind + ": " + p.Text
	}
	return p.Kind + ": " + p.Text + " (" + p.URL + ")"
}

// Tab is one browser tab of one test, in a browser context of its own (no
// cookies or storage shared with other tests). It closes when the test
// ends, and then fails the test with every Problem not taken by
// TakeProblems.
type Tab struct {
	t   testing.TB
	ctx context.Context

	mu        sync.Mutex
	problems  []Problem
	requests  map[network.RequestID]request
	mainFrame cdp.FrameID
}

type request struct {
	url string
	typ network.ResourceType
}

// NewTab opens a tab for t in the shared browser (started on first use) at
// a 1280 px desktop viewport. It fails t, saying to run `make deps`, when
// Chromium or axe-core is missing.
func NewTab(t testing.TB) *Tab {
	t.Helper()
	if msg := missing(); msg != "" {
		t.Fatal(msg)
	}
	bctx, err := browserCtx()
	if err != nil {
		t.Fatal(err)
	}
	p := &Tab{t: t, requests: map[network.RequestID]request{}}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.record))
	p.ctx = ctx
	timer := time.AfterFunc(startTimeout, cancel)
	err = chromedp.Do(ctx) // opens the tab; bound to ctx, so no derived timeout
	timer.Stop()
	if err != nil {
		cancel()
		t.Fatalf("open browser tab: %v", err)
	}
	p.mu.Lock()
	p.mainFrame = cdp.FrameID(chromedp.FromContext(ctx).Target.TargetID) // a tab's main frame has its target's id
	p.mu.Unlock()
	t.Cleanup(func() {
		if left := p.TakeProblems(); len(left) > 0 {
			t.Errorf("the page reported %d problem(s):\n%s", len(left), list(left))
		}
		cancel()
	})
	p.Run(chromedp.EmulateViewport(Desktop, 800))
	return p
}

// record runs in the tab's event loop, in the order the browser sent the
// events: it must return fast and send no command.
func (p *Tab) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			p.problems = append(p.problems, Problem{Kind: "console", Text: argsText(ev.Args), URL: stackURL(ev.StackTrace)})
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + firstLine(d.Exception.Description)
		}
		where := d.URL
		if where == "" {
			where = stackURL(d.StackTrace)
		}
		p.problems = append(p.problems, Problem{Kind: "exception", Text: text, URL: where})
	case *cdplog.EventEntryAdded:
		// Network errors come with better detail from the network events.
		if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
			p.problems = append(p.problems, Problem{Kind: "console", Text: string(e.Source) + ": " + e.Text, URL: e.URL})
		}
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			p.requests[ev.RequestID] = request{url: ev.Request.URL, typ: ev.Type}
		}
	case *network.EventResponseReceived:
		r := ev.Response
		if r == nil || r.Status < 400 || p.isMainDocument(ev.Type, ev.FrameID) || isDefaultIcon(ev.Type, r.URL) {
			return // the main document's status is Navigate's result
		}
		p.problems = append(p.problems, Problem{Kind: "network", Text: fmt.Sprintf("%s answered %d %s", ev.Type, r.Status, r.StatusText), URL: r.URL})
	case *network.EventLoadingFailed:
		req := p.requests[ev.RequestID]
		if ev.Canceled || p.isMainDocument(req.typ, "") || isDefaultIcon(req.typ, req.url) {
			return // left behind by a navigation, or Navigate's own error
		}
		p.problems = append(p.problems, Problem{Kind: "network", Text: fmt.Sprintf("%s failed: %s", ev.Type, ev.ErrorText), URL: req.url})
	}
}

// isMainDocument reports whether a request is the tab's top document; an
// empty frame matches any frame.
func (p *Tab) isMainDocument(typ network.ResourceType, frame cdp.FrameID) bool {
	return typ == network.ResourceTypeDocument && (frame == "" || frame == p.mainFrame)
}

// isDefaultIcon reports whether a request is the browser's own guess at
// /favicon.ico, made for a page that names no icon: not a sub-resource of
// the page, so its 404 is no problem. An icon the page names still counts.
func isDefaultIcon(typ network.ResourceType, rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && typ == network.ResourceTypeOther && u.Path == "/favicon.ico" && u.RawQuery == ""
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a == nil:
			continue
		case len(a.Value) > 0:
			if err := json.Unmarshal([]byte(a.Value), &s); err != nil {
				s = string(a.Value)
			}
		case a.UnserializableValue != "":
			s = string(a.UnserializableValue)
		default:
			s = firstLine(a.Description)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func stackURL(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf("%s:%d", f.URL, f.LineNumber+1)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func list(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// Context is the tab's chromedp context, for chromedp actions the helpers
// do not cover. Cancelling a context derived from it leaves the tab open.
func (p *Tab) Context() context.Context { return p.ctx }

// Run runs chromedp actions in the tab, failing the test on an error.
func (p *Tab) Run(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// Navigate loads addr, waits for its load event and returns the document's
// HTTP status (a page may answer 404 on purpose; its sub-resources may not),
// or 0 for a document that came over no HTTP (about:blank, data: URLs).
func (p *Tab) Navigate(addr string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(addr))
	if err != nil {
		p.t.Fatalf("navigate to %s: %v", addr, err)
	}
	return status(resp)
}

func status(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Eval evaluates a JavaScript expression in the page and decodes its JSON
// value into a T.
func Eval[T any](p *Tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Count is how many elements match a CSS selector now.
func (p *Tab) Count(sel string) int {
	p.t.Helper()
	return Eval[int](p, fmt.Sprintf("document.querySelectorAll(%s).length", quote(sel)))
}

// Text is the rendered text (innerText) of the first element matching a
// CSS selector; the test fails when none does. It does not wait: a page
// that works without JavaScript is complete at its load event.
func (p *Tab) Text(sel string) string {
	p.t.Helper()
	v := Eval[*string](p, fmt.Sprintf("(e => e === null ? null : e.innerText)(document.querySelector(%s))", quote(sel)))
	if v == nil {
		p.t.Fatalf("no element matches %q", sel)
	}
	return *v
}

// Attr is an attribute of the first element matching a CSS selector, and
// whether the element has it; the test fails when no element matches.
func (p *Tab) Attr(sel, name string) (string, bool) {
	p.t.Helper()
	v := Eval[*[2]any](p, fmt.Sprintf("(e => e === null ? null : [e.hasAttribute(%[2]s), e.getAttribute(%[2]s)])(document.querySelector(%[1]s))", quote(sel), quote(name)))
	if v == nil {
		p.t.Fatalf("no element matches %q", sel)
	}
	has, _ := v[0].(bool)
	s, _ := v[1].(string)
	return s, has
}

// Fill types value into the form field matching a CSS selector, after
// clearing it.
func (p *Tab) Fill(sel, value string) {
	p.t.Helper()
	p.mustMatch(sel)
	p.Run(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Choose sets the value of the field matching a CSS selector directly: a
// <select>'s option, a date or a range, which take no typing.
func (p *Tab) Choose(sel, value string) {
	p.t.Helper()
	p.mustMatch(sel)
	p.Run(chromedp.SetValue(chromedp.CSS(sel), value))
}

// Submit clicks the element matching a CSS selector (a submit button or a
// link), waits for the page it leads to and returns that page's status,
// as Navigate does.
func (p *Tab) Submit(sel string) int {
	p.t.Helper()
	p.mustMatch(sel)
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("submit with %q: %v", sel, err)
	}
	return status(resp)
}

func (p *Tab) mustMatch(sel string) {
	p.t.Helper()
	if p.Count(sel) == 0 {
		p.t.Fatalf("no element matches %q", sel)
	}
}

// Screenshot writes a PNG of the whole page laid out at a viewport width
// in CSS pixels (Desktop, Phone) to the artifacts folder, named from the
// test and the label, and returns its path. The viewport is back at the
// desktop width afterwards.
func (p *Tab) Screenshot(label string, width int) string {
	p.t.Helper()
	dir, err := ArtifactsDir()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatalf("artifacts dir: %v", err)
	}
	height := int64(800)
	if width < 768 {
		height = 667
	}
	p.Run(chromedp.EmulateViewport(int64(width), height))
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	p.Run(chromedp.EmulateViewport(Desktop, 800))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", fileName(p.t.Name()), fileName(label), width))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatalf("write screenshot: %v", err)
	}
	return path
}

// Screenshots takes the desktop and the phone screenshot of the page.
func (p *Tab) Screenshots(label string) {
	p.t.Helper()
	p.Screenshot(label, Desktop)
	p.Screenshot(label, Phone)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// Problems returns what the page did wrong so far, in order.
func (p *Tab) Problems() []Problem {
	p.t.Helper()
	p.sync()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Problem(nil), p.problems...)
}

// TakeProblems returns the problems so far and forgets them, so a test
// that expects some can check them without failing at the end.
func (p *Tab) TakeProblems() []Problem {
	p.t.Helper()
	p.sync()
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := p.problems
	p.problems = nil
	return ps
}

// AssertNoProblems fails the test, listing them, if the page logged a
// console error, threw an uncaught exception or failed to load a
// sub-resource so far.
func (p *Tab) AssertNoProblems() {
	p.t.Helper()
	if ps := p.TakeProblems(); len(ps) > 0 {
		p.t.Errorf("the page reported %d problem(s):\n%s", len(ps), list(ps))
	}
}

// sync makes a round trip to the tab: the listener runs in the loop that
// reads the browser's messages, so every event sent before the reply has
// been recorded when it returns.
func (p *Tab) sync() {
	if p.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void]("0"))
}

// quote makes a JavaScript string literal of s.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
