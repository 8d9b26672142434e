package edi214

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.edi") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.edi") }

func TestCodesDocumented(t *testing.T) {
	var st, re []string
	for c := range statuses {
		st = append(st, c)
	}
	for c := range reasons {
		re = append(re, c)
	}
	carriertest.Documented(t, "#### AT7 status codes", st)
	carriertest.Documented(t, "#### AT7 reason codes", re)
}
