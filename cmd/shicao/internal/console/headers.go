package console

import (
	"errors"
	"mime"
	"net/http"
	"strings"
)

// headers sets what every answer carries: no framing, no sniffing, no
// referrer, and a content policy that allows nothing from elsewhere.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Script only from the console itself (the live grid's live.js),
		// and its event stream.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		// Forms are small: a megabyte is far more than any of them; the
		// uploads of Run the day are larger (uploadLimit).
		limit := int64(1 << 20)
		if strings.HasPrefix(r.URL.Path, "/run/") {
			limit = uploadLimit
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// tooLarge parses a POST's form and reports whether its body was over
// the limit headers set: such a form is cut short, its CSRF token lost,
// and the person must be told the file is too large, not that the form
// expired.
func tooLarge(r *http.Request) bool {
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(32 << 20)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
