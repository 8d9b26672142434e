// Package feeds is the list of feed formats parcelcast knows: ingest
// parses topics with them, the simulator publishes in them, and the tools
// and tests go through them. Adding a carrier is one adapter package under
// ingest/carrier and one line here.
package feeds

import (
	"fmt"
	"slices"
	"sort"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/dhl"
	"github.com/parcelcast/parcelcast/ingest/carrier/edi214"
	"github.com/parcelcast/parcelcast/ingest/carrier/fedex"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/carrier/ups"
	"github.com/parcelcast/parcelcast/ingest/carrier/usps"
)

// all is the list, one line per adapter.
var all = []carrier.Format{
	generic.Format,
	ups.Format,
	fedex.Format,
	usps.Format,
	dhl.Format,
	edi214.Format,
}

// All returns every format, in the order of the list.
func All() []carrier.Format { return slices.Clone(all) }

// Names returns the names of the formats, sorted.
func Names() []string {
	names := make([]string, 0, len(all))
	for _, f := range all {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the format of a named feed.
func Lookup(name string) (carrier.Format, error) {
	for _, f := range all {
		if f.Name == name {
			return f, nil
		}
	}
	return carrier.Format{}, fmt.Errorf("unknown feed %q (known: %v)", name, Names())
}
