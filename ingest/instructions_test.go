package ingest_test

import (
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestDecodeInstruction(t *testing.T) {
	tests := []struct {
		name, value, err string
	}{
		{"pending", `{"id":"ins_1","type":"reschedule","state":"pending","tracking_number":"1Z999AA10123456784","date":"2026-12-03"}`, ""},
		{"cancelled", `{"id":"ins_1","type":"return_to_sender","state":"cancelled","tracking_number":"1Z999AA10123456784"}`, ""},
		{"not JSON", `{"id":`, "decode instruction"},
		{"no id", `{"type":"reschedule","state":"pending","tracking_number":"1Z"}`, "without an id"},
		{"no number", `{"id":"ins_1","type":"reschedule","state":"pending"}`, "without an id or a tracking number"},
		{"unknown type", `{"id":"ins_1","type":"teleport","state":"pending","tracking_number":"1Z"}`, "unknown type"},
		{"unknown state", `{"id":"ins_1","type":"redirect","state":"done","tracking_number":"1Z"}`, "unknown state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ingest.DecodeInstruction([]byte(tc.value))
			if tc.err == "" {
				if err != nil || in.ID != "ins_1" {
					t.Fatalf("%+v %v", in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one with %q", err, tc.err)
			}
		})
	}
}

func FuzzDecodeInstruction(f *testing.F) {
	f.Add([]byte(`{"id":"ins_1","type":"reschedule","state":"pending","tracking_number":"1Z999AA10123456784","date":"2026-12-03"}`))
	f.Add([]byte(`{"id":"ins_2","type":"redirect","state":"cancelled","tracking_number":"1Z","address":{"line1":"1 Main St"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ingest.DecodeInstruction(data)
		if err != nil {
			return
		}
		if in.ID == "" || in.TrackingNumber == "" || !in.Type.Valid() ||
			(in.State != schemas.InstructionPending && in.State != schemas.InstructionCancelled) {
			t.Fatalf("accepted an invalid instruction: %+v", in)
		}
	})
}
