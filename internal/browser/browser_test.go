package browser

import (
	"fmt"
	"html"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) { Run(m) }

// page wraps a body in a document that is accessible by itself.
func page(title, head, body string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + title + `</title>` + head + `</head><body><main><h1>` + title + `</h1>` + body + `</main></body></html>`
}

func server(t *testing.T) *httptest.Server {
	t.Helper()
	// A port nothing listens on, for a sub-resource that cannot load.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/gone.js"
	ln.Close()
	pages := map[string]string{
		"/clean": page("Parcel 123", `<style>body{font-family:sans-serif;color:#222;background:#fff}</style>`,
			`<p>Out for delivery.</p><img src="/pixel.svg" alt="Van"><a href="/form">Change delivery</a>`),
		"/no-label":     page("Missing label", "", `<form><input type="text" name="q"></form>`),
		"/no-alt":       page("Missing alt", "", `<img src="/pixel.svg">`),
		"/low-contrast": page("Low contrast", "", `<p style="color:#bbb;background:#fff">Hard to read</p>`),
		"/console":      page("Console", `<script>console.error("tracking failed", 42)</script>`, ""),
		"/throw":        page("Throws", `<script>throw new Error("kaboom")</script>`, ""),
		"/broken": page("Broken", "", `<img src="/missing.png" alt="Map">`+
			`<script src="`+refused+`"></script>`),
		"/form": page("Change delivery", "", `<form action="/hello" method="post">
<label for="name">Name</label><input id="name" name="name" value="old">
<label for="slot">Slot</label><select id="slot" name="slot"><option>morning</option><option>evening</option></select>
<button type="submit">Send</button></form>`),
		"/long": page("Long", "", strings.Repeat("<p>Line of text about a parcel.</p>", 30)+
			"<p>"+strings.Repeat("A paragraph that wraps onto more lines on a narrow screen. ", 40)+"</p>"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/pixel.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>`)
	})
	// No /favicon.ico: the browser's own request for it is no problem of
	// the pages'.
	mux.HandleFunc("/strict", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page("Strict", "", `<p>No scripts allowed.</p><input type="text" name="q"><script>document.title = "ran"</script>`))
	})
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, page("Thanks", "", `<p id="greeting">Hello, `+html.EscapeString(r.PostFormValue("name"))+`, in the `+html.EscapeString(r.PostFormValue("slot"))+`</p>`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			body = page("Not found", "", "<p>No such parcel.</p>")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestCleanPagePasses(t *testing.T) {
	t.Parallel()
	srv := server(t)
	tab := NewTab(t)
	if got := tab.Navigate(srv.URL + "/clean"); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	if vs := tab.Axe(); len(vs) != 0 {
		t.Errorf("axe found violations on the clean page: %v", vs)
	}
	if ps := tab.Problems(); len(ps) != 0 {
		t.Errorf("problems on the clean page: %v", ps)
	}
	if got := tab.Text("h1"); got != "Parcel 123" {
		t.Errorf("h1 = %q", got)
	}
	if alt, ok := tab.Attr("img", "alt"); !ok || alt != "Van" {
		t.Errorf("img alt = %q, %v", alt, ok)
	}
	if _, ok := tab.Attr("img", "title"); ok {
		t.Error("img has no title attribute, Attr says it has")
	}
	if n := tab.Count("p"); n != 1 {
		t.Errorf("Count(p) = %d", n)
	}
}

func TestAxeReportsViolations(t *testing.T) {
	t.Parallel()
	srv := server(t)
	tab := NewTab(t)
	for _, c := range []struct{ path, rule, node string }{
		{"/no-label", "label", "input"},
		{"/no-alt", "image-alt", "img"},
		{"/low-contrast", "color-contrast", "p"},
	} {
		t.Run(c.rule, func(t *testing.T) {
			tab.Navigate(srv.URL + c.path)
			var found *Violation
			for _, v := range tab.Axe() {
				if v.ID == c.rule {
					found = &v
				}
			}
			if found == nil {
				t.Fatalf("axe did not report %s on %s", c.rule, c.path)
			}
			if !found.Blocking() {
				t.Errorf("%s has impact %q, want serious or critical", c.rule, found.Impact)
			}
			if len(found.Nodes) != 1 || found.Nodes[0] != c.node {
				t.Errorf("%s nodes = %q, want [%s]", c.rule, found.Nodes, c.node)
			}
		})
	}
}

// fakeT records what a tab reports to its test, so the harness's own
// failures can be checked without failing this test.
type fakeT struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeT) close() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// axe-core runs on a page whose Content-Security-Policy forbids scripts,
// as the tracking page's may.
func TestAxeUnderStrictCSP(t *testing.T) {
	t.Parallel()
	srv := server(t)
	tab := NewTab(t)
	tab.Navigate(srv.URL + "/strict")
	var ids []string
	for _, v := range tab.Axe() {
		ids = append(ids, v.ID)
	}
	if !slices.Contains(ids, "label") {
		t.Errorf("axe found %q on the strict page, want label", ids)
	}
	// The policy is in force: the page's own inline script was refused,
	// and the refusal is a problem of the page.
	if title := Eval[string](tab, "document.title"); title != "Strict" {
		t.Errorf("the page's inline script ran: title %q", title)
	}
	if ps := tab.TakeProblems(); len(ps) != 1 || !strings.HasPrefix(ps[0].String(), "console: security: Executing inline script violates the following Content Security Policy") {
		t.Errorf("problems %q, want the refused inline script", ps)
	}
}

func TestAssertAccessibleFailsOnViolations(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ft := &fakeT{TB: t}
	defer ft.close()
	tab := NewTab(ft)
	tab.Navigate(srv.URL + "/no-label")
	tab.AssertAccessible()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "label [critical]") {
		t.Errorf("AssertAccessible reported %q, want the label violation", ft.errors)
	}
}

func TestProblemsReported(t *testing.T) {
	t.Parallel()
	srv := server(t)
	for _, c := range []struct {
		path string
		want []string // one pattern per problem, in the order of their text
	}{
		{"/console", []string{`^console: tracking failed 42 \(http://.*/console:3\)$`}},
		{"/throw", []string{`^exception: Uncaught Error: kaboom .*/throw`}},
		{"/broken", []string{
			`^network: Image answered 404 Not Found \(http://.*/missing.png\)$`,
			`^network: Script failed: net::ERR_CONNECTION_REFUSED \(http://127.0.0.1:\d+/gone.js\)$`,
		}},
	} {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			t.Parallel()
			tab := NewTab(t)
			tab.Navigate(srv.URL + c.path)
			got := tab.TakeProblems()
			var lines []string
			for _, p := range got {
				lines = append(lines, p.String())
			}
			slices.Sort(lines) // an image and a script may fail in either order
			if len(got) != len(c.want) {
				t.Fatalf("problems = %q, want %d", lines, len(c.want))
			}
			for i, re := range c.want {
				if !regexp.MustCompile(re).MatchString(lines[i]) {
					t.Errorf("problem %d = %q, want %s", i, lines[i], re)
				}
			}
		})
	}
}

// A problem nobody took fails the test when its tab closes.
func TestUnclaimedProblemsFailTheTest(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ft := &fakeT{TB: t}
	tab := NewTab(ft)
	tab.Navigate(srv.URL + "/throw")
	tab.Navigate(srv.URL + "/clean")
	ft.close()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "kaboom") {
		t.Errorf("closing the tab reported %q, want the exception", ft.errors)
	}

	ft = &fakeT{TB: t}
	tab = NewTab(ft)
	tab.Navigate(srv.URL + "/console")
	tab.AssertNoProblems()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "tracking failed") {
		t.Errorf("AssertNoProblems reported %q, want the console error", ft.errors)
	}
	ft.close()
	if len(ft.errors) != 1 {
		t.Errorf("a problem was reported twice: %q", ft.errors)
	}
}

// A page that answers 404 on purpose is no problem: Navigate returns it.
func TestNavigateReturnsStatus(t *testing.T) {
	t.Parallel()
	srv := server(t)
	tab := NewTab(t)
	if got := tab.Navigate(srv.URL + "/nowhere"); got != http.StatusNotFound {
		t.Errorf("status %d, want 404", got)
	}
	if got := tab.Text("p"); got != "No such parcel." {
		t.Errorf("text %q", got)
	}
	if got := tab.Navigate("about:blank"); got != 0 {
		t.Errorf("about:blank: status %d, want 0", got)
	}
}

func TestScreenshotWidths(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvArtifacts, dir)
	srv := server(t)
	tab := NewTab(t)
	tab.Navigate(srv.URL + "/long")
	heights := map[int]int{}
	for _, width := range []int{Desktop, Phone} {
		path := tab.Screenshot("tracking page", width)
		if want := filepath.Join(dir, fmt.Sprintf("TestScreenshotWidths-tracking_page-%d.png", width)); path != want {
			t.Errorf("path %s, want %s", path, want)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s is not a PNG: %v", path, err)
		}
		if cfg.Width != width {
			t.Errorf("%s is %d px wide, want %d", path, cfg.Width, width)
		}
		// Full page: the text is taller than the viewport.
		if cfg.Height <= 800 {
			t.Errorf("%s is %d px high: not the full page", path, cfg.Height)
		}
		heights[width] = cfg.Height
		t.Logf("%s: %dx%d", filepath.Base(path), cfg.Width, cfg.Height)
	}
	// Laid out again at the phone's width, not cropped: the long
	// paragraph wraps onto more lines.
	if heights[Phone] <= heights[Desktop] {
		t.Errorf("phone page %d px high, desktop %d: not laid out at %d px", heights[Phone], heights[Desktop], Phone)
	}
	if got := Eval[int](tab, "window.innerWidth"); got != Desktop {
		t.Errorf("viewport left at %d px", got)
	}
}

func TestFormSubmits(t *testing.T) {
	t.Parallel()
	srv := server(t)
	tab := NewTab(t)
	tab.Navigate(srv.URL + "/clean")
	if got := tab.Submit("a[href='/form']"); got != http.StatusOK {
		t.Fatalf("following the link: status %d", got)
	}
	tab.Fill("#name", "Ada <Lovelace>")
	tab.Choose("#slot", "evening")
	if got := tab.Submit("button[type=submit]"); got != http.StatusOK {
		t.Fatalf("submit: status %d", got)
	}
	if got := tab.Text("#greeting"); got != "Hello, Ada <Lovelace>, in the evening" {
		t.Errorf("next page says %q", got)
	}
	tab.AssertAccessible()
	tab.Screenshots("thanks")
}

// The missing browser or axe-core is named with the way to install it.
func TestMissingDependencies(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-chromium"))
	if msg := missing(); !strings.Contains(msg, "no-chromium") || !strings.Contains(msg, "run `make deps`") {
		t.Errorf("missing chromium: %q", msg)
	}
	t.Setenv(EnvChromium, "")
	t.Setenv(EnvAxe, filepath.Join(t.TempDir(), "axe.min.js"))
	if msg := missing(); !strings.Contains(msg, "axe.min.js") || !strings.Contains(msg, "run `make deps`") {
		t.Errorf("missing axe-core: %q", msg)
	}
}

// install-deps.sh fetches the axe-core version the harness expects.
func TestAxeVersionMatchesInstallScript(t *testing.T) {
	b, err := os.ReadFile("../../deploy/local/install-deps.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^AXE_VERSION=(\S+)$`).FindSubmatch(b)
	if m == nil || string(m[1]) != AxeVersion {
		t.Errorf("install-deps.sh pins axe-core %q, the harness wants %s", m, AxeVersion)
	}
}

// The profile folder of a test binary that is gone is removed; a live
// one's is kept.
func TestPruneProfiles(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", profilePrefix, cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", profilePrefix, os.Getppid()))
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)
	pruneProfiles()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("profile of exited pid %d kept: %v", cmd.Process.Pid, err)
		os.RemoveAll(dead)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("profile of the live parent removed: %v", err)
	}
}
