package schemas

import "testing"

func TestStatusCount(t *testing.T) {
	if StatusCount != len(Statuses) {
		t.Fatalf("StatusCount is %d; Statuses has %d", StatusCount, len(Statuses))
	}
}

// Ordinal follows Statuses, and knows nothing else.
func TestStatusOrdinal(t *testing.T) {
	tests := []struct {
		status Status
		want   int
	}{
		{"lost_in_space", -1},
		{"", -1},
		{"Delivered", -1},
	}
	for i, s := range Statuses {
		tests = append(tests, struct {
			status Status
			want   int
		}{s, i})
	}
	for _, tt := range tests {
		if got := tt.status.Ordinal(); got != tt.want {
			t.Errorf("Status(%q).Ordinal() = %d, want %d", tt.status, got, tt.want)
		}
	}
}
