package standards

// Pos records where a YAML mapping stood in its file, and where each of its
// keys did, so that validation can name the line of the field at fault.
type Pos struct {
	Line   int
	Fields map[string]int
}

// At returns the line of field, or of the mapping when the field is absent.
func (p Pos) At(field string) int {
	if l, ok := p.Fields[field]; ok {
		return l
	}
	return p.Line
}
