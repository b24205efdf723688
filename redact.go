package paycools

import (
	"regexp"
	"strings"
)

var (
	// pemBlock is any PEM armor and its body: keys must never reach a log or an error.
	pemBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)`)
	// signField is a "sign" value in JSON or a query string.
	signField = regexp.MustCompile(`("sign"\s*:\s*")[^"]*(")|(sign=)[^&\s"]*`)
	// longBase64 is a run of base64 long enough to be a signature or a key (≥ 64 characters).
	longBase64 = regexp.MustCompile(`[A-Za-z0-9+/_\-]{64,}={0,2}`)
	// digitRun is a run of 6 or more digits, possibly grouped by spaces or dashes: an account
	// or card number, a mobile number.
	digitRun = regexp.MustCompile(`\d(?:[ \-]?\d){5,}`)
)

// redactText makes text from outside (a response body, an error from a server) safe for logs
// and error strings: PEM blocks, sign values and long base64 runs are removed, digit runs of 6
// or more are masked to their last 4 digits, and the result is cut to max characters.
func redactText(s string, max int) string {
	s = pemBlock.ReplaceAllString(s, "[key redacted]")
	s = signField.ReplaceAllString(s, "${1}${3}[redacted]${2}")
	s = longBase64.ReplaceAllString(s, "[redacted]")
	s = digitRun.ReplaceAllStringFunc(s, MaskAccountNumber)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// MaskAccountNumber masks an account number, card number or mobile number to its last four
// characters ("1234567890" → "******7890"), for logs and displays. Values of four characters
// or fewer are masked whole.
func MaskAccountNumber(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}
