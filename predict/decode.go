package predict

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/goccy/go-json"
)

// decodeJSON reads one JSON value into v, strictly: a body with another
// Content-Type is 415 (none is taken as JSON), one over limit bytes 413,
// and unknown fields, a malformed value or anything after it 400. It
// writes the error and returns false when the request is refused.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
				fmt.Sprintf("Content-Type %q; the body must be application/json", ct))
			return false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("request body over %d bytes", limit))
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid_body", "request body: "+err.Error())
		return false
	case len(bytes.TrimSpace(body)) == 0:
		writeError(w, http.StatusBadRequest, "invalid_json", "request body is empty")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", "request body: "+err.Error())
		return false
	}
	// One value only: anything but white space after it is refused.
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		writeError(w, http.StatusBadRequest, "invalid_json", "request body: data after the JSON value")
		return false
	}
	return true
}
