package dhl

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json") }
