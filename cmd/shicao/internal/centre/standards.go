package centre

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// AddTrustRoot pins a province verifier key: standards are published only
// when enough pinned keys sign them.
func (c *Centre) AddTrustRoot(ctx context.Context, verifierKey string) error {
	verifierKey = strings.TrimSpace(verifierKey)
	t, err := standards.NewTrust(1, verifierKey)
	if err != nil {
		return err
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO trust_roots (name, vkey, added_ms) VALUES (?, ?, ?) ON CONFLICT (vkey) DO NOTHING`, t.Names()[0], verifierKey, c.nowMs())
	return translate(err)
}

// SetThreshold sets how many distinct province keys must sign a standard.
func (c *Centre) SetThreshold(ctx context.Context, n int) error {
	return setMeta(ctx, c.db, "trust_threshold", strconv.Itoa(n))
}

func (c *Centre) trust(ctx context.Context) (*standards.Trust, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT vkey FROM trust_roots ORDER BY name`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no province key is pinned: run shicao centre init --province KEY.pub (or centre trust add)")
	}
	threshold := 1
	if v, err := meta(ctx, c.db, "trust_threshold"); err == nil {
		threshold, _ = strconv.Atoi(v)
	}
	t, err := standards.NewTrust(threshold, keys...)
	if err != nil {
		return nil, err
	}
	t.Holder = "centre" // a refusal says "keys this centre does not trust"
	return t, nil
}

// Publish relays a province-signed standard or blueprint to the stations.
// It applies the rules a station applies — enough trusted signatures, a
// text that parses and compiles (lint-clean) against the vocabulary the
// centre published (Vocabulary), its own test vectors pass,
// a version higher than any published for its id, never two texts for
// one version — so that the centre never relays what every station would
// refuse.
func (c *Centre) Publish(ctx context.Context, file string, signed []byte) (*standards.Candidate, error) {
	trust, err := c.trust(ctx)
	if err != nil {
		return nil, err
	}
	var seenErr error
	seen := func(id string) (standards.Seen, bool) {
		var s standards.Seen
		err := c.db.QueryRowContext(ctx, `SELECT version, sha256 FROM standards WHERE id = ? ORDER BY version DESC LIMIT 1`, id).Scan(&s.Version, &s.SHA256)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			seenErr = err
		}
		return s, err == nil
	}
	// Checked against the centre's vocabulary, as the stations that pull
	// the newest vocabulary document with it check it.
	vocab, err := c.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	cand, err := standards.AdmitWith(vocab, signed, file, trust, seen, scoring.SelfTest)
	if seenErr != nil {
		return nil, seenErr
	}
	if err != nil {
		return cand, err
	}
	kind, title, span := "standard", "", cand.Span()
	if cand.Standard != nil {
		title = cand.Standard.Title
	} else {
		kind, title = "blueprint", cand.Blueprint.Title
	}
	expires := ""
	if !span.Expires.IsZero() {
		expires = span.Expires.String()
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO standards (id, version, sha256, kind, title, effective, expires, signed, signers, published_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cand.ID, cand.Version, cand.SHA256, kind, title, span.Effective.String(), expires, signed, strings.Join(cand.Signers, ","), c.nowMs())
	if err != nil {
		return nil, fmt.Errorf("publish %s version %d: %w", cand.ID, cand.Version, translate(err))
	}
	return cand, nil
}

// Published is a standard or blueprint the centre relays.
type Published struct {
	Seq       int64
	ID        string
	Version   int
	SHA256    string
	Kind      string
	Title     string
	Effective string
	Signed    []byte
}

// PublishedSince returns what was published after seq, in order.
func (c *Centre) PublishedSince(ctx context.Context, seq int64) ([]Published, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT seq, id, version, sha256, kind, title, effective, signed FROM standards WHERE seq > ? ORDER BY seq`, seq)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Published
	for rows.Next() {
		var p Published
		if err := rows.Scan(&p.Seq, &p.ID, &p.Version, &p.SHA256, &p.Kind, &p.Title, &p.Effective, &p.Signed); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StandardsSince returns the signed list of standards published after
// since, with the newest vocabulary document (any registered station may
// have them).
func (c *Centre) StandardsSince(ctx context.Context, _ string, since int64) ([]byte, error) {
	list, err := c.PublishedSince(ctx, since)
	if err != nil {
		return nil, err
	}
	doc := examsync.Standards{Kind: examsync.KindStandards, Since: since, Next: since, Standards: []examsync.Published{}}
	_, voc, err := vocabularyIn(ctx, c.db)
	if err != nil {
		return nil, err
	}
	if voc != nil {
		doc.Vocabulary = string(voc.Source)
	}
	for _, p := range list {
		doc.Standards = append(doc.Standards, examsync.Published{Seq: p.Seq, ID: p.ID, Version: p.Version, SHA256: p.SHA256, Signed: string(p.Signed)})
		doc.Next = p.Seq
	}
	return examsync.SignWith(doc, c.signer)
}
