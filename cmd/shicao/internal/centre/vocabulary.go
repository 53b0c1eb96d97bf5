package centre

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shicao/standards"
	examsync "shicao/sync"
)

// The centre's vocabulary: the built-in base extended by the newest
// vocabulary document it published. Standards are published against it,
// and stations pull the newest document with the standards (before them,
// since they may use its event types). Every version is kept: a result
// names the version its standards were checked against, and the centre
// re-scores it with that version's document.

// PublishVocabulary relays a province-signed vocabulary document to the
// stations. It applies the rules a station applies, so that the centre
// never relays what every station would refuse: enough trusted
// signatures, a version after the newest published (the same bytes
// again: standards.ErrInstalled; other bytes at a published version:
// standards.ErrEquivocation; an older version: standards.ErrRollback),
// and only additions — to the base, and to everything the newest
// published document added (a document that leaves a type out or
// changes one is refused, naming it).
func (c *Centre) PublishVocabulary(ctx context.Context, signed []byte) (*standards.VocabularyDoc, error) {
	trust, err := c.trust(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := standards.OpenVocabulary(signed, trust)
	if err != nil {
		return nil, err
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		cur, held, err := vocabularyIn(ctx, tx)
		if err != nil {
			return err
		}
		heldVersion, heldBytes := standards.BaseVocabularyVersion, []byte(nil)
		if held != nil {
			heldVersion, heldBytes = held.Version, held.Source
		}
		if doc.Version <= heldVersion {
			// An older version may be the very bytes published then.
			var same []byte
			if err := tx.QueryRowContext(ctx, `SELECT signed FROM vocabularies WHERE version = ?`, doc.Version).Scan(&same); err == nil {
				heldVersion, heldBytes = doc.Version, same
			}
		}
		if err := standards.CheckVocabularyVersion(heldVersion, heldBytes, doc); err != nil {
			return err
		}
		next, err := standards.DefaultVocabulary().Extend(doc)
		if err != nil {
			return err
		}
		if err := next.Covers(cur); err != nil {
			return fmt.Errorf("vocabulary version %d: %w", doc.Version, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO vocabularies (version, sha256, signed, published_ms) VALUES (?, ?, ?, ?)`, doc.Version, doc.SHA256, signed, c.nowMs())
		return err
	})
	if err != nil {
		return doc, translate(err)
	}
	return doc, nil
}

// Vocabulary returns the centre's vocabulary: the base extended by the
// newest vocabulary document published (its Doc nil when none was).
func (c *Centre) Vocabulary(ctx context.Context) (*standards.Vocabulary, error) {
	v, _, err := vocabularyIn(ctx, c.db)
	return v, err
}

// vocabularyIn returns the vocabulary in force at the centre and the
// newest document published (nil if none).
func vocabularyIn(ctx context.Context, q queryer) (*standards.Vocabulary, *standards.VocabularyDoc, error) {
	var signed []byte
	err := q.QueryRowContext(ctx, `SELECT signed FROM vocabularies ORDER BY version DESC LIMIT 1`).Scan(&signed)
	if errors.Is(err, sql.ErrNoRows) {
		return standards.DefaultVocabulary(), nil, nil
	}
	if err != nil {
		return nil, nil, translate(err)
	}
	doc, err := standards.ReadVocabulary(standards.SplitNote(signed), signed)
	if err != nil {
		return nil, nil, fmt.Errorf("published vocabulary: %w", err)
	}
	v, err := standards.DefaultVocabulary().Extend(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("published vocabulary: %w", err)
	}
	return v, doc, nil
}

// checkVocabularies refuses an item whose standard was checked against a
// vocabulary document, by version and SHA-256, that this centre never
// published (the re-score used the bundle's copy of it).
func (c *Centre) checkVocabularies(ctx context.Context, doc *examsync.ResultDoc) *examsync.Refusal {
	for _, it := range doc.Items {
		ref := it.Vocabulary
		if ref == nil {
			continue
		}
		var sum string
		err := c.db.QueryRowContext(ctx, `SELECT sha256 FROM vocabularies WHERE version = ?`, ref.Version).Scan(&sum)
		if err != nil || sum != ref.SHA256 {
			return refuse422(CodeStandard, "subject %s: vocabulary version %d (sha256 %.16s…) was not relayed by this centre", it.Subject, ref.Version, ref.SHA256)
		}
	}
	return nil
}
