package standards

import (
	"time"
)

// Limits that keep a standard sane; a published sheet is far inside them.
const (
	maxTimeLimit = 4 * time.Hour
	maxStopAfter = time.Hour
	maxExaminers = 5
	maxItems     = 50
	maxVectors   = 50
	maxSteps     = 10000 // events one vector may expand to, in hundreds
)

// Parse reads a standard from its exact YAML bytes, strictly, validates it
// against the vocabulary and compiles its expressions. file names the
// source in every Problem. The error is Problems (every problem found).
func Parse(file string, data []byte) (*Standard, error) {
	return ParseWith(DefaultVocabulary(), file, data)
}

// ParseWith is Parse against another vocabulary.
func ParseWith(v *Vocabulary, file string, data []byte) (*Standard, error) {
	c := &problems{file: file}
	s := &Standard{}
	ok, decoded := decodeDocument(c, data, s)
	if !decoded {
		return nil, c.err()
	}
	s.Source = append([]byte(nil), data...)
	s.File = file
	s.env = newCompiledEnv(v)
	// Validate even after field-level decode problems, so an author sees
	// every problem in one run; checks about a field that failed to decode
	// would only repeat it, so they are dropped.
	validated := &problems{file: file}
	validateStandard(validated, s)
	c.merge(validated, !ok)
	if err := c.err(); err != nil {
		return nil, err
	}
	if s.Examiners == 0 {
		s.Examiners = 2
	}
	return s, nil
}
