package carriertest

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// others are a value of each JSON type, to put in place of a payload's.
var others = []struct {
	kind  string
	value func() any
}{
	{"object", func() any { return map[string]any{} }},
	{"array", func() any { return []any{} }},
	{"string", func() any { return "x" }},
	{"number", func() any { return json.Number("7") }},
	{"boolean", func() any { return true }},
	{"null", func() any { return nil }},
}

// TypeChanges checks that only the needed fields of a JSON payload can
// make it malformed. It puts in place of each value of the payload in
// file, one at a time, a value of every other JSON type (object, array,
// string, number, boolean, null) and parses the result:
//
//   - a value the parser does not read gives the events and the error of
//     the unchanged payload, byte for byte;
//   - a needed value given an object, an array or a boolean fails the
//     payload with an error naming the value's path;
//   - any other value may change the events but never makes the payload
//     malformed (no decode error).
//
// reads are the paths the parser reads, as dotted object keys without
// array indices ("shipments.events.description"); the objects and arrays
// on the way to them are read too.
func TypeChanges(t *testing.T, parse carrier.ParseFunc, file string, needed carrier.Needed, reads ...string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	read := carrier.NeedJSON(reads...) // the same prefix closure
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	marshal := func() []byte {
		out, err := json.Marshal(root)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := Render(t, parse, marshal())
	changes := 0
	walk(root, "", "", func(at, key string, orig any, set func(any)) {
		for _, o := range others {
			if kindName(orig) == o.kind {
				continue
			}
			set(o.value())
			payload := marshal()
			got := Render(t, parse, payload)
			set(orig)
			changes++
			errLine := errorLine(got)
			switch {
			case !read.Has(key):
				if !bytes.Equal(got, want) {
					t.Errorf("%s as %s, which the parser does not read, changed the events:\ngot:\n%s\nwant:\n%s", at, o.kind, got, want)
				}
			case needed.Has(key) && o.kind != "null" && !(isText(kindName(orig)) && isText(o.kind)):
				// A number for text, or text holding a number, is read
				// as such; null is an absent value, for the parser to judge.
				if !strings.Contains(errLine, at+":") {
					t.Errorf("needed %s as %s: want an error naming it, got:\n%s", at, o.kind, got)
				}
			default:
				if strings.Contains(errLine, ": decode") {
					t.Errorf("%s as %s made the payload malformed:\n%s", at, o.kind, errLine)
				}
			}
		}
	})
	if changes == 0 {
		t.Fatalf("%s: no value to change", file)
	}
}

func errorLine(rendered []byte) string {
	if i := bytes.Index(rendered, []byte("error: ")); i >= 0 {
		return string(rendered[i:])
	}
	return ""
}

// walk calls visit for every value below the root, parents before their
// children, with its path (with indices, as errors name it) and its key
// (without); set replaces the value in the tree.
func walk(v any, at, key string, visit func(at, key string, orig any, set func(any))) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			childAt, childKey := k, k
			if at != "" {
				childAt = at + "." + k
			}
			if key != "" {
				childKey = key + "." + k
			}
			visit(childAt, childKey, x[k], func(n any) { x[k] = n })
			walk(x[k], childAt, childKey, visit)
		}
	case []any:
		for i := range x {
			childAt := at + "[" + strconv.Itoa(i) + "]"
			visit(childAt, key, x[i], func(n any) { x[i] = n })
			walk(x[i], childAt, key, visit)
		}
	}
}

func kindName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func isText(kind string) bool { return kind == "string" || kind == "number" }
