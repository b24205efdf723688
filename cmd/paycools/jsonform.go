package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// jvalue is a JSON value that keeps the order of object keys and the literal text of numbers,
// so that doctor can re-serialize a param the ways other encoders do and compare bytes.
type jvalue struct {
	kind  byte      // 'o' object, 'a' array, 's' string, 'l' literal (number, true, false, null)
	keys  []string  // object keys, in order
	vals  []*jvalue // object values (parallel to keys) or array elements
	str   string    // decoded string
	token string    // literal text of a number or keyword
}

// parseOrdered parses one JSON value, keeping key order and number literals.
func parseOrdered(b []byte) (*jvalue, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := readValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func readValue(dec *json.Decoder) (*jvalue, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &jvalue{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				ev, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, k)
				v.vals = append(v.vals, ev)
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return v, nil
		case '[':
			v := &jvalue{kind: 'a'}
			for dec.More() {
				ev, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				v.vals = append(v.vals, ev)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return v, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &jvalue{kind: 's', str: t}, nil
	case json.Number:
		return &jvalue{kind: 'l', token: t.String()}, nil
	case bool:
		return &jvalue{kind: 'l', token: fmt.Sprint(t)}, nil
	case nil:
		return &jvalue{kind: 'l', token: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", t)
}

// jsonStyle is one way an encoder writes JSON.
type jsonStyle struct {
	sortKeys    bool   // keys in byte order (Go maps, Jackson ORDER_MAP_ENTRIES_BY_KEYS, sort_keys=True)
	escapeHTML  bool   // <, >, & as \u003c, \u003e, \u0026 (Go json.Marshal)
	asciiOnly   bool   // non-ASCII as \uXXXX (Python ensure_ascii, PHP json_encode)
	escapeSlash bool   // / as \/ (PHP json_encode)
	spacing     string // "" compact, "spaced" for ", " and ": " (Python json.dumps), "indent" for two-space pretty printing
	newline     bool   // a trailing "\n" (json.Encoder, echo, editors)
}

// describe names the style in words, for doctor's messages.
func (st jsonStyle) describe() string {
	var parts []string
	switch st.spacing {
	case "":
		parts = append(parts, "compact")
	case "spaced":
		parts = append(parts, `with a space after "," and ":" (Python json.dumps default)`)
	case "indent":
		parts = append(parts, "pretty-printed with indentation")
	}
	if st.sortKeys {
		parts = append(parts, "keys sorted (a map was re-marshalled)")
	} else {
		parts = append(parts, "keys in the order sent")
	}
	if st.escapeHTML {
		parts = append(parts, `<, > and & escaped as \u003c, \u003e, \u0026 (Go json.Marshal default; use json.Encoder with SetEscapeHTML(false))`)
	}
	if st.asciiOnly {
		parts = append(parts, `non-ASCII characters escaped as \uXXXX (Python ensure_ascii, PHP json_encode)`)
	}
	if st.escapeSlash {
		parts = append(parts, `"/" escaped as "\/" (PHP json_encode without JSON_UNESCAPED_SLASHES)`)
	}
	if st.newline {
		parts = append(parts, "with a trailing newline (json.Encoder output)")
	}
	return strings.Join(parts, ", ")
}

// jsonStyles is every style doctor tries, most common first.
func jsonStyles() []jsonStyle {
	var out []jsonStyle
	for _, spacing := range []string{"", "spaced", "indent"} {
		for _, sortKeys := range []bool{false, true} {
			for _, escapeHTML := range []bool{false, true} {
				for _, asciiOnly := range []bool{false, true} {
					for _, escapeSlash := range []bool{false, true} {
						for _, newline := range []bool{false, true} {
							out = append(out, jsonStyle{sortKeys, escapeHTML, asciiOnly, escapeSlash, spacing, newline})
						}
					}
				}
			}
		}
	}
	return out
}

// encode writes v in style st.
func (st jsonStyle) encode(v *jvalue) []byte {
	var b bytes.Buffer
	st.write(&b, v, 0)
	if st.newline {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func (st jsonStyle) write(b *bytes.Buffer, v *jvalue, depth int) {
	switch v.kind {
	case 'l':
		b.WriteString(v.token)
	case 's':
		st.writeString(b, v.str)
	case 'a', 'o':
		open, close := byte('['), byte(']')
		if v.kind == 'o' {
			open, close = '{', '}'
		}
		b.WriteByte(open)
		if len(v.vals) == 0 {
			b.WriteByte(close)
			return
		}
		order := make([]int, len(v.vals))
		for i := range order {
			order[i] = i
		}
		if v.kind == 'o' && st.sortKeys {
			sort.SliceStable(order, func(i, j int) bool { return v.keys[order[i]] < v.keys[order[j]] })
		}
		for n, i := range order {
			if n > 0 {
				b.WriteByte(',')
				if st.spacing == "spaced" {
					b.WriteByte(' ')
				}
			}
			if st.spacing == "indent" {
				b.WriteByte('\n')
				b.WriteString(strings.Repeat("  ", depth+1))
			}
			if v.kind == 'o' {
				st.writeString(b, v.keys[i])
				b.WriteByte(':')
				if st.spacing != "" {
					b.WriteByte(' ')
				}
			}
			st.write(b, v.vals[i], depth+1)
		}
		if st.spacing == "indent" {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat("  ", depth))
		}
		b.WriteByte(close)
	}
}

func (st jsonStyle) writeString(b *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		b.WriteByte(hexDigits[r>>12&0xf])
		b.WriteByte(hexDigits[r>>8&0xf])
		b.WriteByte(hexDigits[r>>4&0xf])
		b.WriteByte(hexDigits[r&0xf])
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			u(r)
		case st.escapeHTML && (r == '<' || r == '>' || r == '&'):
			u(r)
		case st.escapeSlash && r == '/':
			b.WriteString(`\/`)
		case r == '\u2028' || r == '\u2029':
			if st.escapeHTML || st.asciiOnly {
				u(r)
			} else {
				b.WriteRune(r)
			}
		case st.asciiOnly && r >= utf8.RuneSelf:
			if r > 0xffff {
				r -= 0x10000
				u(0xd800 + (r>>10)&0x3ff)
				u(0xdc00 + r&0x3ff)
			} else {
				u(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// legacyKV renders a param object in the sorted "k=v&k=v" form of the older Philippine
// edition (docs/envelope.md, Background): fields sorted by name, null and empty values dropped, values
// raw, nested values as compact JSON. extra fields (appId) join the sort.
func legacyKV(v *jvalue, extra map[string]string) string {
	pairs := map[string]string{}
	for k, val := range extra {
		if val != "" {
			pairs[k] = val
		}
	}
	if v != nil && v.kind == 'o' {
		for i, k := range v.keys {
			val := v.vals[i]
			switch {
			case val.kind == 's':
				if val.str != "" {
					pairs[k] = val.str
				}
			case val.kind == 'l':
				if val.token != "null" {
					pairs[k] = val.token
				}
			default:
				pairs[k] = string(jsonStyle{}.encode(val))
			}
		}
	}
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(k + "=" + pairs[k])
	}
	return sb.String()
}
