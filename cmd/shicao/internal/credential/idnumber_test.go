package credential_test

import (
	"testing"

	"shicao/cmd/shicao/internal/credential"
)

// TestValidIDNumber: a good number comes back normalised; each broken
// rule is named by its code, in Chinese and in English.
func TestValidIDNumber(t *testing.T) {
	tests := []struct {
		name, in, want, code, zh, en string
	}{
		{name: "OK", in: "370902199903081216", want: "370902199903081216"},
		{name: "LowerX", in: " 11010519491231002x ", want: "11010519491231002X"},
		{name: "Short", in: "37090219990308121", code: "id-length", zh: "身份证号应为18位，输入的是17位", en: "an identity card number has 18 characters, this has 17"},
		{name: "Letter", in: "3709021999030812A6", code: "id-digit", zh: "身份证号前17位应为数字", en: "the first 17 characters of an identity card number are digits"},
		{name: "BadDate", in: "370902199913081216", code: "id-birth", zh: "身份证号中的出生日期 19991308 无效", en: "the birth date 19991308 in the identity card number is not a date"},
		{name: "BadCheck", in: "370902199903081217", code: "id-check", zh: "身份证号校验位错误，请核对证件", en: "the identity card number's check character is wrong: check the card"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := credential.ValidIDNumber(tt.in)
			if tt.code == "" {
				if bad != nil || got != tt.want {
					t.Fatalf("ValidIDNumber(%q) = %q, %v; want %q", tt.in, got, bad, tt.want)
				}
				return
			}
			if bad == nil {
				t.Fatalf("ValidIDNumber(%q) = %q, want refusal %s", tt.in, got, tt.code)
			}
			if bad.Code != tt.code || bad.Text("zh") != tt.zh || bad.Text("en") != tt.en || bad.Error() != tt.en {
				t.Fatalf("ValidIDNumber(%q): %s %q / %q, want %s %q / %q", tt.in, bad.Code, bad.ZH, bad.EN, tt.code, tt.zh, tt.en)
			}
		})
	}
}

// TestIDCheckChar: the check characters of GB 11643-1999's examples.
func TestIDCheckChar(t *testing.T) {
	for first17, want := range map[string]byte{"11010519491231002": 'X', "37090219990308121": '6'} {
		if got := credential.IDCheckChar(first17); got != want {
			t.Errorf("IDCheckChar(%s) = %c, want %c", first17, got, want)
		}
	}
}
