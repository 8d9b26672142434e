package edi214

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.edi") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.edi") }
