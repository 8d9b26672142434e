package exceptions_test

import (
	"testing"

	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

// BenchmarkDetect is one sweep's check of a moving shipment with a
// promise: the cost the scanner pays per shipment held, every interval.
func BenchmarkDetect(b *testing.B) {
	m := testModel(b)
	sh := shipment(us(2026, 11, 19, 20),
		scan{at: us(2026, 11, 16, 10), status: schemas.StatusInfoReceived},
		scan{at: us(2026, 11, 16, 18), status: schemas.StatusPickedUp},
		scan{at: us(2026, 11, 16, 21), status: schemas.StatusDepartedFacility},
		scan{at: us(2026, 11, 17, 10), status: schemas.StatusArrivedAtFacility},
		scan{at: us(2026, 11, 17, 12), status: schemas.StatusDepartedFacility},
		scan{at: us(2026, 11, 18, 2), status: schemas.StatusInTransit})
	in := exceptions.Inputs{Model: m, Now: us(2026, 11, 18, 9), SkipETA: true}
	cfg := exceptions.Config{}
	b.ReportAllocs()
	for b.Loop() {
		if len(cfg.Detect(&sh, in)) != 0 {
			b.Fatal("a moving shipment has an exception")
		}
	}
}
