package layers_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/parcelcast/parcelcast"

// Outside modules a layer may not link, by path prefix.
const (
	clickhouseDriver = "github.com/ClickHouse/clickhouse-go"
	kafkaClient      = "github.com/segmentio/kafka-go"
)

// rules says, for each group of the module's packages, which of the
// module's packages they may link (directly or through others) and which
// outside modules they never link. Patterns are relative to the module;
// "x/..." is x and everything below it.
var rules = []struct {
	pkgs  string
	may   []string
	never []string
}{
	{"schemas/...", []string{"schemas/..."}, []string{clickhouseDriver, kafkaClient}},
	{"ingest/carrier/...", []string{"schemas/...", "ingest/carrier/..."}, []string{clickhouseDriver, kafkaClient}},
	// The generator knows the carriers' services and time zones, not their
	// encodings: those are the publisher's.
	{"ingest/sim", []string{"schemas/...", "ingest/carrier", "ingest/carrier/zone"}, []string{clickhouseDriver, kafkaClient}},
	{"model/...", []string{"schemas/...", "model/...", "ingest/sim", "ingest/carrier", "ingest/carrier/zone"}, []string{clickhouseDriver, kafkaClient}},
	// The zone resolver is a table of places' time zones, no carrier code:
	// the tracking page reads the destination's zone from it.
	{"predict/...", []string{"schemas/...", "model", "predict/...", "ingest/carrier/zone"}, []string{clickhouseDriver, kafkaClient}},
	{"ingest/...", []string{"schemas/...", "ingest/..."}, []string{clickhouseDriver}},
	{"internal/chstore/...", []string{"schemas/...", "model", "internal/chstore/..."}, []string{kafkaClient}},
	// HTTP plumbing of the commands and the load generator: no domain.
	{"internal/httpserve", nil, []string{clickhouseDriver, kafkaClient}},
	{"internal/loadtest", nil, []string{clickhouseDriver, kafkaClient}},
}

// driverOwners are the only packages whose code or tests may import the
// ClickHouse driver.
const driverOwners = "internal/chstore/..."

type pkg struct {
	ImportPath   string
	Standard     bool
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// load lists every package the module's packages link, with their imports.
func load(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports,TestImports,XTestImports,Deps", "./...")
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		t.Fatal("not inside the parcelcast module")
	}
	return filepath.Dir(gomod)
}

// matches reports whether an import path is one pattern names: a module
// pattern (relative, "x/..." for a subtree) or an outside path prefix.
func matches(pattern, path string) bool {
	if first, _, _ := strings.Cut(pattern, "/"); strings.Contains(first, ".") { // an outside module
		return path == pattern || strings.HasPrefix(path, pattern+"/")
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return false
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

func matchesAny(patterns []string, path string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(p, path) })
}

// chain returns the imports leading from one package to another, for the
// failure message.
func chain(pkgs map[string]*pkg, from, to string) string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for p := to; p != ""; p = prev[p] {
				path = append(path, strings.TrimPrefix(p, module+"/"))
			}
			slices.Reverse(path)
			return strings.Join(path, " → ")
		}
		if p := pkgs[cur]; p != nil {
			for _, imp := range p.Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = cur
					queue = append(queue, imp)
				}
			}
		}
	}
	return to
}

func TestLayers(t *testing.T) {
	pkgs := load(t)
	for _, r := range rules {
		t.Run(r.pkgs, func(t *testing.T) {
			n := 0
			for _, path := range slices.Sorted(maps.Keys(pkgs)) {
				p := pkgs[path]
				if p.Standard || !matches(r.pkgs, p.ImportPath) {
					continue
				}
				n++
				reported := map[string]bool{} // outside modules, once each
				for _, d := range p.Deps {
					if strings.HasPrefix(d, module+"/") && !matchesAny(r.may, d) {
						t.Errorf("%s may not link %s: %s", p.ImportPath, d, chain(pkgs, p.ImportPath, d))
					}
					for _, never := range r.never {
						if matches(never, d) && !reported[never] {
							reported[never] = true
							t.Errorf("%s may not link %s: %s", p.ImportPath, never, chain(pkgs, p.ImportPath, d))
						}
					}
				}
			}
			if n == 0 {
				t.Errorf("no package matches %s: the rule is out of date", r.pkgs)
			}
		})
	}
}

// TestOnlyTheStoreImportsTheDriver holds tests too: a test that needs
// ClickHouse goes through internal/chstore like the code it tests.
func TestOnlyTheStoreImportsTheDriver(t *testing.T) {
	pkgs := load(t)
	owners := 0
	for _, p := range pkgs {
		if !strings.HasPrefix(p.ImportPath, module+"/") {
			continue
		}
		if matches(driverOwners, p.ImportPath) {
			owners++
			continue
		}
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			if matches(clickhouseDriver, imp) {
				t.Errorf("%s imports %s; only %s may", p.ImportPath, imp, driverOwners)
			}
		}
	}
	if owners == 0 {
		t.Errorf("no package matches %s: the rule is out of date", driverOwners)
	}
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"schemas/...", module + "/schemas", true},
		{"schemas/...", module + "/schemas/trackno", true},
		{"schemas/...", module + "/schemasx", false},
		{"ingest/sim", module + "/ingest/sim", true},
		{"ingest/sim", module + "/ingest/sim/publish", false},
		{"model", module + "/model/report", false},
		{clickhouseDriver, "github.com/ClickHouse/clickhouse-go/v2/lib/driver", true},
		{clickhouseDriver, "github.com/ClickHouse/ch-go", false},
		{kafkaClient, "github.com/segmentio/kafka-go", true},
		{"schemas/...", "schemas", false},
	} {
		if got := matches(c.pattern, c.path); got != c.want {
			t.Errorf("matches(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}
