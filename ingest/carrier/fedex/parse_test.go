package fedex

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json") }

func TestCodesDocumented(t *testing.T) {
	var codes []string
	for c := range eventTypes {
		codes = append(codes, c)
	}
	carriertest.Documented(t, "#### FedEx event codes", codes)
}
