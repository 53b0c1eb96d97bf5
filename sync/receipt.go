package sync

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The centre appends every accepted result to a Merkle log
// (golang.org/x/mod/sumdb/tlog, the Go checksum database's log) and
// answers with a receipt: the log index, a checkpoint (the tree's size
// and root) signed by the centre key, and the inclusion proof of the
// result's record. A receipt proves the centre accepted these exact
// bytes; two checkpoints and a consistency proof prove the centre never
// rewrote what it had logged.

// KindReceipt names the receipt document's version.
const KindReceipt = "shicao-receipt/1"

// Receipt is the centre's answer to an accepted result.
type Receipt struct {
	Kind       string   `json:"kind"`
	Result     string   `json:"result"`     // the result id
	Station    string   `json:"station"`    // the station that sent it
	SHA256     string   `json:"sha256"`     // of the exact bundle bytes received
	Index      int64    `json:"index"`      // the record's index in the log
	Checkpoint string   `json:"checkpoint"` // a signed note: see Checkpoint
	Proof      []string `json:"proof"`      // base64 hashes: tlog.RecordProof from Index to the checkpoint
}

// Record is the log's record for a result: what a leaf commits to.
func Record(resultID, station, bodySHA256 string) []byte {
	return fmt.Appendf(nil, "shicao-result/1\nid %s\nstation %s\nsha256 %s\n", resultID, station, bodySHA256)
}

// Checkpoint is a signed tree head, in the C2SP tlog-checkpoint text
// form: the log's origin (the centre key's name), the tree size and the
// base64 root hash, one per line.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Signed []byte // the signed note, as received
}

// CheckpointText formats a checkpoint's text (to be signed).
func CheckpointText(origin string, size int64, root tlog.Hash) []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ErrBadCheckpoint is a checkpoint that is malformed or not signed by the centre.
var ErrBadCheckpoint = errors.New("not a checkpoint signed by this centre")

// OpenCheckpoint verifies a signed checkpoint with the centre's key.
func OpenCheckpoint(signed []byte, centreKey string) (*Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(centreKey))
	if err != nil {
		return nil, fmt.Errorf("centre verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCheckpoint, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() {
		return nil, fmt.Errorf("%w: origin is not %q", ErrBadCheckpoint, v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return nil, fmt.Errorf("%w: bad size %q", ErrBadCheckpoint, lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return nil, fmt.Errorf("%w: bad root hash", ErrBadCheckpoint)
	}
	c := &Checkpoint{Origin: lines[0], Size: size, Signed: signed}
	copy(c.Root[:], root)
	return c, nil
}

// errBadReceipt wraps every reason a receipt is refused.
var errBadReceipt = errors.New("the receipt does not verify")

// VerifyReceipt checks a receipt for the exact bytes body of result id
// sent by station: the checkpoint's signature by the centre key, the
// record's fields, and the inclusion proof from the record's hash to the
// checkpoint's root. Only a receipt that passes lets the station mark a
// result synced.
func VerifyReceipt(data []byte, centreKey, resultID, station string, body []byte) (*Receipt, *Checkpoint, error) {
	return verifyReceipt(data, centreKey, resultID, station, body, Record)
}

// AppealStation is the Station field of an appeal record's receipt: the
// centre itself wrote the record.
const AppealStation = "centre"

// AppealRecord is the log's record for one state of an appeal (a record
// of another kind than a result's): the appeal document's id (the
// appeal's id and the state's number, "A/2") and the SHA-256 of the
// centre-signed document.
func AppealRecord(docID, _ /* station */, docSHA256 string) []byte {
	return fmt.Appendf(nil, "shicao-appeal/1\nid %s\nsha256 %s\n", docID, docSHA256)
}

// VerifyAppealReceipt is VerifyReceipt for an appeal document: the
// receipt for the exact signed bytes body of appeal document docID.
func VerifyAppealReceipt(data []byte, centreKey, docID string, body []byte) (*Receipt, *Checkpoint, error) {
	return verifyReceipt(data, centreKey, docID, AppealStation, body, AppealRecord)
}

func verifyReceipt(data []byte, centreKey, resultID, station string, body []byte, record func(id, station, sum string) []byte) (*Receipt, *Checkpoint, error) {
	var r Receipt
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || r.Kind != KindReceipt {
		return nil, nil, fmt.Errorf("%w: not a %s document", errBadReceipt, KindReceipt)
	}
	sum := sha256.Sum256(body)
	switch {
	case r.Result != resultID:
		return nil, nil, fmt.Errorf("%w: it is for result %s, not %s", errBadReceipt, r.Result, resultID)
	case r.Station != station:
		return nil, nil, fmt.Errorf("%w: it is for station %s, not %s", errBadReceipt, r.Station, station)
	case r.SHA256 != hex.EncodeToString(sum[:]):
		return nil, nil, fmt.Errorf("%w: the centre logged other bytes than the station sent", errBadReceipt)
	}
	cp, err := OpenCheckpoint([]byte(r.Checkpoint), centreKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errBadReceipt, err)
	}
	proof := make(tlog.RecordProof, len(r.Proof))
	for i, p := range r.Proof {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(b) != tlog.HashSize {
			return nil, nil, fmt.Errorf("%w: proof hash %d is malformed", errBadReceipt, i)
		}
		copy(proof[i][:], b)
	}
	leaf := tlog.RecordHash(record(r.Result, r.Station, r.SHA256))
	if err := tlog.CheckRecord(proof, cp.Size, cp.Root, r.Index, leaf); err != nil {
		return nil, nil, fmt.Errorf("%w: inclusion proof: %v", errBadReceipt, err)
	}
	return &r, cp, nil
}

// Consistency is the centre's proof that the tree of size Old is a
// prefix of the tree of size New.
type Consistency struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof []string `json:"proof"` // base64 hashes: tlog.TreeProof
}

// ErrForked is a log that is not an extension of a checkpoint the station holds.
var ErrForked = errors.New("the centre's log does not extend the checkpoint this station holds: the log was rewritten; report it")

// VerifyConsistency checks that newer extends older with the proof.
func VerifyConsistency(older, newer *Checkpoint, c *Consistency) error {
	if older.Size == 0 {
		return nil // the empty tree is a prefix of every tree
	}
	if older.Size > newer.Size {
		return fmt.Errorf("%w (the log shrank from %d to %d)", ErrForked, older.Size, newer.Size)
	}
	if c.Old != older.Size || c.New != newer.Size {
		return fmt.Errorf("consistency proof is for sizes %d..%d, not %d..%d", c.Old, c.New, older.Size, newer.Size)
	}
	proof := make(tlog.TreeProof, len(c.Proof))
	for i, p := range c.Proof {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(b) != tlog.HashSize {
			return fmt.Errorf("consistency proof hash %d is malformed", i)
		}
		copy(proof[i][:], b)
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return fmt.Errorf("%w (%d to %d: %v)", ErrForked, older.Size, newer.Size, err)
	}
	return nil
}

// EncodeHashes returns hashes as base64 strings (proofs in JSON).
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}
