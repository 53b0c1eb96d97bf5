package profiles

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/asciiline"
)

func vocabulary(t testing.TB) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../standards/vocabulary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVocabulary(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLoad_Embedded loads every reference profile and checks it against
// the vocabulary the standards use: an event or field a profile invents
// would never reach a score.
func TestLoad_Embedded(t *testing.T) {
	vocab := vocabulary(t)
	kinds := map[hardware.Kind]bool{}
	for _, name := range Names() {
		p, err := Load(name)
		if err != nil {
			t.Fatalf("Load(%s): %v", name, err)
		}
		if err := p.Check(vocab); err != nil {
			t.Errorf("Check: %v", err)
		}
		kinds[p.Kind] = true
	}
	for _, k := range hardware.Kinds() {
		if _, err := ForKind(k); err != nil || !kinds[k] {
			t.Errorf("no reference profile for kind %s: %v", k, err)
		}
	}
	if _, err := Load("toaster"); err == nil || !strings.Contains(err.Error(), "cpr") {
		t.Errorf("Load(toaster) err = %v, want one listing the profiles", err)
	}
}

func TestParse_Errors(t *testing.T) {
	const modbusHead = "kind: scba\nmodel: X\nframing: modbus-rtu\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nmodbus:\n  slave: 1\n  poll_ms: 100\n  timeout_ms: 100\n  events:\n    - event: device.status\n      fields:\n"
	const head = "kind: harness\nmodel: X\nframing: lines\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nline: {start: $, end: \"\\n\"}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", head + "colour: red\n", "profile x.yaml:6: colour: unknown field"},
		{"unknown field key", head + "lines:\n  HOOK:\n    event: harness.hook\n    fields:\n      attached: {key: a, type: bool, wat: 1}\n", "profile x.yaml:10: lines.HOOK.fields.attached.wat: unknown field"},
		{"not a number", head + "lines:\n  HOOK:\n    event: harness.hook\n    fields:\n      attached: {key: a, type: bool, scale: big}\n", "profile x.yaml:10: lines.HOOK.fields.attached.scale: `big` is not a valid float64"},
		{"bad type", head + "lines:\n  HOOK:\n    event: harness.hook\n    fields:\n      attached: {key: a, type: boolean}\n", `x.yaml:10: lines.HOOK.fields.attached.type: type "boolean"`},
		{"unit contradicts name", head + "lines:\n  HOOK:\n    event: harness.hook\n    fields:\n      height_m: {key: h, type: float, unit: cm}\n", `x.yaml:10: lines.HOOK.fields.height_m.unit: unit "cm" contradicts`},
		{"bad parity", "kind: cpr\nmodel: X\nframing: binary\nport: {baud: 9600, data_bits: 8, parity: ood, stop_bits: 1}\n", `x.yaml:4: port.parity: parity "ood"`},
		{"bad framing", "kind: cpr\nmodel: X\nframing: morse\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\n", `x.yaml:3: framing: framing "morse"`},
		{"lines on modbus", "kind: scba\nmodel: X\nframing: modbus-rtu\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nlines: {}\n", "x.yaml:3: framing: a modbus-rtu profile needs"},
		{"coil as float", "kind: scba\nmodel: X\nframing: modbus-rtu\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nmodbus:\n  slave: 1\n  poll_ms: 100\n  timeout_ms: 100\n  events:\n    - event: scba.pressure\n      fields:\n        mpa: {table: coil, address: 0, type: float}\n",
			"x.yaml:12: modbus.events.0.fields.mpa.type: a coil holds a bool"},
		{"empty", "", "x.yaml: empty"},
		{"not a mapping", "x\n", "profile x.yaml:1: `x` is not a valid profile"},
		{"trigger on a coil", "kind: scba\nmodel: X\nframing: modbus-rtu\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nmodbus:\n  slave: 1\n  poll_ms: 100\n  timeout_ms: 100\n  events:\n    - event: scba.seal\n      trigger: {table: coil, address: 3}\n      fields:\n        ok: {table: coil, address: 0, type: bool}\n",
			"x.yaml:11: modbus.events.0.trigger: a trigger is a counter"},
		{"ascii without length", modbusHead + "        model: {table: input, address: 100, format: ascii, type: string}\n",
			"x.yaml:12: modbus.events.0.fields.model.length: format ascii needs a length"},
		{"length without ascii", modbusHead + "        model: {table: input, address: 100, length: 12, type: string}\n",
			"x.yaml:12: modbus.events.0.fields.model.length: format ascii needs a length"},
		{"ascii as int", modbusHead + "        model: {table: input, address: 100, format: ascii, length: 12, type: int}\n",
			"x.yaml:12: modbus.events.0.fields.model.format: an ascii field is a string"},
		{"ascii from a coil", modbusHead + "        model: {table: coil, address: 100, format: ascii, length: 12, type: string}\n",
			"modbus.events.0.fields.model.table: a coil has no format"},
		{"on_connect with a trigger", "kind: scba\nmodel: X\nframing: modbus-rtu\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nmodbus:\n  slave: 1\n  poll_ms: 100\n  timeout_ms: 100\n  events:\n    - event: device.status\n      on_connect: true\n      trigger: {table: input, address: 3}\n      fields:\n        model: {table: input, address: 100, format: ascii, length: 12, type: string}\n",
			"x.yaml:11: modbus.events.0.on_connect: an on_connect event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestProfile_Check(t *testing.T) {
	p, err := Parse("h.yaml", []byte(`kind: harness
model: X
framing: lines
port: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}
line: {start: $, end: "\n"}
lines:
  HOOK:
    event: harness.hook
    fields:
      attached: {key: a, type: bool}
      height_m: {key: h, type: int}
`))
	if err != nil {
		t.Fatal(err)
	}
	err = p.Check(vocabulary(t))
	if err == nil || !strings.Contains(err.Error(), `harness.hook field "height_m" of type int: vocabulary has "float"`) {
		t.Errorf("Check = %v, want the type mismatch", err)
	}
}

// TestStream_KeyValueLines: the extinguisher's $TAG,key=value*CS lines,
// through the profile's decoder.
func TestStream_KeyValueLines(t *testing.T) {
	p, err := Load("extinguisher")
	if err != nil {
		t.Fatal(err)
	}
	f := func(kv ...string) []asciiline.Field {
		var fs []asciiline.Field
		for i := 0; i < len(kv); i += 2 {
			fs = append(fs, asciiline.Field{Key: kv[i], Value: kv[i+1]})
		}
		return fs
	}
	tests := []struct {
		name    string
		line    asciiline.Line
		want    Event
		wantErr bool
	}{
		{"position scaled", asciiline.Line{Tag: "EXPOS", Fields: f("d", "350", "up", "1", "t", "1200")},
			Event{"ext.position", map[string]any{"distance_m": 3.5, "upwind": true}, 1200 * time.Millisecond, true}, false},
		{"enum", asciiline.Line{Tag: "EXSPR", Fields: f("aim", "B", "sw", "NF", "rem", "80")},
			Event{Type: "ext.spray", Fields: map[string]any{"aim": "base", "sweep": "near-far", "remaining_pct": 80}, At: 7 * time.Second}, false},
		{"list sorted", asciiline.Line{Tag: "EXUNT", Fields: f("agent", "co2", "cls", "E|B")},
			Event{Type: "ext.unit", Fields: map[string]any{"agent": "co2", "classes": []string{"B", "E"}}, At: 7 * time.Second}, false},
		{"extra key ignored", asciiline.Line{Tag: "EXPIN", Fields: f("p", "0", "newkey", "x")},
			Event{Type: "ext.pin", Fields: map[string]any{"pulled": false}, At: 7 * time.Second}, false},
		{"unknown tag", asciiline.Line{Tag: "EXZZZ"}, Event{}, true},
		{"missing key", asciiline.Line{Tag: "EXPIN"}, Event{}, true},
		{"bool not 0/1", asciiline.Line{Tag: "EXPIN", Fields: f("p", "yes")}, Event{}, true},
		{"enum unknown", asciiline.Line{Tag: "EXSPR", Fields: f("aim", "X", "sw", "NF", "rem", "1")}, Event{}, true},
		{"int not integral", asciiline.Line{Tag: "EXSTP", Fields: f("rem", "4.5")}, Event{}, true},
		{"bad clock", asciiline.Line{Tag: "EXPIN", Fields: f("p", "1", "t", "-5")}, Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := asciiline.AppendLine(nil, tt.line)
			if err != nil {
				t.Fatal(err)
			}
			s, err := p.NewStream()
			if err != nil {
				t.Fatal(err)
			}
			s.Write(b, 7*time.Second)
			got, ok := s.Next()
			if ok == tt.wantErr {
				t.Fatalf("event %+v, %v; want refused %v", got, ok, tt.wantErr)
			}
			if tt.wantErr {
				if st := s.Stats(); st.Refused() != 1 || st.Dropped != int64(len(b)) {
					t.Errorf("stats %+v, want the line refused and its bytes dropped", st)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// event returns the profile's Modbus event of type typ.
func event(t *testing.T, p *Profile, typ string) *ModbusEvent {
	t.Helper()
	for _, e := range p.Modbus.Events {
		if e.Event == typ {
			return e
		}
	}
	t.Fatalf("profile %s has no %s event", p.Name, typ)
	return nil
}

// ascii packs s into n registers as the reference devices do: two
// characters per register, high byte first, NUL-padded.
func ascii(s string, n int) []uint16 {
	b := make([]byte, 2*n)
	copy(b, s)
	regs := make([]uint16, n)
	for i := range regs {
		regs[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return regs
}

func TestModbusMap_Decode(t *testing.T) {
	p, err := Load("board")
	if err != nil {
		t.Fatal(err)
	}
	regs := Registers{Coils: map[uint16]bool{}, Input: map[uint16]uint16{0: 4, 1: 2, 2: 1, 3: 1, 4: 1, 5: 2, 6: 0, 118: 100}}
	for _, b := range append(p.Modbus.Blocks(), p.Modbus.ConnectBlocks()...) {
		if b.Table == "coil" {
			for i := range b.Quantity {
				regs.Coils[b.Address+i] = false
			}
		}
	}
	for i, v := range ascii("SHICAO-BOARD-1", 8) {
		regs.Input[uint16(100+i)] = v
	}
	for i, v := range ascii("SIMBOARD0001", 6) {
		regs.Input[uint16(108+i)] = v
	}
	for i, v := range ascii("1.0.0", 4) {
		regs.Input[uint16(114+i)] = v
	}
	terms := event(t, p, "board.continuity").Fields["edges"].Terminals
	idx := func(a, b string) int {
		i, j := slices.Index(terms, a), slices.Index(terms, b)
		if i < 0 || j < 0 {
			t.Fatalf("terminal %s or %s not on the board", a, b)
		}
		return PairIndex(len(terms), i, j)
	}
	// The pin-level names tell the three phases apart: FR1.2-U1 is not
	// FR1.4-U1, and KM1.13 (a contact) is not KM1.A1 (the coil).
	regs.Coils[uint16(100+idx("L1", "QS1.1"))] = true
	regs.Coils[uint16(100+idx("U1", "FR1.2"))] = true
	regs.Coils[uint16(100+idx("SB3.3", "KM1.13"))] = true
	regs.Coils[1] = true
	want := map[string]map[string]any{
		"device.status":    {"model": "SHICAO-BOARD-1", "serial": "SIMBOARD0001", "firmware": "1.0.0", "battery_pct": 100},
		"board.power":      {"enabled": false, "on": true},
		"board.trip":       {"cause": "short"},
		"board.run":        {"mode": "jog", "ok": true},
		"board.terminal":   {"loose": 2, "exposed": 0},
		"board.continuity": {"edges": []string{"FR1.2-U1", "KM1.13-SB3.3", "L1-QS1.1"}},
	}
	if len(p.Modbus.Events) != len(want) {
		t.Errorf("%d events, want %d", len(p.Modbus.Events), len(want))
	}
	for _, e := range p.Modbus.Events {
		got, err := e.Decode(regs)
		if err != nil || !reflect.DeepEqual(got, want[e.Event]) {
			t.Errorf("%s = %v, %v; want %v", e.Event, got, err, want[e.Event])
		}
	}
	regs.Input[1] = 9
	if _, err := event(t, p, "board.trip").Decode(regs); err == nil {
		t.Error("trip cause 9 decoded; want an unknown enum code refused")
	}
}

func TestField_ValueASCII(t *testing.T) {
	f := &Field{Table: "input", Address: 10, Format: "ascii", Length: 5, Type: "string"}
	tests := []struct {
		name    string
		regs    []uint16
		want    string
		wantErr bool
	}{
		{"padded", ascii("1.2", 3), "1.2", false},
		{"full, odd length ignores the last low byte", []uint16{0x312E, 0x322E, 0x3399}, "1.2.3", false},
		{"empty: never programmed", ascii("", 3), "", false},
		{"control character", []uint16{0x3109, 0x0000, 0x0000}, "", true},
		{"text after the NUL", []uint16{0x3100, 0x3200, 0x0000}, "", true},
		{"not read", ascii("1.2", 2), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Registers{Input: map[uint16]uint16{}}
			for i, v := range tt.regs {
				r.Input[uint16(10+i)] = v
			}
			got, err := f.Value(r)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Errorf("Value = %q, %v; want ErrBadValue", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Value = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPairIndex(t *testing.T) {
	// Walk the matrix in the order edges reads it: indexes run 0, 1, 2...
	n, k := 6, 0
	for i := range n {
		for j := i + 1; j < n; j++ {
			if got := PairIndex(n, i, j); got != k || PairIndex(n, j, i) != k {
				t.Fatalf("PairIndex(%d,%d,%d) = %d, want %d", n, i, j, got, k)
			}
			k++
		}
	}
}

func TestModbusMap_Blocks(t *testing.T) {
	p, err := Load("board")
	if err != nil {
		t.Fatal(err)
	}
	got := p.Modbus.Blocks()
	// Coils 0-1 and the 1275-coil matrix at 100 (51 terminals) are too far
	// apart to join; the seven input registers make one read. The
	// provenance at 100-118 is not polled, only read on connecting.
	want := []Block{{"coil", 0, 2}, {"coil", 100, 1275}, {"input", 0, 7}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Blocks = %v, want %v", got, want)
	}
	if got, want := p.Modbus.ConnectBlocks(), []Block{{"input", 100, 19}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ConnectBlocks = %v, want %v", got, want)
	}
}
