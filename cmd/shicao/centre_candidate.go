package main

import (
	"log/slog"
	"net/http"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/console"
)

// publicHandler is what the centre's public listener serves: the API
// (docs/api.md) and, under /candidate, the candidate page
// (docs/console.md), which candidates reach from outside the staff
// network and which uses no staff session.
func publicHandler(ce *centre.Centre, logger *slog.Logger) (http.Handler, error) {
	cand, err := console.NewCandidate(ce, console.CandidateOptions{Logger: logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", ce.Server(logger).Handler())
	ch := cand.Handler()
	mux.Handle("/candidate", ch)
	mux.Handle("/candidate/", ch)
	return mux, nil
}
