package usps

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json", "testdata/*.xml") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json", "testdata/*.xml") }

func TestCodesDocumented(t *testing.T) {
	var codes []string
	for c := range eventCodes {
		codes = append(codes, c)
	}
	carriertest.Documented(t, "#### USPS event codes", codes)
}
