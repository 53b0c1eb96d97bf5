package standards

import (
	"fmt"
	"time"
)

// Date is a calendar date (YYYY-MM-DD) with no time zone: exam dates are
// local dates at the exam site.
type Date struct{ Y, M, D int }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t.Year(), int(t.Month()), t.Day()}, nil
}

func (d Date) String() string               { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }
func (d Date) IsZero() bool                 { return d == Date{} }
func (d Date) Before(e Date) bool           { return d.Y*10000+d.M*100+d.D < e.Y*10000+e.M*100+e.D }
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	*d = v
	return err
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), int(t.Month()), t.Day()} }
