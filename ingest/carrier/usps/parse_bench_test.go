package usps

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func BenchmarkParse(b *testing.B) { carriertest.Bench(b, Parse, "testdata/journey.json") }

func BenchmarkParseXML(b *testing.B) { carriertest.Bench(b, Parse, "testdata/journey_xml.xml") }
