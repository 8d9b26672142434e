package predict

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// statusWriter records the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

// handle registers an API route: metrics, the in-flight cap, the key
// and its scope (read for GET, write for other methods), the key's rate
// limit, then h.
func (s *Server) handle(pattern, route string, h http.HandlerFunc) {
	scope := ScopeWrite
	if method, _, _ := strings.Cut(pattern, " "); method == http.MethodGet {
		scope = ScopeRead
	}
	s.handleScoped(pattern, route, scope, h)
}

// handleScoped is handle with the scope given.
func (s *Server) handleScoped(pattern, route string, scope Scope, h http.HandlerFunc) {
	latency := s.latency.WithLabelValues(route)
	s.mux.HandleFunc(pattern, routed(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		s.guard(sw, r, scope, h)
		latency.Observe(time.Since(start).Seconds())
		s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
	}))
}

// guard applies the in-flight cap, authentication, scope and rate limit.
func (s *Server) guard(w http.ResponseWriter, r *http.Request, scope Scope, h http.HandlerFunc) {
	release, ok := s.enter()
	if !ok {
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "overloaded", "too many requests in flight; retry later")
		return
	}
	defer release()
	name := "anonymous"
	if s.keys != nil {
		k, ok := s.authenticate(r)
		if !ok {
			s.refused.WithLabelValues("unauthenticated").Inc()
			w.Header().Set("WWW-Authenticate", `Bearer realm="parcelcast"`)
			writeError(w, http.StatusUnauthorized, "unauthenticated", "a valid API key is required: Authorization: Bearer <key>")
			return
		}
		if !k.Allows(scope) {
			s.refused.WithLabelValues("forbidden").Inc()
			writeError(w, http.StatusForbidden, "forbidden", "key "+k.Name+" lacks the "+string(scope)+" scope")
			return
		}
		name = k.Name
	}
	if lim := s.limiter(name); lim != nil {
		res := lim.Reserve()
		if d := res.Delay(); d > 0 || !res.OK() {
			res.Cancel()
			s.refused.WithLabelValues("rate_limited").Inc()
			writeRetry(w, http.StatusTooManyRequests, d, "rate_limited",
				"rate limit of "+strconv.FormatFloat(s.limits.RatePerKey, 'g', -1, 64)+" requests/s exceeded for key "+name)
			return
		}
	}
	h(w, r)
}

// enter takes a slot of the cap on requests in flight, counting a
// refusal when there is none; release gives it back.
func (s *Server) enter() (release func(), ok bool) {
	if s.inFlight == nil {
		return func() {}, true
	}
	select {
	case s.inFlight <- struct{}{}:
		return func() { <-s.inFlight }, true
	default:
		s.refused.WithLabelValues("in_flight").Inc()
		return nil, false
	}
}

func (s *Server) authenticate(r *http.Request) (*Key, bool) {
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, false
	}
	return s.keys.Lookup(strings.TrimSpace(token))
}

// limiters holds one rate limiter per key name; the names come from the
// key file, so the map stays as small as it.
type limiters struct {
	mu sync.Mutex
	by map[string]*rate.Limiter
}

// limiter is the rate limiter of a key, nil when rate limits are off.
func (s *Server) limiter(name string) *rate.Limiter {
	if s.limits.RatePerKey < 0 {
		return nil
	}
	s.lims.mu.Lock()
	defer s.lims.mu.Unlock()
	l, ok := s.lims.by[name]
	if !ok {
		l = rate.NewLimiter(s.limits.limit(), s.limits.Burst)
		s.lims.by[name] = l
	}
	return l
}
