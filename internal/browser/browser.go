// Package browser drives a real headless Chromium from Go tests, over the
// Chrome DevTools Protocol (github.com/chromedp/chromedp): pages served by
// a test's own server are loaded in a tab, read, filled and submitted,
// checked with axe-core for accessibility, and screenshotted at desktop
// and phone widths. A tab records console errors, uncaught exceptions and
// failed sub-resource requests, and fails its test when it closes with any
// left unclaimed.
//
// Chromium and axe-core come from `make deps` (deploy/local/install-deps.sh).
// Where either is missing the test fails saying so: browser tests are never
// skipped.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment variables that point the harness elsewhere.
const (
	EnvChromium  = "PARCELCAST_CHROMIUM"       // browser binary; default /usr/bin/chromium
	EnvAxe       = "PARCELCAST_AXE"            // axe.min.js; default in the user cache folder
	EnvArtifacts = "PARCELCAST_TEST_ARTIFACTS" // screenshots; default test-artifacts/ at the repo root
)

// AxeVersion is the axe-core release deploy/local/install-deps.sh fetches;
// the default path of axe.min.js holds it.
const AxeVersion = "4.14.1"

// DefaultChromium is Debian's chromium package's binary.
const DefaultChromium = "/usr/bin/chromium"

// Viewport widths of the screenshots, in CSS pixels.
const (
	Desktop = 1280
	Phone   = 375
)

// startTimeout bounds the start of the browser and the opening of a tab.
const startTimeout = 60 * time.Second

// ChromiumPath is the browser binary the harness starts.
func ChromiumPath() string {
	if p := os.Getenv(EnvChromium); p != "" {
		return p
	}
	return DefaultChromium
}

// AxePath is the axe.min.js the harness injects: $PARCELCAST_AXE, or
// parcelcast/axe-core-<AxeVersion>/axe.min.js in the user cache folder
// ($XDG_CACHE_HOME or ~/.cache), where install-deps.sh puts it.
func AxePath() (string, error) {
	if p := os.Getenv(EnvAxe); p != "" {
		return p, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("axe-core path: %w", err)
	}
	return filepath.Join(dir, "parcelcast", "axe-core-"+AxeVersion, "axe.min.js"), nil
}

// ArtifactsDir is where screenshots go: $PARCELCAST_TEST_ARTIFACTS, or
// test-artifacts/ in the repository root (the folder holding go.mod, found
// upwards from the test's working directory).
func ArtifactsDir() (string, error) {
	if d := os.Getenv(EnvArtifacts); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("artifacts dir: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "test-artifacts"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("artifacts dir: no go.mod above the working directory; set " + EnvArtifacts)
		}
		dir = parent
	}
}

// missing says what is absent and how to install it, or "" when both the
// browser and axe-core are in place.
func missing() string {
	if st, err := os.Stat(ChromiumPath()); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Sprintf("browser tests need Chromium at %s (%s): run `make deps`", ChromiumPath(), EnvChromium)
	}
	axe, err := AxePath()
	if err != nil {
		return err.Error() + ": run `make deps`"
	}
	if st, err := os.Stat(axe); err != nil || st.Size() == 0 {
		return fmt.Sprintf("browser tests need axe-core %s at %s (%s): run `make deps`", AxeVersion, axe, EnvAxe)
	}
	return ""
}

// instance is one running browser: its allocator, the context of its
// first (blank) tab that owns the process, and the profile folder.
type instance struct {
	ctx         context.Context
	cancel      context.CancelFunc // ends the browser and its allocator
	userDataDir string
}

func (b *instance) close() {
	b.cancel()
	_ = os.RemoveAll(b.userDataDir)
}

// shared is the browser of this test binary, started by the first tab.
var shared struct {
	mu sync.Mutex
	b  *instance
}

// browserCtx returns the context of the running shared browser, starting
// it if there is none or the last one died.
func browserCtx() (context.Context, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b != nil && shared.b.ctx.Err() == nil {
		return shared.b.ctx, nil
	}
	if shared.b != nil {
		shared.b.close()
		shared.b = nil
	}
	b, err := start()
	if err != nil {
		return nil, err
	}
	shared.b = b
	return b.ctx, nil
}

// start launches a headless Chromium with a fresh profile. Background
// networking, component updates, sync and QUIC are off: the browser may
// only talk to the test's own servers.
func start() (*instance, error) {
	pruneProfiles()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", profilePrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("chromium profile dir: %w", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath()),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b := &instance{ctx: ctx, userDataDir: dir, cancel: func() { cancel(); allocCancel() }}
	// The first Do starts the process, bound to ctx; a browser that does
	// not come up in time is killed by ending ctx.
	timer := time.AfterFunc(startTimeout, cancel)
	err = chromedp.Do(ctx)
	timer.Stop()
	if err != nil {
		b.close()
		return nil, fmt.Errorf("start chromium %s: %w", ChromiumPath(), err)
	}
	return b, nil
}

// profilePrefix starts the name of a browser profile folder in the temp
// dir; the test binary's pid follows it.
const profilePrefix = "parcelcast-chromium-"

// pruneProfiles removes the profile folders of test binaries that exited
// without Close (a TestMain that does not call it, a killed test); their
// browsers ended with them, as chromedp ties the browser to its parent.
func pruneProfiles() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), profilePrefix+"*"))
	for _, d := range dirs {
		rest := strings.TrimPrefix(filepath.Base(d), profilePrefix)
		pid, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '-'), 0)])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(d)
		}
	}
}

// Close ends the shared browser, if one runs, and removes its profile. A
// later tab starts a new one. TestMain calls it after m.Run (Run does).
func Close() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b != nil {
		shared.b.close()
		shared.b = nil
	}
}

// Run runs a package's tests, closes the shared browser and exits; call it
// from TestMain. A TestMain that sets up more calls m.Run and Close itself.
func Run(m *testing.M) {
	code := m.Run()
	Close()
	os.Exit(code)
}
