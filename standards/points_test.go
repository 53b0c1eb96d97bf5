package standards_test

import (
	"encoding/json"
	"testing"

	"shicao/standards"
)

func TestParsePoints(t *testing.T) {
	tests := []struct {
		in      string
		want    standards.Points // in tenths
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "2", want: 20},
		{in: "0.5", want: 5},
		{in: "17.6", want: 176},
		{in: "100", want: 1000},
		{in: "100.0", want: 1000},
		{in: "07", want: 70},
		{in: "999999999.9", want: 9999999999},
		{in: "1000000000", wantErr: true}, // ten digits: far beyond any sheet
		{in: "99999999999999999999999", wantErr: true},
		{in: "0.25", wantErr: true}, // cannot be scored in tenths
		{in: "0.50", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "-0.5", wantErr: true},
		{in: "+1", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "1E1", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "1.", wantErr: true},
		{in: "1.2.3", wantErr: true},
		{in: " 1", wantErr: true},
		{in: "1,5", wantErr: true},
		{in: "１", wantErr: true}, // a full-width digit
		{in: "NaN", wantErr: true},
		{in: "Inf", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := standards.ParsePoints(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParsePoints(%q) = %d tenths, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePoints(%q) = %d, %v; want %d tenths", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestPoints_String(t *testing.T) {
	tests := []struct {
		p    standards.Points
		want string
	}{
		{0, "0"},
		{5, "0.5"},
		{20, "2"},
		{176, "17.6"},
		{1000, "100"},
		{-5, "-0.5"},
		{-176, "-17.6"},
		{-1000, "-100"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("Points(%d).String() = %q, want %q", int64(tt.p), got, tt.want)
			}
			// JSON carries the same text, and reads back to the same value.
			b, err := json.Marshal(tt.p)
			if err != nil || string(b) != tt.want {
				t.Fatalf("json.Marshal = %s, %v; want %s", b, err, tt.want)
			}
			var back standards.Points
			if err := json.Unmarshal(b, &back); err != nil || back != tt.p {
				t.Errorf("json.Unmarshal(%s) = %d, %v; want %d", b, back, err, tt.p)
			}
			if p, err := standards.ParsePoints(tt.want); tt.p >= 0 && (err != nil || p != tt.p) {
				t.Errorf("ParsePoints(String()) = %d, %v; want %d", p, err, tt.p)
			}
		})
	}
	if err := json.Unmarshal([]byte("0.25"), new(standards.Points)); err == nil {
		t.Error("json.Unmarshal accepted 0.25 points")
	}
}

// TestPoints_Weighted: a subject's score in the paper is the item score x
// weight / 100, rounded half up to 0.1 ("系统实际得分÷100×7.5").
func TestPoints_Weighted(t *testing.T) {
	pts := func(s string) standards.Points {
		p, err := standards.ParsePoints(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		score, weight, want string
	}{
		{"88", "20", "17.6"},   // exact
		{"100", "20", "20"},    // full marks
		{"0", "40", "0"},       // nothing
		{"100", "7.5", "7.5"},  // a fractional weight
		{"45", "13", "5.9"},    // 5.85: half up, where half-even would give 5.8
		{"35.3", "50", "17.7"}, // 17.65 up
		{"88.2", "20", "17.6"}, // 17.64 down
		{"88.3", "20", "17.7"}, // 17.66 up
		{"85", "7", "6"},       // 5.95 up to a whole point
		{"77.7", "7.5", "5.8"}, // 5.8275
		{"99.9", "33.3", "33.3"},
	}
	for _, tt := range tests {
		t.Run(tt.score+"x"+tt.weight, func(t *testing.T) {
			if got := pts(tt.score).Weighted(pts(tt.weight)); got != pts(tt.want) {
				t.Errorf("%s x %s%% = %s, want %s", tt.score, tt.weight, got, tt.want)
			}
		})
	}
}

// TestMeanHalfUp: examiners' manual deductions are averaged and rounded
// half up to 0.1.
func TestMeanHalfUp(t *testing.T) {
	tests := []struct {
		name string
		in   []standards.Points // tenths
		want standards.Points
	}{
		{"none", nil, 0},
		{"one", []standards.Points{20}, 20},
		{"agree", []standards.Points{20, 20}, 20},
		{"half point", []standards.Points{20, 30}, 25},
		{"0.15 up", []standards.Points{1, 2}, 2},
		{"0.05 up", []standards.Points{0, 1}, 1},
		{"1.33 down", []standards.Points{1, 1, 2}, 1},
		{"1.67 up", []standards.Points{2, 2, 1}, 2},
		{"three examiners 2, 3, 3 -> 2.67", []standards.Points{20, 30, 30}, 27},
		{"zeros", []standards.Points{0, 0, 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := standards.MeanHalfUp(tt.in); got != tt.want {
				t.Errorf("MeanHalfUp(%v) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
