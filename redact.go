package paycools

import (
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	// pemBlock is any PEM armor and its body: keys must never reach a log or an error.
	pemBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)`)
	// signField is a "sign" value in JSON or a query string, also when the text was cut before
	// its closing quote.
	signField = regexp.MustCompile(`("sign"\s*:\s*")[^"]*("|$)|(sign=)[^&\s"]*`)
	// longBase64 is a run of base64 long enough to be a signature or a key (≥ 64 characters).
	longBase64 = regexp.MustCompile(`[A-Za-z0-9+/_\-]{64,}={0,2}`)
	// credentialPair is a key=value pair (or a JSON "key":value member) whose key looks like a
	// credential: token, secret, password, credential, key, signature, authorization (X-Amz-
	// Security-Token=..., client_secret=..., "apiKey":"..."). A signer's or a server's error
	// may quote one; its value is removed.
	credentialPair = regexp.MustCompile(`(?i)([A-Za-z0-9_.\-]*(?:token|secret|passw(?:or)?d|pwd|credential|key|signature|authorization)[A-Za-z0-9_.\-]*)("?\s*=\s*|"\s*:\s*)("[^"]*("|$)|'[^']*('|$)|[^\s&,;"'}\]]+)`)
	// digitRun is a run of 6 or more digits, possibly grouped by spaces or dashes: an account
	// or card number, a mobile number.
	digitRun = regexp.MustCompile(`\d(?:[ \-]?\d){5,}`)
)

// redactText makes text from outside (a response body, an error from a server) safe for logs
// and error strings: PEM blocks, sign values, the values of credential-like key=value pairs
// and long base64 runs are removed, digit runs of 6 or more are masked to their last 4 digits,
// and the result is cut to max characters.
func redactText(s string, max int) string {
	s = pemBlock.ReplaceAllString(s, "[key redacted]")
	s = signField.ReplaceAllString(s, "${1}${3}[redacted]${2}")
	s = credentialPair.ReplaceAllString(s, "${1}${2}[redacted]")
	s = longBase64.ReplaceAllString(s, "[redacted]")
	s = digitRun.ReplaceAllStringFunc(s, MaskAccountNumber)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// Redact makes a text from outside the SDK safe to print or log, as the SDK's own error texts
// are: PEM blocks, sign values (JSON or query), the values of credential-like key=value pairs
// (token, secret, password, credential, key, ...) and base64 runs of 64 characters or more are
// removed, digit runs of 6 or more are masked to their last 4 digits, and white space is
// collapsed. Use it on a PayCools message (APIError.Message is the host's text, unredacted), a
// response body or a signer's error before showing it.
func Redact(s string) string { return redactText(s, math.MaxInt) }

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

// maskedLogValue is the LogValue of params and results that hold account numbers, mobile
// numbers or pay tokens: every non-zero field under its JSON name, the fields tagged
// log:"mask" masked to their last four characters, Extra as its key names only (its values
// may hold anything), and Raw left out (it holds the unmasked wire data).
func maskedLogValue(v any) slog.Value {
	return slog.GroupValue(maskedAttrs(reflect.ValueOf(v))...)
}

func maskedAttrs(v reflect.Value) []slog.Attr {
	v = reflect.Indirect(v)
	if v.Kind() != reflect.Struct {
		return nil
	}
	t := v.Type()
	var attrs []slog.Attr
	for i := 0; i < t.NumField(); i++ {
		sf, fv := t.Field(i), v.Field(i)
		if !sf.IsExported() || sf.Name == "Raw" || fv.IsZero() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			attrs = append(attrs, maskedAttrs(fv)...) // RequestFields, ResultMeta: their fields are the value's own
			continue
		}
		name := jsonName(sf)
		if name == "-" {
			name = sf.Name
		}
		if sf.Name == "Extra" && fv.Kind() == reflect.Map {
			keys := make([]string, 0, fv.Len())
			for _, k := range fv.MapKeys() {
				keys = append(keys, fmt.Sprint(k.Interface()))
			}
			sort.Strings(keys)
			attrs = append(attrs, slog.Any("extraKeys", keys))
			continue
		}
		if sf.Tag.Get("log") == "mask" {
			attrs = append(attrs, slog.String(name, MaskAccountNumber(fmt.Sprint(fv.Interface()))))
			continue
		}
		attrs = append(attrs, maskedAttr(name, fv))
	}
	return attrs
}

func maskedAttr(name string, fv reflect.Value) slog.Attr {
	if tv, ok := fv.Interface().(Time); ok {
		return slog.Time(name, tv.Time)
	}
	switch fv.Kind() {
	case reflect.String:
		return slog.String(name, fv.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return slog.Int64(name, fv.Int())
	case reflect.Bool:
		return slog.Bool(name, fv.Bool())
	case reflect.Pointer, reflect.Struct:
		return slog.Attr{Key: name, Value: slog.GroupValue(maskedAttrs(fv)...)}
	case reflect.Slice:
		if reflect.Indirect(reflect.New(fv.Type().Elem())).Kind() == reflect.Struct {
			items := make([]slog.Attr, fv.Len())
			for i := range items {
				items[i] = slog.Attr{Key: strconv.Itoa(i), Value: slog.GroupValue(maskedAttrs(fv.Index(i))...)}
			}
			return slog.Attr{Key: name, Value: slog.GroupValue(items...)}
		}
	}
	return slog.Any(name, fv.Interface())
}
