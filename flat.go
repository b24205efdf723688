package paycools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The flat form of the PH dialect (docs/dialects.md §4.2): the business fields, appId and sign
// at the top level of one JSON object, signed over the canonical string of every sent field.
// One canonicalizer serves requests and callbacks, from one ordered list of (name, JSON value)
// pairs, so that what is signed is exactly what is sent or received.

// flatPair is one top-level member of a flat body: its name and its JSON value exactly as it
// is (or was) on the wire.
type flatPair struct {
	name string
	raw  []byte
}

// flatText returns the canonical text of one JSON value (§4.2 step 4) and whether the value is
// dropped from the string (null or ""). A string is its content, unquoted and unescaped; a
// number, true or false its literal; an array or object its compact JSON text.
func flatText(raw []byte) (text string, drop bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false, errors.New("empty JSON value")
	}
	switch raw[0] {
	case '"':
		if s, ok := plainJSONString(raw); ok {
			return s, s == "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, s == "", nil
	case 'n':
		if string(raw) == "null" {
			return "", true, nil
		}
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return "", false, err
		}
		return b.String(), false, nil
	}
	if !json.Valid(raw) {
		return "", false, fmt.Errorf("not a JSON value: %.40q", raw)
	}
	return string(raw), false, nil
}

// canonicalFlat is the signing string of a flat body (§4.2): every pair except sign whose value
// is not null or "", sorted by name in byte order, as name=text joined by &. Nothing is
// escaped. pairs is not modified.
func canonicalFlat(pairs []flatPair) ([]byte, error) {
	out, _, err := canonicalFlatTexts(pairs)
	return out, err
}

// canonicalFlatTexts is canonicalFlat that also returns each pair's text (by pair index; ""
// for a dropped pair), so that a caller needing the texts again does not decode twice.
func canonicalFlatTexts(pairs []flatPair) ([]byte, []string, error) {
	// Sorted pairs (every body the client builds) need no index to sort.
	sorted := slices.IsSortedFunc(pairs, func(a, b flatPair) int { return strings.Compare(a.name, b.name) })
	var idx []int
	if !sorted {
		idx = make([]int, 0, len(pairs))
	}
	texts := make([]string, len(pairs))
	size := 0
	for i, p := range pairs {
		if p.name == "sign" {
			continue
		}
		t, drop, err := flatText(p.raw)
		if err != nil {
			return nil, nil, fmt.Errorf("field %s: %w", p.name, err)
		}
		if drop {
			continue
		}
		texts[i] = t
		if !sorted {
			idx = append(idx, i)
		}
		size += len(p.name) + len(t) + 2
	}
	out := make([]byte, 0, size)
	add := func(i int) {
		if len(out) > 0 {
			out = append(out, '&')
		}
		out = append(out, pairs[i].name...)
		out = append(out, '=')
		out = append(out, texts[i]...)
	}
	if sorted {
		for i, p := range pairs {
			if p.name != "sign" && (texts[i] != "" || !mustDrop(p.raw)) {
				add(i)
			}
		}
		return out, texts, nil
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(pairs[a].name, pairs[b].name) })
	for _, i := range idx {
		add(i)
	}
	return out, texts, nil
}

// mustDrop reports whether a value whose text is empty is dropped (null or ""): an empty
// object or array ({} and [] have text) is never empty, so only these two are.
func mustDrop(raw []byte) bool { return flatDropped(raw) }

// flatDropped reports whether a JSON value is left out of a flat body (null or ""), without
// decoding it; a malformed value is reported by canonicalFlatTexts.
func flatDropped(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return string(raw) == "null" || string(raw) == `""`
}

// CanonicalFlatString returns the string a flat PH body is signed over (docs/dialects.md
// §4.2): every top-level field of the JSON object body except sign, null and "" values
// dropped, sorted by name in byte order, joined as name=value with &, string values raw and
// unescaped, numbers as their literal text, arrays and objects as compact JSON. It refuses a
// body that is not one JSON object or that repeats a name (compared ignoring case, "amount"
// and "Amount"). `paycools sign -flat` and tests use it; the client builds the same string
// from the same code.
func CanonicalFlatString(body []byte) (string, error) {
	pairs, err := parseFlatObject(body)
	if err != nil {
		return "", err
	}
	s, err := canonicalFlat(pairs)
	return string(s), err
}

// errDuplicateName is a flat object that repeats a top-level name, compared ignoring case: a
// JSON decoder matches names to fields ignoring case and keeps the last, so a second spelling
// that the canonical string drops (null or "") could still overwrite the signed value.
var errDuplicateName = errors.New("a top-level name occurs twice (compared ignoring case)")

// parseFlatObject reads one JSON object into its top-level pairs, in order, each value exactly
// as received. It refuses anything but a single object, and a name that repeats ignoring case
// ("amount" and "Amount"), as encoding/json and strings.EqualFold compare them.
func parseFlatObject(body []byte) ([]flatPair, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var pairs []flatPair
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, errors.New("not a JSON object")
		}
		k, _ := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("not a JSON object")
		}
		f := foldName(k)
		if seen[f] {
			return nil, fmt.Errorf("%w: %q", errDuplicateName, k)
		}
		seen[f] = true
		pairs = append(pairs, flatPair{k, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("not a JSON object")
	}
	if len(bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, errors.New("more than one JSON value")
	}
	return pairs, nil
}

// foldName returns a key that two names share exactly when strings.EqualFold holds for them
// (the comparison encoding/json uses to match a member to a field): every rune becomes the
// smallest rune of its case-folding orbit, so "k", "K" and the Kelvin sign all give "K".
func foldName(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b = utf8.AppendRune(b, least)
	}
	return string(b)
}

// repeatsName reports whether the JSON object b repeats a top-level name, compared ignoring
// case as parseFlatObject compares them, without decoding b when its names are plain ASCII
// (an envelope's param, on every callback). Anything else is left to parseFlatObject; a
// malformed object is reported false, for the decode to refuse.
func repeatsName(b []byte) bool {
	var small [32][]byte
	names := small[:0]
	i := skipJSONSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	if i = skipJSONSpace(b, i+1); i < len(b) && b[i] == '}' {
		return false
	}
	for {
		key, next, ok := scanPlainKey(b, i)
		if !ok || len(names) == len(small) {
			break
		}
		for _, n := range names {
			if foldsTo(key, string(n)) {
				return true
			}
		}
		names = append(names, key)
		if i = skipJSONSpace(b, next); i >= len(b) || b[i] != ':' {
			break
		}
		end, ok := skipCompactValue(b, skipJSONSpace(b, i+1))
		if !ok {
			break
		}
		if i = skipJSONSpace(b, end); i < len(b) && b[i] == ',' {
			i = skipJSONSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return false
		}
		break
	}
	_, err := parseFlatObject(b)
	return errors.Is(err, errDuplicateName)
}

// signedFlatView checks that the canonical string of a flat callback can be read back into
// members one way only, and returns the members it covers as one JSON object: what the
// decode, NotificationKey and the replay window read, so that they see nothing the signature
// does not cover. texts are canonicalFlatTexts' texts of pairs.
//
// The string is name=text pairs joined by & without escaping, so it is refused when a name
// holds & or =, or when a text holds "&x=" with x sorting after the member's own name (with
// no & or = in x): then the same string is also the signed string of a body in which x is a
// member of its own (a later member moved into this value, or this value split). Any two
// bodies that both pass this check and share a canonical string have the same members with
// the same texts.
//
// The view lists the members sorted by name, as the canonical string does, without sign and
// without null or "" members. Each value is a function of its text alone, so that a body that
// sends 503700 as "503700" gives the same view: a text that is a JSON number, or a compact JSON
// object or array, is that JSON value; any other text is a JSON string.
func signedFlatView(pairs []flatPair, texts []string) ([]byte, error) {
	idx := make([]int, 0, len(pairs))
	size := 2
	for i, p := range pairs {
		if p.name == "sign" || flatDropped(p.raw) {
			continue
		}
		if strings.ContainsAny(p.name, "&=") {
			return nil, fmt.Errorf("the name %.40q holds & or =", p.name)
		}
		if x, ok := splitsOff(p.name, texts[i]); ok {
			return nil, fmt.Errorf("the value of %.40q holds %.40q, which could be a member of its own", p.name, "&"+x+"=")
		}
		idx = append(idx, i)
		size += len(p.name) + len(texts[i]) + 8
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(pairs[a].name, pairs[b].name) })
	out := make([]byte, 0, size)
	out = append(out, '{')
	for k, i := range idx {
		if k > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, pairs[i].name)
		out = append(out, ':')
		out = appendFlatValue(out, texts[i])
	}
	return append(out, '}'), nil
}

// splitsOff returns the first x for which text holds "&x=" with x (free of & and =) sorting
// after name: the name of a member that the canonical string could hold inside this value.
func splitsOff(name, text string) (string, bool) {
	for rest := text; ; {
		i := strings.IndexByte(rest, '&')
		if i < 0 {
			return "", false
		}
		rest = rest[i+1:]
		j := strings.IndexAny(rest, "&=")
		if j >= 0 && rest[j] == '=' && rest[:j] > name {
			return rest[:j], true
		}
	}
}

// appendFlatValue appends the JSON value the view of signedFlatView gives a text: the text
// itself when it is a JSON number or a compact JSON object or array (flatText gives such a
// value back as the same text), else the text as a JSON string.
func appendFlatValue(dst []byte, text string) []byte {
	if text == "" {
		return appendJSONString(dst, text)
	}
	if c := text[0]; c == '-' || '0' <= c && c <= '9' || c == '{' || c == '[' {
		var b bytes.Buffer
		if json.Compact(&b, []byte(text)) == nil && b.String() == text {
			return append(dst, text...)
		}
	}
	return appendJSONString(dst, text)
}
