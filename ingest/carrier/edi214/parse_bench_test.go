package edi214

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func BenchmarkParse(b *testing.B) { carriertest.Bench(b, Parse, "testdata/journey.edi") }
