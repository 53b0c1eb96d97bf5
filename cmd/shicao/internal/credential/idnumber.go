package credential

import (
	"fmt"
	"strings"
	"time"
)

// IDNumberError is a 身份证号 that ValidIDNumber refuses. It carries the
// sentence for the examiner in Chinese and in English, as a station
// refusal does; Error is English (logs).
type IDNumberError struct {
	Code string // stable, for tests and logs: "id-length", "id-digit", "id-birth", "id-check"
	ZH   string
	EN   string
}

func (e *IDNumberError) Error() string { return e.EN }

// Text returns the sentence in lang ("zh" or "en").
func (e *IDNumberError) Text(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.ZH
}

func idError(code, zh, en string, args ...any) *IDNumberError {
	return &IDNumberError{Code: code, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// ValidIDNumber checks a resident identity card number (身份证号) by
// GB 11643-1999: 17 digits, a valid birth date, and the ISO 7064 MOD 11-2
// check character (0-9 or X). It returns the normalised number (upper X),
// or an *IDNumberError that says which rule the number breaks.
func ValidIDNumber(s string) (string, *IDNumberError) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", idError("id-length", "身份证号应为18位，输入的是%d位", "an identity card number has 18 characters, this has %d", len([]rune(s)))
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", idError("id-digit", "身份证号前17位应为数字", "the first 17 characters of an identity card number are digits")
		}
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil {
		return "", idError("id-birth", "身份证号中的出生日期 %s 无效", "the birth date %s in the identity card number is not a date", s[6:14])
	}
	if s[17] != IDCheckChar(s[:17]) {
		return "", idError("id-check", "身份证号校验位错误，请核对证件", "the identity card number's check character is wrong: check the card")
	}
	return s, nil
}

// IDCheckChar computes the GB 11643 check character of 17 digits.
func IDCheckChar(first17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}
