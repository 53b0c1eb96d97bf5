package standards

import (
	"fmt"
	"strconv"
	"strings"
)

// Points is a score or deduction with one decimal digit, held as an integer
// number of tenths so that every sum and comparison is exact. Published
// sheets use half points (0.5) and nothing finer.
type Points int64

// PointsOf returns whole points as Points.
func PointsOf(whole int64) Points { return Points(whole * 10) }

// ParsePoints reads a non-negative decimal with at most one digit after the
// point ("2", "0.5", "17.6"). Signs, exponents and finer decimals are refused:
// a standard that says 0.25 cannot be scored exactly and is an error.
func ParsePoints(s string) (Points, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) {
		return 0, fmt.Errorf("%q is not a non-negative decimal", s)
	}
	if hasFrac && (len(frac) != 1 || !allDigits(frac)) {
		return 0, fmt.Errorf("%q: points have at most one decimal digit", s)
	}
	if len(whole) > 9 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	p := Points(w * 10)
	if hasFrac {
		p += Points(frac[0] - '0')
	}
	return p, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats p with one decimal digit when it has one: "100", "17.6".
func (p Points) String() string {
	neg := ""
	if p < 0 {
		neg, p = "-", -p
	}
	if p%10 == 0 {
		return neg + strconv.FormatInt(int64(p/10), 10)
	}
	return neg + strconv.FormatInt(int64(p/10), 10) + "." + strconv.FormatInt(int64(p%10), 10)
}

// MarshalJSON writes p as a JSON number with at most one decimal digit.
func (p Points) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number written by MarshalJSON.
func (p *Points) UnmarshalJSON(b []byte) error {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	v, err := ParsePoints(strings.TrimPrefix(s, "-"))
	if err != nil {
		return err
	}
	if neg {
		v = -v
	}
	*p = v
	return nil
}

// Weighted returns p scaled by weight/100 and rounded half up to 0.1, the
// rule of every published paper ("系统实际得分÷100×7.5"). Both p and weight are
// in tenths, so the exact product is in thousandths of a point.
func (p Points) Weighted(weight Points) Points {
	x := int64(p) * int64(weight) // hundredths of tenths: p*w/1000 tenths
	if x < 0 {
		return -Points((-x + 500) / 1000)
	}
	return Points((x + 500) / 1000)
}

// MeanHalfUp returns the mean of vs rounded half up to 0.1 (examiners'
// manual deductions are averaged, per patent CN108924082B).
func MeanHalfUp(vs []Points) Points {
	if len(vs) == 0 {
		return 0
	}
	var sum int64
	for _, v := range vs {
		sum += int64(v)
	}
	n := int64(len(vs))
	if sum < 0 {
		return -Points((-2*sum + n) / (2 * n))
	}
	return Points((2*sum + n) / (2 * n))
}
