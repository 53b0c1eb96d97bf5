package standards_test

import (
	"strings"
	"testing"

	"shicao/standards"
	"shicao/standards/library"
)

// BenchmarkParse measures what a station pays to load a standard: the
// strict decode, validation and compiling every expression. One
// sub-benchmark per library file, and one that loads the whole library as a
// station does at start-up.
func BenchmarkParse(b *testing.B) {
	names := library.Names()
	files := make([][]byte, len(names))
	for i, name := range names {
		data, err := library.Read(name)
		if err != nil {
			b.Fatal(err)
		}
		files[i] = data
	}
	for i, name := range names {
		b.Run(strings.TrimSuffix(name, ".yaml"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(files[i])))
			for b.Loop() {
				if _, err := standards.ParseAny(name, files[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i, name := range names {
				if _, err := standards.ParseAny(name, files[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
