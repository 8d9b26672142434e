package predict

import (
	"errors"
	"net/http"
	"testing"
)

// /readyz consults Options.Ready besides the model: not ready while it
// returns an error, which the body names.
func TestReadyConsultsOptionsReady(t *testing.T) {
	for _, c := range []struct {
		name  string
		ready func() error
		code  int
		want  string
	}{
		{"no ready func", nil, http.StatusOK, ""},
		{"ready", func() error { return nil }, http.StatusOK, ""},
		{"bootstrapping", func() error { return errors.New("live state: bootstrap not done") }, http.StatusServiceUnavailable, "live state: bootstrap not done"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewServer(memJourneys{}, testModel(), Options{Ready: c.ready})
			code, body := do(t, s, "GET", "/readyz", "")
			if code != c.code {
				t.Fatalf("readyz: %d %v, want %d", code, body, c.code)
			}
			if c.want != "" {
				e, _ := body["error"].(map[string]any)
				if e["code"] != "not_ready" || e["message"] != c.want {
					t.Errorf("body %v", body)
				}
			}
		})
	}
}
