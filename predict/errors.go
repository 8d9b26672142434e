package predict

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/goccy/go-json"
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
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"error":{"code":"internal","message":"response could not be encoded"}}` + "\n")
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// buffers hold the answers being encoded; one larger than
// maxPooledBuffer (a big batch) is left to the collector.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 64 << 10

var jsonContentType = []string{"application/json"}

// muxErrors turns the mux's own plain-text errors (no route: 404; a
// route without the method: 405 with Allow) into the JSON error shape.
// A route's handler marks it routed, and its own errors pass as they are.
type muxErrors struct {
	http.ResponseWriter
	r       *http.Request
	routed  bool // a route's handler is answering
	written bool // the JSON replaced the mux's body
}

func (w *muxErrors) WriteHeader(code int) {
	switch {
	case w.routed:
		w.ResponseWriter.WriteHeader(code)
	case code == http.StatusNotFound:
		w.written = true
		w.Header().Del("X-Content-Type-Options")
		writeError(w.ResponseWriter, code, "not_found", "no such endpoint: "+w.r.Method+" "+w.r.URL.Path)
	case code == http.StatusMethodNotAllowed:
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

// routed marks the answer as the route's own (see muxErrors).
func routed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if me, ok := w.(*muxErrors); ok {
			me.routed = true
		}
		h(w, r)
	}
}

// throttledLog logs an error at most once per interval per key, with the
// count of those it left out since.
type throttledLog struct {
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time
	mu       sync.Mutex
	last     map[string]time.Time
	dropped  map[string]int
}

func newThrottledLog(log *slog.Logger, interval time.Duration) *throttledLog {
	return &throttledLog{log: log, interval: interval, now: time.Now, last: map[string]time.Time{}, dropped: map[string]int{}}
}

func (t *throttledLog) Error(key, msg string, args ...any) {
	now := t.now()
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

// Problem is a request refused: the status, and the code and message of
// the JSON error shape; RetryAfter, when not zero, is sent as
// Retry-After. The Go API of the server (ShipmentView, GiveInstruction,
// …) returns one where the HTTP API answers an error.
type Problem struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
}

func (p *Problem) Error() string { return p.Code + ": " + p.Message }

func retryProblem(status int, code, msg string) *Problem {
	return &Problem{Status: status, Code: code, Message: msg, RetryAfter: retryAfterBusy}
}

var problemNoModel = retryProblem(http.StatusServiceUnavailable, "no_model", "no model loaded yet")

// writeProblem answers p in the JSON error shape.
func writeProblem(w http.ResponseWriter, p *Problem) {
	if p.RetryAfter > 0 {
		writeRetry(w, p.Status, p.RetryAfter, p.Code, p.Message)
		return
	}
	writeError(w, p.Status, p.Code, p.Message)
}
