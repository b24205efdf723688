package paycools

// A flat request laid out: the params' fields under the dialect's names, only those the row
// lists, appId, appName and timestamp where listed, Extra, sorted and signed (flat.go holds the
// canonical string both directions share).

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// flatAttempt is the wire form of one attempt of a flat operation: the JSON body (POST) or the
// encoded query (GET), and the string that was signed.
type flatAttempt struct {
	body   []byte
	query  string
	signed []byte // the canonical k=v string the sign covers
}

// buildFlat lays out one attempt of a flat operation (docs/dialects.md §3, §4.2, §5, §8): the
// params' fields under their PH names, only those the row lists, plus appId, appName (when
// listed), timestamp (when listed: the caller's, else the clock's, in milliseconds) and Extra
// (merged last; validation refused any key the params model); null and "" dropped; sorted. It signs the canonical string and
// returns the body, or the query for a GET.
func (c *Client) buildFlat(op Operation, ep *endpoint, base []byte, ts int64, extra map[string]any) (flatAttempt, error) {
	fields, ok := scanCompactObject(base)
	if !ok {
		var err error
		if fields, err = parseFlatObject(base); err != nil {
			return flatAttempt{}, err
		}
	}
	renames := ep.renames
	pairs := make([]flatPair, 0, len(ep.fields)+3)
	for _, f := range fields {
		name := phName(renames, f.name, fields)
		if name == "" {
			continue
		}
		if listed, _ := ep.lists(name); !listed {
			continue
		}
		pairs = append(pairs, flatPair{name, f.raw})
	}
	pairs = append(pairs, flatPair{"appId", c.quotedAppID})
	if listed, _ := ep.lists("appName"); listed && c.appName != "" && !hasPair(pairs, "appName") {
		pairs = append(pairs, flatPair{"appName", c.quotedAppName})
	}
	if listed, _ := ep.lists("timestamp"); listed && !hasPair(pairs, "timestamp") {
		if ts == 0 {
			ts = c.clock().UnixMilli()
		}
		pairs = append(pairs, flatPair{"timestamp", strconv.AppendInt(nil, ts, 10)})
	}
	if len(extra) > 0 {
		for _, k := range slices.Sorted(maps.Keys(extra)) {
			raw, err := marshalCompact(extra[k])
			if err != nil {
				return flatAttempt{}, fmt.Errorf("extra field %q: %v", k, err)
			}
			pairs = setPair(pairs, k, raw)
		}
	}
	kept := pairs[:0]
	for _, p := range pairs {
		if !flatDropped(p.raw) {
			kept = append(kept, p)
		}
	}
	pairs = kept
	slices.SortFunc(pairs, func(a, b flatPair) int { return strings.Compare(a.name, b.name) })
	msg, texts, err := canonicalFlatTexts(pairs)
	if err != nil {
		return flatAttempt{}, err
	}
	sign, err := signParam(c.signer, msg)
	if err != nil {
		return flatAttempt{}, err
	}
	if ep.method == "GET" {
		var q strings.Builder
		for i, p := range pairs {
			q.WriteString(url.QueryEscape(p.name))
			q.WriteByte('=')
			q.WriteString(url.QueryEscape(texts[i]))
			q.WriteByte('&')
		}
		q.WriteString("sign=")
		q.WriteString(url.QueryEscape(sign))
		return flatAttempt{query: q.String(), signed: msg}, nil
	}
	body := make([]byte, 0, len(msg)+len(sign)+16*len(pairs)+16)
	body = append(body, '{')
	for _, p := range pairs {
		body = appendJSONString(body, p.name)
		body = append(body, ':')
		body = append(body, p.raw...)
		body = append(body, ',')
	}
	body = append(body, `"sign":`...)
	body = appendJSONString(body, sign)
	body = append(body, '}')
	return flatAttempt{body: body, signed: msg}, nil
}

// scanCompactObject splits compact JSON that encoding/json wrote (the params struct) into its
// top-level pairs without a decoder: names of printable ASCII without escapes, values
// skipped by their shape. It is a fast path only: ok is false for anything else, and the caller
// then uses parseFlatObject.
func scanCompactObject(b []byte) ([]flatPair, bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, false
	}
	i := 1
	if b[i] == '}' {
		return nil, i == len(b)-1
	}
	pairs := make([]flatPair, 0, 16)
	for {
		key, next, ok := scanPlainKey(b, i)
		if !ok || next >= len(b) || b[next] != ':' {
			return nil, false
		}
		start := next + 1
		end, ok := skipCompactValue(b, start)
		if !ok {
			return nil, false
		}
		pairs = append(pairs, flatPair{string(key), b[start:end:end]})
		switch {
		case end < len(b)-1 && b[end] == ',':
			i = end + 1
		case end == len(b)-1:
			return pairs, true
		default:
			return nil, false
		}
	}
}

// skipCompactValue returns the index after the compact JSON value at b[i].
func skipCompactValue(b []byte, i int) (int, bool) {
	depth, inStr := 0, false
	for j := i; j < len(b); j++ {
		c := b[j]
		switch {
		case inStr:
			if c == '\\' {
				j++
			} else if c == '"' {
				inStr = false
				if depth == 0 {
					return j + 1, true
				}
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return j, j > i
			}
			depth--
			if depth == 0 {
				return j + 1, true
			}
		case c == ',' && depth == 0:
			return j, j > i
		}
	}
	return 0, false
}

// phName is the name a Go params field (by its open-api JSON name) is sent under in a dialect,
// after the dialect's renames (a conditional one applies when the other field has the value).
// It is "" when a conditional rename exists for the field but no condition holds (3.1's
// transferCode with SCANQR).
func phName(renames []rename, name string, fields []flatPair) string {
	conditional := false
	for _, r := range renames {
		if r.from != name {
			continue
		}
		if r.whenField == "" {
			return r.to
		}
		conditional = true
		for _, f := range fields {
			if f.name == r.whenField {
				if t, _, err := flatText(f.raw); err == nil && t == r.whenValue {
					return r.to
				}
			}
		}
	}
	if conditional {
		return ""
	}
	return name
}

func hasPair(pairs []flatPair, name string) bool {
	for _, p := range pairs {
		if p.name == name {
			return true
		}
	}
	return false
}

// setPair replaces the value of name, or appends the pair.
func setPair(pairs []flatPair, name string, raw []byte) []flatPair {
	for i := range pairs {
		if pairs[i].name == name {
			pairs[i].raw = raw
			return pairs
		}
	}
	return append(pairs, flatPair{name, raw})
}

func quoteJSON(s string) []byte { return appendJSONString(nil, s) }
