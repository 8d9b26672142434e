package carrier

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	json "github.com/goccy/go-json"
)

// Needed names the JSON fields a payload cannot do without: the values a
// canonical event has no other source for (the tracking number, a scan's
// time). Only they can make a payload malformed by their JSON type; a
// value of another type anywhere else is read leniently or left out.
type Needed struct {
	paths map[string]bool // every needed path and each of its prefixes
}

// NeedJSON lists the needed fields as dotted paths of object keys from the
// root, as the payload types name them (their json tags); array elements
// are not named: "shipments.events.timestamp". The objects and arrays on
// the way to a needed field are needed too.
func NeedJSON(paths ...string) Needed {
	n := Needed{paths: map[string]bool{}}
	for _, p := range paths {
		for {
			n.paths[p] = true
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return n
}

// Has reports whether the value at path (dotted keys, no indices) is
// needed. The root always is.
func (n Needed) Has(path string) bool { return path == "" || n.paths[path] }

// Unmarshal decodes a JSON payload into v, a pointer to an adapter's
// payload types. A payload whose values all have the types v expects is
// decoded once, directly. When some value has another JSON type, the
// payload is read again leniently: a number where text is expected is its
// literal text ("id": 7777777770), a string holding a number where a
// number is expected is that number, and any other value of another type
// is left out as if absent, unless it is needed, which makes the payload
// malformed with an error naming the value's path.
//
// Control characters are stripped from every string on the way, as
// CleanText does for events, so that codes and words are matched clean; a
// payload that has none (the common case) is not read twice for them.
func (n Needed) Unmarshal(b []byte, v any) error {
	if mayHoldControl(b) {
		return n.lenient(b, v, nil)
	}
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err // a syntax error: nothing to be lenient about
	}
	return n.lenient(b, v, err)
}

// lenient decodes b through a generic tree made to fit v; first is the
// error of the direct decoding, or nil when there was none yet.
func (n Needed) lenient(b []byte, v any, first error) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return json.Unmarshal(b, v)
	}
	dec := stdjson.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers keep their literal text
	var tree any
	if err := dec.Decode(&tree); err != nil || len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		if first == nil {
			first = json.Unmarshal(b, v) // the decoder's own words for the syntax error
		}
		return first
	}
	fixed, keep, err := n.conform(tree, rv.Type().Elem(), "", "")
	if err != nil {
		return err
	}
	if !keep {
		return fmt.Errorf("payload: %s where %s is needed", kindOf(tree), want(rv.Type().Elem()))
	}
	again, err := stdjson.Marshal(fixed)
	if err == nil {
		rv.Elem().SetZero()
		err = json.Unmarshal(again, v)
	}
	if err != nil && first != nil {
		return fmt.Errorf("%w (read leniently: %v)", first, err)
	}
	return err
}

var uEscape = []byte(`\u00`)

// mayHoldControl reports whether a JSON payload may hold a control
// character in a string: an escape \u0000–\u001f, \u007f or
// \u0080–\u009f, a raw DEL (JSON allows it in a string), or a C1
// control written as UTF-8 (raw C0 controls are not JSON).
func mayHoldControl(b []byte) bool {
	if bytes.IndexByte(b, 0x7f) >= 0 {
		return true
	}
	for off := 0; ; {
		i := bytes.Index(b[off:], uEscape)
		if i < 0 {
			break
		}
		i += off
		if i+5 < len(b) {
			switch h, l := b[i+4], b[i+5]; {
			case h == '0' || h == '1' || h == '8' || h == '9', h == '7' && (l == 'f' || l == 'F'):
				return true
			}
		}
		off = i + 1
	}
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], 0xc2)
		if i < 0 {
			return false
		}
		i += off
		if i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			return true
		}
		off = i + 1
	}
}

// conform returns v made to fit t: the value to decode, or keep false to
// leave it out. at names the value in errors ("shipments[0].id"), key is
// its path without indices, for Needed.
func (n Needed) conform(v any, t reflect.Type, at, key string) (any, bool, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || unmarshals(t) {
		return v, true, nil // null is absent; a type with its own decoder judges for itself
	}
	switch t.Kind() {
	case reflect.String:
		switch x := v.(type) {
		case string:
			return StripControls(x), true, nil
		case stdjson.Number:
			return x.String(), true, nil
		}
	case reflect.Bool:
		if _, ok := v.(bool); ok {
			return v, true, nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := numberText(v); ok {
			if _, err := strconv.ParseInt(s, 10, t.Bits()); err == nil {
				return stdjson.Number(s), true, nil
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s, ok := numberText(v); ok {
			if _, err := strconv.ParseUint(s, 10, t.Bits()); err == nil {
				return stdjson.Number(s), true, nil
			}
		}
	case reflect.Float32, reflect.Float64:
		if s, ok := numberText(v); ok {
			if _, err := strconv.ParseFloat(s, t.Bits()); err == nil {
				return stdjson.Number(s), true, nil
			}
		}
	case reflect.Interface:
		return v, true, nil
	case reflect.Struct:
		if m, ok := v.(map[string]any); ok {
			return n.conformObject(m, t, at, key)
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok && t.Key().Kind() == reflect.String {
			for _, k := range sortedKeys(m) {
				c, keep, err := n.conform(m[k], t.Elem(), at+"."+k, key)
				if err != nil {
					return nil, false, err
				}
				if keep {
					m[k] = c
				} else {
					delete(m, k)
				}
			}
			return m, true, nil
		}
	case reflect.Slice, reflect.Array:
		if _, ok := v.(string); ok && t.Elem().Kind() == reflect.Uint8 {
			return v, true, nil // []byte is base64 text
		}
		if a, ok := v.([]any); ok {
			for i := range a {
				c, keep, err := n.conform(a[i], t.Elem(), at+"["+strconv.Itoa(i)+"]", key)
				if err != nil {
					return nil, false, err
				}
				if !keep {
					c = nil // not removed: the elements after it keep their index
				}
				a[i] = c
			}
			return a, true, nil
		}
	}
	if n.Has(key) {
		name := at
		if name == "" {
			name = "payload"
		}
		return nil, false, fmt.Errorf("%s: %s where %s is needed", name, kindOf(v), want(t))
	}
	return nil, false, nil
}

func (n Needed) conformObject(m map[string]any, t reflect.Type, at, key string) (any, bool, error) {
	fields := fieldsOf(t)
	for _, k := range sortedKeys(m) {
		f, ok := fields[k]
		if !ok {
			for name, g := range fields {
				if strings.EqualFold(name, k) { // the decoder matches keys so
					f, ok = g, true
					break
				}
			}
		}
		if !ok {
			continue // not decoded at all
		}
		c, keep, err := n.conform(m[k], f.Type, join(at, f.name), join(key, f.name))
		if err != nil {
			return nil, false, err
		}
		if keep {
			m[k] = c
		} else {
			delete(m, k)
		}
	}
	return m, true, nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// field is a decoded struct field: its JSON name and type.
type field struct {
	reflect.Type
	name string
}

var fieldCache sync.Map // reflect.Type → map[string]field

// fieldsOf returns the fields the decoder fills in t, by JSON name.
func fieldsOf(t reflect.Type) map[string]field {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]field)
	}
	fields := map[string]field{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := sf.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for k, f := range fieldsOf(ft) {
				if _, ok := fields[k]; !ok {
					fields[k] = f
				}
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		fields[name] = field{Type: sf.Type, name: name}
	}
	fieldCache.Store(t, fields)
	return fields
}

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*interface{ UnmarshalText([]byte) error })(nil)).Elem()
)

func unmarshals(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler)
}

// numberText is the literal of a JSON number, or of a string that holds
// one ("404").
func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case stdjson.Number:
		return x.String(), true
	case string:
		s := strings.TrimSpace(x)
		if s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && stdjson.Valid([]byte(s)) {
			return s, true
		}
	}
	return "", false
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case stdjson.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

func want(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "a boolean"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a number"
}
