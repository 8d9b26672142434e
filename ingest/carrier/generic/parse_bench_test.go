package generic

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// BenchmarkParse measures single-scan records, the common shape on a feed.
func BenchmarkParse(b *testing.B) { carriertest.Bench(b, Parse, "testdata/single.json") }

// BenchmarkParseCSV measures a backfill-style CSV record of many scans.
func BenchmarkParseCSV(b *testing.B) { carriertest.Bench(b, Parse, "testdata/journey_csv.csv") }
