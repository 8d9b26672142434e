package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Mapping renames a file's own columns (CSV header names, JSON keys) to the
// importer's: file column → importer column. With a mapping, columns that
// are neither mapped nor the importer's own are ignored (and reported), so
// an export can be loaded as it is.
type Mapping map[string]string

// ParseMapping reads "file_column=importer_column,..." as the import
// command's -map flag takes it. Names are case-insensitive. A column
// mapped twice, two columns mapped onto one, or an unknown importer column
// is an error.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{}
	onto := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		from, to, ok := strings.Cut(pair, "=")
		from, to = normColumn(from), normColumn(to)
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("%q is not file_column=importer_column", pair)
		}
		if !known(to) && to != "scans" {
			return nil, fmt.Errorf("%q: unknown importer column %q (known: %s)", pair, to, strings.Join(Columns, ", "))
		}
		if _, dup := m[from]; dup {
			return nil, fmt.Errorf("column %q mapped twice", from)
		}
		if prev, dup := onto[to]; dup {
			return nil, fmt.Errorf("columns %q and %q both mapped onto %q", prev, from, to)
		}
		m[from], onto[to] = to, from
	}
	return m, nil
}

// String writes m as ParseMapping reads it, sorted by file column.
func (m Mapping) String() string {
	pairs := make([]string, 0, len(m))
	for from, to := range m {
		pairs = append(pairs, from+"="+to)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

// Defaults fill fields a file lacks (no column, or an empty cell).
type Defaults struct {
	Carrier string
	Service string
	// Country is the origin's and the destination's country.
	Country string
}

func (d Defaults) apply(s *Shipment) {
	fill := func(dst *string, v string) {
		if strings.TrimSpace(*dst) == "" {
			*dst = v
		}
	}
	fill(&s.Carrier, d.Carrier)
	fill(&s.Service, d.Service)
	fill(&s.OriginCountry, d.Country)
	fill(&s.DestinationCountry, d.Country)
}

// ReadOptions say how to read a file's columns.
type ReadOptions struct {
	Map      Mapping
	Defaults Defaults
}

func normColumn(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

// header resolves a CSV header to the importer's columns by position, and
// lists the file's columns it ignores.
func (o ReadOptions) header(header []string) (col map[string]int, ignored []string, err error) {
	col = map[string]int{}
	seen := map[string]bool{}
	for i, h := range header {
		h = normColumn(h)
		seen[h] = true
		name, mapped := o.Map[h]
		switch {
		case mapped:
		case known(h):
			name = h
		case len(o.Map) > 0:
			ignored = append(ignored, h)
			continue
		default:
			return nil, nil, fmt.Errorf("CSV header: unknown column %q (known: %s; or map it with -map)", h, strings.Join(Columns, ", "))
		}
		if name == "scans" {
			return nil, nil, fmt.Errorf("CSV header: %q mapped onto scans, which JSON Lines only have", h)
		}
		if _, dup := col[name]; dup {
			return nil, nil, fmt.Errorf("CSV header: column %q twice", name)
		}
		col[name] = i
	}
	var missing []string
	for from := range o.Map {
		if !seen[from] {
			missing = append(missing, from)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, fmt.Errorf("CSV header: mapped column %s not in the file", strings.Join(quoteAll(missing), ", "))
	}
	if err := o.requireColumns(func(c string) bool { _, ok := col[c]; return ok }); err != nil {
		return nil, nil, fmt.Errorf("CSV header: %w", err)
	}
	return col, ignored, nil
}

// requireColumns checks that the columns every row needs are present, or
// given a default.
func (o ReadOptions) requireColumns(has func(string) bool) error {
	if !has("tracking_number") {
		return errors.New(`column "tracking_number" is required`)
	}
	if !has("carrier") && strings.TrimSpace(o.Defaults.Carrier) == "" {
		return errors.New(`column "carrier" is required (or a default carrier)`)
	}
	if !has("ship_time") && !has("created_time") {
		return errors.New(`column "ship_time" or "created_time" is required`)
	}
	return nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// renameKeys renames the keys of a JSON object as the mapping says and
// drops the keys that are neither mapped nor the importer's own, which it
// returns.
func (o ReadOptions) renameKeys(b []byte) ([]byte, []string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, nil, err
	}
	out := make(map[string]json.RawMessage, len(obj))
	var dropped []string
	for k, v := range obj {
		name, mapped := o.Map[normColumn(k)]
		switch {
		case mapped:
		case known(k) || k == "scans":
			name = k
		default:
			dropped = append(dropped, k)
			continue
		}
		if _, dup := out[name]; dup {
			return nil, nil, fmt.Errorf("key %q twice after mapping", name)
		}
		out[name] = v
	}
	sort.Strings(dropped)
	b, err := json.Marshal(out)
	return b, dropped, err
}
