package paycools

// Hand-written JSON for the two shapes on the hot path: the request envelope the SDK writes
// and the callback body it reads. Both are a flat object of strings; encoding/json did the
// same work through reflection, and was most of what the SDK added to a call or a callback
// beyond the RSA operation. Each is held to encoding/json by tests and a fuzz target.

import "unicode/utf8"

// scanCallbackBody reads a callback body of the shape PayCools sends, one JSON object whose
// members are all JSON strings ({"appId":"...","param":"...","sign":"..."}), in a single pass
// and without reflection. It returns the unescaped bytes of param (a fresh slice that nothing
// else holds), sign and appId.
//
// It is a fast path only: ok is false for anything it does not handle (a member that is not a
// string, a \u escape, invalid UTF-8, a name that differs from param, sign or appId only in
// case, a name given twice, param or sign missing, anything after the object), and the caller
// then reads the body with encoding/json, whose result it equals whenever ok is true
// (FuzzScanCallbackBody checks this). It never decides that a body is bad.
func scanCallbackBody(body []byte) (param []byte, sign, appID string, ok bool) {
	if !isJSONObject(body) {
		return nil, "", "", false
	}
	i := skipJSONSpace(body, 0)
	var haveParam, haveSign, haveAppID bool
	i++
	for {
		i = skipJSONSpace(body, i)
		key, next, ok := scanPlainKey(body, i)
		if !ok {
			return nil, "", "", false
		}
		i = skipJSONSpace(body, next)
		if i >= len(body) || body[i] != ':' {
			return nil, "", "", false
		}
		i = skipJSONSpace(body, i+1)
		var value []byte
		if value, i, ok = scanJSONString(body, i); !ok {
			return nil, "", "", false
		}
		switch string(key) {
		case "param":
			if haveParam {
				return nil, "", "", false
			}
			param, haveParam = value, true
		case "sign":
			if haveSign {
				return nil, "", "", false
			}
			sign, haveSign = string(value), true
		case "appId":
			if haveAppID {
				return nil, "", "", false
			}
			appID, haveAppID = string(value), true
		default:
			// encoding/json matches member names to fields ignoring case: leave such
			// names to it.
			if foldsTo(key, "param") || foldsTo(key, "sign") || foldsTo(key, "appId") {
				return nil, "", "", false
			}
		}
		i = skipJSONSpace(body, i)
		if i >= len(body) {
			return nil, "", "", false
		}
		if body[i] == ',' {
			i++
			continue
		}
		if body[i] != '}' {
			return nil, "", "", false
		}
		if skipJSONSpace(body, i+1) != len(body) || !haveParam || !haveSign {
			return nil, "", "", false
		}
		return param, sign, appID, true
	}
}

// skipJSONSpace returns the index of the first byte at or after i that is not JSON white space.
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanPlainKey reads a member name at b[i] made of printable ASCII without escapes, and
// returns it (a sub-slice of b) and the index after its closing quote.
func scanPlainKey(b []byte, i int) (key []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// scanJSONString reads the JSON string at b[i] and returns its unescaped bytes in a new slice
// and the index after its closing quote. It handles the two-character escapes and valid
// UTF-8; a \u escape, a control character or invalid UTF-8 is not ok (encoding/json replaces
// bad UTF-8 and surrogates with U+FFFD: that is left to it).
func scanJSONString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	start := i + 1
	// Find the end first, so that the result is allocated once at its final size or less.
	end := start
	for end < len(b) && b[end] != '"' {
		if b[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(b) {
		return nil, 0, false
	}
	out := make([]byte, 0, end-start)
	for j := start; j < end; {
		c := b[j]
		switch {
		case c == '\\':
			var r byte
			switch b[j+1] {
			case '"', '\\', '/':
				r = b[j+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default: // \u and anything invalid
				return nil, 0, false
			}
			out = append(out, r)
			j += 2
		case c < 0x20:
			return nil, 0, false
		case c < utf8.RuneSelf:
			out = append(out, c)
			j++
		default:
			r, size := utf8.DecodeRune(b[j:end])
			if r == utf8.RuneError && size <= 1 {
				return nil, 0, false
			}
			out = append(out, b[j:j+size]...)
			j += size
		}
	}
	return out, end + 1, true
}

// foldsTo reports whether key equals name ignoring ASCII case (both are ASCII here).
func foldsTo(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := 0; i < len(key); i++ {
		if lowerASCII(key[i]) != lowerASCII(name[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// appendEnvelope appends the request body {"appId":...,"param":...,"sign":...} (docs/envelope.md §2),
// as json.Marshal of the three strings with HTML escaping off would write it.
func appendEnvelope(dst []byte, appID string, param []byte, sign string) []byte {
	dst = append(dst, `{"appId":`...)
	dst = appendJSONString(dst, appID)
	dst = append(dst, `,"param":`...)
	dst = appendJSONString(dst, param)
	dst = append(dst, `,"sign":`...)
	dst = appendJSONString(dst, sign)
	return append(dst, '}')
}

// appendJSONString appends src as a JSON string, byte for byte as encoding/json writes it with
// HTML escaping off (an Encoder with SetEscapeHTML(false)): `"` and `\` escaped, control
// characters as \b \f \n \r \t or \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 as
// \u2028 and \u2029. TestAppendJSONString holds it to that.
func appendJSONString[S []byte | string](dst []byte, src S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(src); {
		b := src[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, src[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(src[i:min(len(src), i+utf8.UTFMax)]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, src[start:]...)
	return append(dst, '"')
}
