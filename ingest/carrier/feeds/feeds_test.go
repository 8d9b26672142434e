package feeds

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// adapterDir is where the adapter packages live, relative to this one.
const adapterDir = ".."

// TestListIsSound checks each format of the list: a unique name, the
// functions ingest and the simulator call, carriers claimed by no other
// format, and a Parse that lives in the adapter folder of the same name.
func TestListIsSound(t *testing.T) {
	names := map[string]bool{}
	carriers := map[string]string{}
	for _, f := range All() {
		if f.Name == "" || names[f.Name] {
			t.Errorf("format name %q is empty or listed twice", f.Name)
		}
		names[f.Name] = true
		if f.Parse == nil || f.Encode == nil {
			t.Errorf("format %s: Parse or Encode not set", f.Name)
			continue
		}
		for _, c := range f.Carriers {
			if other, ok := carriers[c]; ok {
				t.Errorf("carrier %s is published in both %s and %s", c, other, f.Name)
			}
			carriers[c] = f.Name
		}
		if pkg := funcPackage(f.Parse); pkg != "ingest/carrier/"+f.Name {
			t.Errorf("format %s parses with a function of package %s, want ingest/carrier/%s", f.Name, pkg, f.Name)
		}
		if f.AppendOne != nil && funcPackage(f.AppendOne) != funcPackage(f.Parse) {
			t.Errorf("format %s appends with a function of package %s", f.Name, funcPackage(f.AppendOne))
		}
	}
}

// TestListIsComplete checks that every adapter folder under ingest/carrier
// that exports a Format is in the list, and has the fuzz target and
// benchmark `make fuzz` and `make bench-parsers` run.
func TestListIsComplete(t *testing.T) {
	dirs, err := os.ReadDir(adapterDir)
	if err != nil {
		t.Fatal(err)
	}
	adapters := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		decls := topLevel(t, filepath.Join(adapterDir, d.Name()))
		if !decls["var Format"] {
			continue
		}
		adapters++
		if _, err := Lookup(d.Name()); err != nil {
			t.Errorf("ingest/carrier/%s exports a Format that is not in the list: %v", d.Name(), err)
		}
		for _, want := range []string{"func FuzzParse", "func BenchmarkParse"} {
			if !decls[want] {
				t.Errorf("ingest/carrier/%s has no %s", d.Name(), want)
			}
		}
	}
	if adapters != len(All()) {
		t.Errorf("%d adapter folders export a Format, the list has %d formats", adapters, len(All()))
	}
}

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"generic", true}, {"ups", true}, {"fedex", true}, {"usps", true}, {"dhl", true}, {"edi214", true},
		{"", false}, {"UPS", false}, {"ontrac", false}, {"carriertest", false},
	} {
		f, err := Lookup(c.name)
		switch {
		case c.ok && (err != nil || f.Name != c.name):
			t.Errorf("Lookup(%q) = %q, %v", c.name, f.Name, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "known: [")):
			t.Errorf("Lookup(%q): error %v, want one naming the known feeds", c.name, err)
		}
	}
	if names := Names(); !slices.IsSorted(names) || len(names) != len(All()) {
		t.Errorf("Names() = %v", names)
	}
}

// funcPackage is the package of fn, relative to the module.
func funcPackage(fn any) string {
	full := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	pkg := full[:strings.LastIndex(full, ".")]
	return strings.TrimPrefix(pkg, "github.com/parcelcast/parcelcast/")
}

// topLevel lists the top-level functions ("func Parse") and variables
// ("var Format") declared in the Go files of dir, tests included.
func topLevel(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	decls := map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					decls["func "+d.Name.Name] = true
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						decls["var "+n.Name] = true
					}
				}
			}
		}
	}
	return decls
}
