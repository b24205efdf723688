package paycools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Amount is a sum of money in integer minor units: centavos for PHP (PHP 500.10 is 50010),
// sen for MYR, satang for THB, and whole rupiah for IDR. It is never a float.
//
// Amount encodes as a JSON integer. It decodes tolerantly, because PayCools editions disagree
// on the JSON type: a JSON integer or a string holding an integer ("50010", "-10004") is in
// minor units; null or "" is 0. A number or string with a decimal point ("500.10", 500.1,
// 500.00) is in major units (pesos) and is read exactly (50010, 50010, 50000), because an
// amount text with a decimal point is never minor units; more than two non-zero decimals, an
// exponent or anything else that is not a number is refused.
type Amount int64

// String renders the amount in major units with two decimals: Amount(50010) is "500.10".
// Use it for display of two-decimal currencies only; IDR amounts are whole rupiah.
func (a Amount) String() string {
	v := int64(a)
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = uint64(-v)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// UnmarshalJSON decodes the forms listed on Amount: an integer (a JSON number or a string) in
// minor units, a decimal text in major units read exactly, or null / "" (as 0). Anything
// else is an error and leaves the amount unchanged.
func (a *Amount) UnmarshalJSON(b []byte) error {
	n, err := decodeAmount(b)
	if err != nil {
		return fmt.Errorf("paycools: amount: %w", err)
	}
	*a = n
	return nil
}

// decodeAmount reads one JSON amount with the rule given on Amount.
func decodeAmount(b []byte) (Amount, error) {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		var err error
		if s, err = decodeString(b); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
	}
	if strings.Contains(s, ".") {
		// A decimal point means major units, quoted or not: nobody writes centavos as 500.00.
		return ParseAmount(s)
	}
	n, err := decodeInt(b)
	return Amount(n), err
}

// ParseAmount converts a decimal text in major units ("500.10", "500.1", "500") to an Amount
// in minor units (50010), exactly, without going through float64. A value with more than two
// non-zero decimals is an error; nothing is rounded.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	orig := s
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && !allDigits(frac)) {
		return 0, fmt.Errorf("paycools: amount %q is not a decimal number", orig)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, fmt.Errorf("paycools: amount %q has more than two decimals", orig)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<63-1)/100-1 {
		return 0, fmt.Errorf("paycools: amount %q is out of range", orig)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := w*100 + f
	if neg {
		v = -v
	}
	return Amount(v), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodeInt reads the tolerant integer forms of docs/envelope.md §8: a JSON integer, a string holding
// one, a number with a zero fraction, null or "" (0).
func decodeInt(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, nil
	}
	s := string(b)
	if b[0] == '"' {
		var err error
		if s, err = decodeString(b); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	// A number with a zero fraction or an exponent that still is an integer: 100.0, 1e3.
	whole, frac, ok := strings.Cut(s, ".")
	if ok && strings.Trim(frac, "0") == "" {
		if n, err := strconv.ParseInt(whole, 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%.40q is not an integer", s)
}

// phTime is the fixed UTC+8 zone in which PayCools writes zone-less timestamps (Philippine
// time). A fixed zone needs no tzdata.
var phTime = time.FixedZone("UTC+8", 8*60*60)

// WireTimeLayout is the layout of PayCools' zone-less timestamps, read as UTC+8.
const WireTimeLayout = "2006-01-02 15:04:05"

// Time is a PayCools timestamp. It embeds time.Time and decodes every form PayCools sends:
// "yyyy-MM-dd HH:mm:ss" (read as Philippine time, UTC+8), ISO-8601 / RFC 3339 with an offset
// ("2024-07-19T14:14:47+08:00", "…Z", "+0800" without a colon, fractional seconds),
// "yyyy-MM-dd" (midnight UTC+8), epoch numbers (10 digits seconds, 13 digits milliseconds),
// and null or "" (the zero time).
type Time struct {
	time.Time
}

// UnmarshalJSON decodes any of the forms listed on Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	if b[0] != '"' {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("paycools: time %.40q is not a timestamp", b)
		}
		t.Time = epochTime(n)
		return nil
	}
	s, err := decodeString(b)
	if err != nil {
		return fmt.Errorf("paycools: time: %w", err)
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes the time as PayCools does, "yyyy-MM-dd HH:mm:ss" in UTC+8; the zero
// time is written as "". A year outside 0000-9999 is an error, as with time.Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte(`""`), nil
	}
	if y := t.In(phTime).Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("paycools: time year %d is outside 0000-9999", y)
	}
	return []byte(`"` + t.In(phTime).Format(WireTimeLayout) + `"`), nil
}

func epochTime(n int64) time.Time {
	if n > 1e11 || n < -1e11 {
		return time.UnixMilli(n).In(phTime)
	}
	return time.Unix(n, 0).In(phTime)
}

var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
}

// ParseTime parses one PayCools time text in any of the forms listed on Time. The empty
// string gives the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if allDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return epochTime(n), nil
		}
	}
	for _, layout := range []string{WireTimeLayout, "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if v, err := time.ParseInLocation(layout, s, phTime); err == nil {
			return v, nil
		}
	}
	for _, layout := range isoLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("paycools: time %.40q is in no known PayCools format", s)
}

// CountryCode is the country of an operation or account, as PayCools spells it.
type CountryCode string

// Country codes PayCools uses.
const (
	CountryPH CountryCode = "PH" // the Philippines
	CountryID CountryCode = "ID" // Indonesia
	CountryMY CountryCode = "MY" // Malaysia
	CountryTH CountryCode = "TH" // Thailand
	CountryRU CountryCode = "RU" // Russia (seen in other families' sources)
)

// Currency is an ISO 4217 currency code as PayCools sends it.
type Currency string

// Currencies PayCools uses.
const (
	CurrencyPHP Currency = "PHP" // Philippine peso; amounts in centavos
	CurrencyIDR Currency = "IDR" // Indonesian rupiah; amounts in whole rupiah
	CurrencyMYR Currency = "MYR" // Malaysian ringgit; amounts in sen
	CurrencyTHB Currency = "THB" // Thai baht; amounts in satang
	CurrencyRUB Currency = "RUB" // Russian rouble (seen in other families' sources)
)

// TransactionStatus is the state of a transaction: a payout, a statement record, a VA, QR,
// bank-transfer or web payment, a checkout order or a direct debit charge. It is the type of
// every field named TransactionStatus (and of PaymentRecord.Status and PayoutRecord.Status),
// so one helper takes any of them. Decoding is case-insensitive and turns the spellings seen
// in other editions into the canonical constant (COMPLETE and SUCCESS → COMPLETED, FAIL →
// FAILED); any other value is kept verbatim and is not final.
type TransactionStatus string

// Transaction states. Not every resource uses every state: CLOSED is a checkout order's,
// PROCESSING a direct debit charge's.
const (
	// TransactionStatusPending: accepted, the result is not known yet (not final).
	TransactionStatusPending TransactionStatus = "PENDING"
	// TransactionStatusProcessing is the Alipay+ word for the same state as PENDING, seen on
	// direct debit charges (not in PayCools docs; accepted defensively). Not final.
	TransactionStatusProcessing TransactionStatus = "PROCESSING"
	// TransactionStatusCompleted: final, the money moved.
	TransactionStatusCompleted TransactionStatus = "COMPLETED"
	// TransactionStatusFailed: final, no money moved.
	TransactionStatusFailed TransactionStatus = "FAILED"
	// TransactionStatusClosed: final, a checkout order closed by Checkout.Close before it
	// was paid; no money moved.
	TransactionStatusClosed TransactionStatus = "CLOSED"
)

var transactionStatusSpellings = map[string]string{
	"PENDING": "PENDING", "PROCESSING": "PROCESSING",
	"COMPLETED": "COMPLETED", "COMPLETE": "COMPLETED", "SUCCESS": "COMPLETED",
	"FAILED": "FAILED", "FAIL": "FAILED",
	"CLOSED": "CLOSED",
}

// UnmarshalJSON decodes the status, normalising the spellings listed on TransactionStatus.
func (s *TransactionStatus) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, transactionStatusSpellings)
	if err != nil {
		return err
	}
	*s = TransactionStatus(v)
	return nil
}

// Final reports whether the status is final: COMPLETED, FAILED or CLOSED. PENDING,
// PROCESSING and unknown values are not.
func (s TransactionStatus) Final() bool {
	return s == TransactionStatusCompleted || s == TransactionStatusFailed || s == TransactionStatusClosed
}

// TerminalType says where the payer opens a PayCools page.
type TerminalType string

// Terminal types.
const (
	TerminalTypeWeb TerminalType = "WEB" // desktop browser
	TerminalTypeWAP TerminalType = "WAP" // mobile browser; needs an OSType
	TerminalTypeApp TerminalType = "APP" // mobile app (sibling edition); needs an OSType
)

// OSType is the payer's mobile operating system, required for WAP (and APP) terminals.
type OSType string

// Mobile operating systems.
const (
	OSTypeIOS     OSType = "IOS"
	OSTypeAndroid OSType = "ANDROID"
)

// decodeEnum decodes a JSON string (or number, or null) into an enum value. The lookup is
// case-insensitive over the keys of spellings (which must be upper case) and maps each
// spelling to its canonical value; an unknown value is kept verbatim.
func decodeEnum(b []byte, spellings map[string]string) (string, error) {
	s, err := decodeString(b)
	if err != nil {
		return "", err
	}
	if canon, ok := spellings[strings.ToUpper(strings.TrimSpace(s))]; ok {
		return canon, nil
	}
	return s, nil
}

// decodeString reads a JSON string, a JSON number (kept as its literal text) or null ("").
func decodeString(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return "", nil
	}
	if b[0] == '"' {
		if s, ok := plainJSONString(b); ok {
			return s, nil
		}
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') {
		var n json.Number
		if err := json.Unmarshal(b, &n); err == nil {
			return n.String(), nil
		}
	}
	return "", errors.New("not a string")
}

// plainJSONString decodes a JSON string of printable ASCII without escapes, the usual case,
// without the cost of json.Unmarshal; ok is false for anything else.
func plainJSONString(b []byte) (s string, ok bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(in), true
}

func itoa(n int) string { return strconv.Itoa(n) }
