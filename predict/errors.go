package predict

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// apiError is the shape of every error the API answers, the mux's own
// 404 and 405 included.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

// writeRetry is writeError for a refusal the client may retry after
// the given time (a Retry-After header in whole seconds, at least 1).
func writeRetry(w http.ResponseWriter, status int, after time.Duration, code, msg string) {
	secs := int((after + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, status, code, msg)
}

// writeJSON encodes v before writing any header, so that a 200 never
// goes out with an empty or cut body: an encoding failure is a 500 in
// the error shape.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"error":{"code":"internal","message":"response could not be encoded"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// muxErrors turns the mux's own plain-text errors (no route: 404; a
// route without the method: 405 with Allow) into the JSON error shape.
type muxErrors struct {
	http.ResponseWriter
	r       *http.Request
	written bool // the JSON replaced the mux's body
}

func (w *muxErrors) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.written = true
		w.Header().Del("X-Content-Type-Options")
		writeError(w.ResponseWriter, code, "not_found", "no such endpoint: "+w.r.Method+" "+w.r.URL.Path)
	case http.StatusMethodNotAllowed:
		w.written = true
		writeError(w.ResponseWriter, code, "method_not_allowed",
			w.r.Method+" not allowed on "+w.r.URL.Path+"; allowed: "+w.Header().Get("Allow"))
	default:
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *muxErrors) Write(b []byte) (int, error) {
	if w.written {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// throttledLog logs an error at most once per interval per key, with the
// count of those it left out since.
type throttledLog struct {
	log      *slog.Logger
	interval time.Duration
	mu       sync.Mutex
	last     map[string]time.Time
	dropped  map[string]int
}

func newThrottledLog(log *slog.Logger, interval time.Duration) *throttledLog {
	return &throttledLog{log: log, interval: interval, last: map[string]time.Time{}, dropped: map[string]int{}}
}

func (t *throttledLog) Error(key, msg string, args ...any) {
	now := time.Now()
	t.mu.Lock()
	if now.Sub(t.last[key]) < t.interval {
		t.dropped[key]++
		t.mu.Unlock()
		return
	}
	n := t.dropped[key]
	t.last[key], t.dropped[key] = now, 0
	t.mu.Unlock()
	t.log.Error(msg, append(args, "suppressed", n)...)
}
