package paycools

// Building and signing one attempt: the params encoded once, param stamped and merged with
// Extra, the envelope signed per EnvelopeSigning (flat bodies: flat.go), path placeholders.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// buildEnvelope makes the param of one attempt (fresh timestamp) and signs it with the
// client's EnvelopeSigning.
func (c *Client) buildEnvelope(op Operation, ep *endpoint, base []byte, ts int64, extra map[string]any) (wireRequest, error) {
	param, err := buildParam(base, ts, extra, c.clock)
	if err != nil {
		return wireRequest{}, &ValidationError{Operation: op, Fields: []FieldError{{Field: "Extra", Problem: err.Error()}}}
	}
	msg := param
	if c.envSigning == EnvelopeSignsAppIDAndParam {
		msg = envelopeMessage(c.appID, param)
	}
	sign, err := signParam(c.signer, msg)
	if err != nil {
		return wireRequest{}, err
	}
	path, err := fillPath(ep.path, param)
	if err != nil {
		return wireRequest{}, &ValidationError{Operation: op, Fields: []FieldError{{Field: "path", Problem: err.Error()}}}
	}
	return wireRequest{path: path, param: param, sign: sign}, nil
}

// envelopeMessage is the EnvelopeSignsAppIDAndParam message: "appId=" + appId + "&param=" +
// param, with no encoding and no sorting (docs/dialects.md §4.1).
func envelopeMessage(appID string, param []byte) []byte {
	m := make([]byte, 0, len(appID)+len(param)+13)
	m = append(m, "appId="...)
	m = append(m, appID...)
	m = append(m, "&param="...)
	return append(m, param...)
}

// envelopeAppName adds the client's WithAppName to an envelope operation whose row lists
// appName when neither the params nor Extra carry one.
func (c *Client) envelopeAppName(ep *endpoint, base []byte, extra map[string]any) map[string]any {
	if c.appName == "" {
		return extra
	}
	if listed, _ := ep.lists("appName"); !listed {
		return extra
	}
	if v, ok := extra["appName"]; ok && v != nil && v != "" {
		return extra
	}
	if bytes.Contains(base, []byte(`"appName":"`)) && !bytes.Contains(base, []byte(`"appName":""`)) {
		return extra
	}
	m := make(map[string]any, len(extra)+1)
	for k, v := range extra {
		m[k] = v
	}
	m["appName"] = c.appName
	return m
}

// encodeParams serializes a params struct once: compact JSON without HTML escaping, its
// Timestamp (0 when the clock must fill it) and its Extra map.
func encodeParams(params any) (base []byte, ts int64, extra map[string]any, err error) {
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return []byte("{}"), 0, nil, nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, 0, nil, fmt.Errorf("params of type %T are not a struct", params)
	}
	if rf := requestFieldsOf(params); rf != nil {
		ts, extra = rf.Timestamp, rf.Extra
	}
	base, err = marshalCompact(params)
	if err != nil {
		return nil, 0, nil, err
	}
	if len(base) < 2 || base[0] != '{' {
		return nil, 0, nil, errors.New("params do not serialize to a JSON object")
	}
	return base, ts, extra, nil
}

// marshalCompact is json.Marshal without HTML escaping and without the trailing newline.
func marshalCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// buildParam returns the exact param bytes of one attempt: the struct's fields, then
// timestamp (the caller's, or the clock's in milliseconds, fresh on every attempt), then the
// Extra entries (docs/envelope.md §3; validation refused any Extra key the params model, and
// timestamp).
func buildParam(base []byte, ts int64, extra map[string]any, clock func() time.Time) ([]byte, error) {
	out := make([]byte, 0, len(base)+64)
	out = append(out, base[:len(base)-1]...)
	hasFields := len(bytes.TrimSpace(base[1:len(base)-1])) > 0
	if ts == 0 {
		// A non-zero Timestamp set by the caller is already in base.
		ts = clock().UnixMilli()
		if hasFields {
			out = append(out, ',')
		}
		out = append(out, `"timestamp":`...)
		out = strconv.AppendInt(out, ts, 10)
	}
	out = append(out, '}')
	if len(extra) == 0 {
		return out, nil
	}
	return mergeExtra(out, extra)
}

// mergeExtra replaces or appends the Extra entries in a JSON object, keeping the order of the
// other keys. Extra keys are added in sorted order, so the result is deterministic.
func mergeExtra(obj []byte, extra map[string]any) ([]byte, error) {
	type kv struct {
		k string
		v json.RawMessage
	}
	var fields []kv
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		fields = append(fields, kv{t.(string), v})
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		raw, err := marshalCompact(extra[k])
		if err != nil {
			return nil, fmt.Errorf("extra field %q: %v", k, err)
		}
		replaced := false
		for i := range fields {
			if fields[i].k == k {
				fields[i].v, replaced = raw, true
			}
		}
		if !replaced {
			fields = append(fields, kv{k, raw})
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshalCompact(f.k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(f.v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fillPath replaces {jsonName} placeholders with the path-escaped value of that param field.
func fillPath(path string, param []byte) (string, error) {
	if !strings.Contains(path, "{") {
		return path, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(param, &fields); err != nil {
		return "", err
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			return b.String(), nil
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed placeholder in %q", path)
		}
		name := path[i+1 : i+j]
		val, err := decodeString(fields[name])
		if err != nil || val == "" {
			return "", fmt.Errorf("path needs %s, which is empty", name)
		}
		b.WriteString(path[:i])
		b.WriteString(url.PathEscape(val))
		path = path[i+j+1:]
	}
}
