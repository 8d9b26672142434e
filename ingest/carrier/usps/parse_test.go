package usps

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json", "testdata/*.xml") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json", "testdata/*.xml") }
