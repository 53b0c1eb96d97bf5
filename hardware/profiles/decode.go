package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrBadValue is returned for a value that does not convert to its field.
var ErrBadValue = errors.New("bad value")

func (f *Field) scale() float64 {
	if f.Scale == 0 {
		return 1
	}
	return f.Scale
}

// fromText converts one ASCII value: integers and decimals, 0/1 for bool,
// '|'-separated lists for strings.
func (f *Field) fromText(s string) (any, error) {
	if v, ok, err := f.fromDigits(s); ok {
		return v, err
	}
	return f.fromTextString(s)
}

// fromTextBytes is fromText on bytes: a plain decimal integer, the most
// common value on the wire, converts without a string.
func (f *Field) fromTextBytes(b []byte) (any, error) {
	if v, ok, err := fromDigits(f, b); ok {
		return v, err
	}
	return f.fromTextString(string(b))
}

func (f *Field) fromDigits(s string) (any, bool, error) { return fromDigits(f, s) }

// fromDigits converts a number field written as plain decimal digits;
// ok is false for anything else, left to strconv.
func fromDigits[T string | []byte](f *Field, b T) (v any, ok bool, err error) {
	if f.Type != "int" && f.Type != "float" || len(b) == 0 || len(b) > 15 {
		return nil, false, nil
	}
	var n int64
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return nil, false, nil
		}
		n = n*10 + int64(c-'0')
	}
	x := float64(n)
	if err := f.inRange(x); err != nil {
		return nil, true, err
	}
	return f.number(x), true, nil
}

func (f *Field) fromTextString(s string) (any, error) {
	switch f.Type {
	case "int", "float":
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, ErrBadValue
		}
		if f.Type == "int" && f.Scale == 0 && x != math.Trunc(x) {
			return nil, ErrBadValue
		}
		if err := f.inRange(x); err != nil {
			return nil, err
		}
		return f.number(x), nil
	case "bool":
		switch s {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return nil, ErrBadValue
	case "string":
		return f.word(s)
	default: // strings
		items := []string{}
		if s != "" {
			items = strings.Split(s, "|")
		}
		for _, it := range items {
			if it == "" {
				return nil, ErrBadValue
			}
		}
		// A set: its order on the wire means nothing.
		slices.Sort(items)
		return slices.Compact(items), nil
	}
}

// number scales a wire value and gives it the field's Go type.
func (f *Field) number(x float64) any {
	x *= f.scale()
	if f.Type == "int" {
		return int(math.Round(x))
	}
	// Round away the binary noise of the scale (28.5 not 28.500000000000004)
	// at a precision far below any sensor's.
	return math.Round(x*1e6) / 1e6
}

func (f *Field) word(s string) (any, error) {
	if f.Enum == nil {
		if s == "" {
			return nil, ErrBadValue
		}
		return s, nil
	}
	w, ok := f.Enum[s]
	if !ok {
		return nil, ErrBadValue
	}
	return w, nil
}

// Registers is one poll's snapshot of a Modbus slave.
type Registers struct {
	Coils   map[uint16]bool
	Holding map[uint16]uint16
	Input   map[uint16]uint16
}

// Block is one read request of a poll.
type Block struct {
	Table    string // coil, holding, input
	Address  uint16
	Quantity uint16
}

// width returns how many coils or registers f spans.
func (f *Field) width() int {
	switch {
	case f.Terminals != nil:
		n := len(f.Terminals)
		return n * (n - 1) / 2
	case f.Format == "u32" || f.Format == "i32":
		return 2
	case f.Format == "ascii":
		return (f.Length + 1) / 2
	}
	return 1
}

// Blocks returns the reads that make up one poll: every coil and register
// the events (other than OnConnect ones) use, grouped per table into runs no
// longer than a request may be, joining runs separated by small gaps.
func (m *ModbusMap) Blocks() []Block {
	return m.blocks(func(e *ModbusEvent) bool { return !e.OnConnect })
}

// ConnectBlocks returns the reads of the OnConnect events, made once on the
// first poll of each connection in addition to Blocks.
func (m *ModbusMap) ConnectBlocks() []Block {
	return m.blocks(func(e *ModbusEvent) bool { return e.OnConnect })
}

func (m *ModbusMap) blocks(use func(*ModbusEvent) bool) []Block {
	used := map[string][]int{}
	add := func(f *Field) {
		for i := range f.width() {
			used[f.Table] = append(used[f.Table], int(f.Address)+i)
		}
	}
	for _, e := range m.Events {
		if !use(e) {
			continue
		}
		if e.Trigger != nil {
			add(e.Trigger)
		}
		for _, f := range e.Fields {
			if f.Table != "" {
				add(f)
			}
		}
	}
	const gap = 8
	var blocks []Block
	for _, table := range []string{"coil", "holding", "input"} {
		addrs := used[table]
		slices.Sort(addrs)
		addrs = slices.Compact(addrs)
		limit := 125
		if table == "coil" {
			limit = 2000
		}
		for i := 0; i < len(addrs); {
			start, end := addrs[i], addrs[i]
			for i++; i < len(addrs) && addrs[i]-end <= gap && addrs[i]-start < limit; i++ {
				end = addrs[i]
			}
			blocks = append(blocks, Block{table, uint16(start), uint16(end - start + 1)})
		}
	}
	return blocks
}

// Value returns the field's value in a snapshot. It returns ErrBadValue for
// a register the snapshot lacks or an enum code the profile does not know.
func (f *Field) Value(r Registers) (any, error) {
	switch f.Table {
	case "coil":
		if f.Terminals != nil {
			return f.edges(r)
		}
		on, ok := r.Coils[f.Address]
		if !ok {
			return nil, fmt.Errorf("coil %d not read: %w", f.Address, ErrBadValue)
		}
		return on, nil
	}
	bank := r.Holding
	if f.Table == "input" {
		bank = r.Input
	}
	if f.Format == "ascii" {
		return f.text(bank)
	}
	hi, ok := bank[f.Address]
	if !ok {
		return nil, fmt.Errorf("%s register %d not read: %w", f.Table, f.Address, ErrBadValue)
	}
	var x int64
	switch f.Format {
	case "", "u16":
		x = int64(hi)
	case "i16":
		x = int64(int16(hi))
	default: // u32, i32: high word first
		lo, ok := bank[f.Address+1]
		if !ok {
			return nil, fmt.Errorf("%s register %d not read: %w", f.Table, f.Address+1, ErrBadValue)
		}
		x = int64(uint32(hi)<<16 | uint32(lo))
		if f.Format == "i32" {
			x = int64(int32(x))
		}
	}
	switch f.Type {
	case "bool":
		return x != 0, nil
	case "string":
		w, err := f.word(strconv.FormatInt(x, 10))
		if err != nil {
			return nil, fmt.Errorf("%s register %d code %d: %w", f.Table, f.Address, x, err)
		}
		return w, nil
	}
	return f.number(float64(x)), nil
}

// text reads an ascii field: Length characters, two per register with the
// high byte first (as Modbus devices commonly pack strings), printable ASCII
// padded with NULs. An empty text is valid: a device whose serial was never
// programmed says so, and the station then refuses it as unregistered.
func (f *Field) text(bank map[uint16]uint16) (string, error) {
	b := make([]byte, 0, f.Length+1)
	for i := range f.width() {
		v, ok := bank[f.Address+uint16(i)]
		if !ok {
			return "", fmt.Errorf("%s register %d not read: %w", f.Table, int(f.Address)+i, ErrBadValue)
		}
		b = append(b, byte(v>>8), byte(v))
	}
	b = b[:f.Length]
	n := bytes.IndexByte(b, 0)
	if n < 0 {
		n = len(b)
	}
	for i, c := range b {
		if i < n && (c < 0x20 || c > 0x7E) || i >= n && c != 0 {
			return "", fmt.Errorf("%s registers %d-%d text %q: %w", f.Table, f.Address, int(f.Address)+f.width()-1, b, ErrBadValue)
		}
	}
	return string(b[:n]), nil
}

// edges reads a continuity matrix: the coil at Address+k is on when the
// k-th pair (i<j, in row order over Terminals) is connected. Each edge is
// "A-B" with A<B and the list is sorted, as vocabulary's
// board.continuity asks.
func (f *Field) edges(r Registers) ([]string, error) {
	edges := []string{}
	k := int(f.Address)
	for i := range f.Terminals {
		for j := i + 1; j < len(f.Terminals); j++ {
			on, ok := r.Coils[uint16(k)]
			if !ok {
				return nil, fmt.Errorf("coil %d not read: %w", k, ErrBadValue)
			}
			if on {
				edges = append(edges, Edge(f.Terminals[i], f.Terminals[j]))
			}
			k++
		}
	}
	slices.Sort(edges)
	return edges, nil
}

// Edge names the connection between terminals a and b as
// board.continuity does: "A-B" with A<B.
func Edge(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + "-" + b
}

// PairIndex returns the offset from the matrix's first coil of the pair
// (i, j) of n terminals, i != j: the inverse of the order edges reads.
func PairIndex(n, i, j int) int {
	if i > j {
		i, j = j, i
	}
	return i*n - i*(i+1)/2 + (j - i - 1)
}

// Decode returns the fields of e in a snapshot.
func (e *ModbusEvent) Decode(r Registers) (map[string]any, error) {
	fields := make(map[string]any, len(e.Fields))
	for name, f := range e.Fields {
		if f.Unmeasured {
			continue
		}
		if f.Const != nil {
			fields[name], _ = convert(f.Const, f.Type) // checked when parsed
			continue
		}
		v, err := f.Value(r)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", e.Event, name, err)
		}
		fields[name] = v
	}
	return fields, nil
}
