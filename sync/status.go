package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// A station's status: while a station is open it posts one every few
// seconds (POST /v1/status), signed with its key like every request, so
// that the centre's console can show each station live (docs/api.md,
// docs/console.md). A status is a snapshot, not a record: the centre
// keeps only the latest per station, and a status that is lost is
// replaced by the next one, so the station neither queues nor retries
// them.

// StationStatus is what a station reports of itself.
type StationStatus struct {
	Station string `json:"station"` // must be the name that signed the request
	// Screen is the screen the examiners see (start, signin, plan,
	// identity, draw, live, sheet, result, sync).
	Screen string `json:"screen"`
	Plan   string `json:"plan,omitempty"` // the open exam's plan id
	// Candidate is the open exam's candidate: name and masked ID number
	// (the middle eight digits starred). A whole ID number is refused.
	Candidate string `json:"candidate,omitempty"`
	Item      string `json:"item,omitempty"` // the running item's standard id and title
	// ElapsedMs is the time into the running item.
	ElapsedMs int64          `json:"elapsed_ms,omitempty"`
	Devices   []DeviceStatus `json:"devices"`
	// OutboxDepth is how many results wait to be sent (queued); Parked
	// how many the centre refused for good and wait for a person.
	OutboxDepth int `json:"outbox_depth"`
	Parked      int `json:"parked,omitempty"`
	// ClockOffsetMs is the station's own measure of its clock's offset
	// from the centre's (centre minus station) at its last sync; nil
	// before any.
	ClockOffsetMs *int64 `json:"clock_offset_ms,omitempty"`
	Software      string `json:"software"`
	// Standards are the installed standards' ids and versions
	// ("SD-DG-K42@1"), the running item's first when there is one.
	Standards []string `json:"standards"`
}

// DeviceStatus is one device's state as the station sees it.
type DeviceStatus struct {
	Kind  string `json:"kind"`
	State string `json:"state"` // connected | lost | absent
}

// MaxStatusBytes caps a status's body: a station with a dozen devices
// and standards sends well under 2 KB.
const MaxStatusBytes = 16 << 10

// CodeBadStatus refuses a status that does not parse, names another
// station or carries a whole ID number (422).
const CodeBadStatus = "bad-status"

// wholeID is an ID number (18 characters, the last a digit or X): a
// status travels and is shown to staff; it carries only masked ones.
var wholeID = regexp.MustCompile(`\d{17}[\dX]`)

// ParseStatus parses a status posted by station and checks it: valid
// JSON of at most MaxStatusBytes, the signer's own name, no whole ID
// number, no field absurdly long. It returns a *Refusal (422,
// CodeBadStatus).
func ParseStatus(station string, body []byte) (*StationStatus, error) {
	if len(body) > MaxStatusBytes {
		return nil, Refuse(http.StatusRequestEntityTooLarge, "too-large", "a status is at most %d bytes", MaxStatusBytes)
	}
	var s StationStatus
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, Refuse(http.StatusUnprocessableEntity, CodeBadStatus, "the status is not valid JSON: %v", err)
	}
	if s.Station != station {
		return nil, Refuse(http.StatusUnprocessableEntity, CodeBadStatus, "the status names station %q, but station %q signed it", s.Station, station)
	}
	if wholeID.Match(body) {
		return nil, Refuse(http.StatusUnprocessableEntity, CodeBadStatus, "the status carries a whole ID number: a status carries masked ones only")
	}
	for _, f := range []string{s.Screen, s.Plan, s.Candidate, s.Item, s.Software} {
		if len(f) > 200 {
			return nil, Refuse(http.StatusUnprocessableEntity, CodeBadStatus, "a status field is longer than 200 bytes")
		}
	}
	if s.ElapsedMs < 0 || s.OutboxDepth < 0 || s.Parked < 0 || len(s.Devices) > 64 || len(s.Standards) > 256 {
		return nil, Refuse(http.StatusUnprocessableEntity, CodeBadStatus, "the status's counts are out of range")
	}
	return &s, nil
}

// StatusSink keeps the stations' statuses (the centre). Status receives
// a status whose signature verified, with the time the station signed
// it; it returns a *Refusal for one it will not keep (a replay: not
// newer than the last kept). Refused is told of every status refused,
// with the station name the request claimed (unverified), so that
// refusals are counted and raise an alarm.
type StatusSink interface {
	Status(ctx context.Context, station string, signedAt time.Time, body []byte) error
	StatusRefused(ctx context.Context, claimed string, ref *Refusal)
}

// statusNonces is the Nonces of POST /v1/status: every nonce is fresh.
// A status's replay is refused by the sink instead, which keeps a status
// only when its signed time is after the last one kept: the centre
// writes one row per status, not a status and a nonce.
type statusNonces struct{}

func (statusNonces) UseNonce(context.Context, string, string, time.Time) (bool, error) {
	return true, nil
}

// postStatus serves POST /v1/status: the headers authenticated, the
// body read (at most MaxStatusBytes, within a body slot), parsed and
// handed to the sink; every refusal is told to the sink. The answer to
// a kept status is 200 with an empty JSON object.
func (s *Server) postStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	claimed := r.Header.Get(HeaderStation)
	refuse := func(station string, err error) {
		if ref, ok := err.(*Refusal); ok {
			if len(claimed) > 256 {
				claimed = claimed[:256]
			}
			s.Status.StatusRefused(ctx, claimed, ref)
		}
		s.fail(w, r, station, err)
	}
	req, err := AuthenticateHeaders(ctx, r, s.Keys, statusNonces{}, s.Now())
	if err != nil {
		refuse("", err)
		return
	}
	if r.ContentLength > MaxStatusBytes {
		refuse(req.Station, tooLarge(r, MaxStatusBytes))
		return
	}
	release, err := s.bodies.acquire(req.Station)
	if err != nil {
		s.fail(w, r, req.Station, err) // busy: not the station's fault
		return
	}
	defer release()
	body, err := readBody(w, r, MaxStatusBytes, req)
	if err != nil {
		refuse(req.Station, err)
		return
	}
	if _, err := ParseStatus(req.Station, body); err != nil {
		refuse(req.Station, err)
		return
	}
	at, err := signedTime(r)
	if err != nil {
		refuse(req.Station, err)
		return
	}
	if err := s.Status.Status(ctx, req.Station, at, body); err != nil {
		refuse(req.Station, err)
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.Write([]byte("{}\n"))
}

// signedTime is the request's signed time (its signature verified).
func signedTime(r *http.Request) (time.Time, error) {
	ms, err := strconv.ParseInt(r.Header.Get(HeaderTime), 10, 64)
	if err != nil {
		return time.Time{}, Refuse(http.StatusUnauthorized, CodeUnsigned, "malformed signature headers")
	}
	return time.UnixMilli(ms), nil
}

// PostStatus sends the station's status. The centre's answer to a kept
// status is 200; anything else is a *Refusal or the transport's error.
// A status is not retried: the next one replaces it.
func (c *Client) PostStatus(ctx context.Context, st StationStatus) error {
	st.Station = c.Station
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	_, err = c.do(ctx, http.MethodPost, "/v1/status", body)
	return err
}
