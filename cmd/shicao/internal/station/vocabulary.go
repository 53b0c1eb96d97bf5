package station

import (
	"context"
	"errors"
	"fmt"

	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
)

// The installed vocabulary: the built-in base (version 1) extended by the
// newest province-signed vocabulary document installed, so that a new
// kind of equipment or event type needs no software update. Standards
// are type-checked against it when installed and when loaded.

const metaVocabulary = "vocabulary" // the signed document's bytes

// Vocabulary returns the installed vocabulary and its version.
func (s *Station) Vocabulary(ctx context.Context) (*standards.Vocabulary, int, error) {
	signed, err := s.st.Meta(ctx, metaVocabulary)
	if errors.Is(err, store.ErrNotFound) || (err == nil && signed == "") {
		return standards.DefaultVocabulary(), standards.BaseVocabularyVersion, nil
	}
	if err != nil {
		return nil, 0, err
	}
	doc, err := standards.ReadVocabulary(standards.SplitNote([]byte(signed)), []byte(signed))
	if err != nil {
		return nil, 0, fmt.Errorf("installed vocabulary: %w", err)
	}
	v, err := standards.DefaultVocabulary().Extend(doc)
	if err != nil {
		return nil, 0, fmt.Errorf("installed vocabulary: %w", err)
	}
	return v, doc.Version, nil
}

// InstallVocabulary verifies a signed vocabulary document against the
// pinned province keys and installs it: its version must be after the
// installed one (the same bytes again: ErrInstalled; older: ErrRollback;
// other bytes at the same version: ErrEquivocation), and it may only add
// to the vocabulary installed.
func (s *Station) InstallVocabulary(ctx context.Context, signed []byte) (*standards.VocabularyDoc, error) {
	trust, err := s.Trust(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := standards.OpenVocabulary(signed, trust)
	if err != nil {
		return nil, err
	}
	held, err := s.st.Meta(ctx, metaVocabulary)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	cur, heldVersion, err := s.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	if err := standards.CheckVocabularyVersion(heldVersion, []byte(held), doc); err != nil {
		return doc, err
	}
	// It may only add: to the base, and to what the document installed
	// before it added (it repeats that; the newest document is the one
	// kept).
	next, err := standards.DefaultVocabulary().Extend(doc)
	if err != nil {
		return nil, err
	}
	if err := next.Covers(cur); err != nil {
		return nil, fmt.Errorf("vocabulary version %d: %w", doc.Version, err)
	}
	if err := s.st.SetMeta(ctx, metaVocabulary, string(signed)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.parsed = map[string]any{} // standards are checked again against it
	s.mu.Unlock()
	return doc, nil
}
