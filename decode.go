package paycools

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

var (
	rawMessageType       = reflect.TypeOf(json.RawMessage(nil))
	unmarshalerType      = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	resultMetaType       = reflect.TypeOf(ResultMeta{})
	resultMetaHolderType = reflect.TypeOf((*resultMetaHolder)(nil)).Elem()
)

// decodeResult decodes the data of a successful answer into out and keeps the untouched bytes
// in out's Raw field. A success is never turned into an error by decoding trouble (docs/envelope.md §7
// step 3): a field that cannot be decoded stays zero and one Warn line names it.
func (c *Client) decodeResult(ctx context.Context, op Operation, data json.RawMessage, out any) {
	if out == nil {
		return
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	if len(data) > 0 {
		target := v.Elem()
		if f, ok := dataField(target); ok && len(data) > 0 && data[0] == '[' {
			target = f // data is a JSON array: it fills the field tagged wire:"data"
		}
		warn := func(path string, err error) {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: field not decoded, left zero (Raw keeps it)",
				slog.String("operation", string(op)), slog.String("field", path), slog.String("error", redactText(err.Error(), 120)))
		}
		decodeTolerant(data, target, warn)
		finishDecode(data, target, warn)
	}
	// data is the decoder's own copy of the answer's data (or a fresh unwrapped string), and
	// decoding keeps no reference to it: Raw takes it without another copy.
	storeRaw(v.Elem(), data)
}

// dataField returns the field of a result struct tagged wire:"data": the field that receives
// the answer's data itself when PayCools sends a JSON array (a list result).
func dataField(v reflect.Value) (reflect.Value, bool) {
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("wire") == "data" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// finishDecode finishes a decode that encoding/json did: every list element and nested
// struct with a Raw field gets its own JSON, and every field tagged alias:"a,b" that is still
// zero is read from the first of those other JSON names that holds a value (the spellings of
// other PayCools editions).
func finishDecode(data []byte, v reflect.Value, warn func(string, error)) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || !shapeOf(v.Type()).finish {
		return
	}
	if warn == nil {
		warn = func(string, error) {}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			finishDecode(data, v.Elem(), warn)
		}
	case reflect.Slice:
		if v.Type() == rawMessageType {
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil || len(items) != v.Len() {
			return
		}
		for i, it := range items {
			setRaw(reflect.Indirect(v.Index(i)), it)
			finishDecode(it, v.Index(i), warn)
		}
	case reflect.Struct:
		if sh := shapeOf(v.Type()); sh.onlyAliases && !mentionsAnyName(data, sh.aliasNames) {
			return // no alias is in data: nothing to do, and no second parse
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(data, &fields) != nil {
			return
		}
		finishFields(fields, v, warn)
	}
}

// finishFields is finishDecode of struct v whose JSON object is fields. The fields of an
// embedded struct (a resource embedded in its callback event) are v's own, as in JSON.
func finishFields(fields map[string]json.RawMessage, v reflect.Value, warn func(string, error)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Type == resultMetaType {
			continue
		}
		fv := v.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			finishFields(fields, fv, warn)
			continue
		}
		if aliases, ok := sf.Tag.Lookup("alias"); ok && fv.IsZero() {
			for _, a := range strings.Split(aliases, ",") {
				raw, ok := lookupField(fields, a)
				if !ok || isJSONNull(raw) || string(bytes.TrimSpace(raw)) == `""` {
					continue
				}
				walkDecode(raw, fv, a, warn)
				if !fv.IsZero() {
					break
				}
			}
		}
		if raw, ok := lookupField(fields, jsonName(sf)); ok {
			if sf.Type.Kind() == reflect.Struct {
				setRaw(fv, raw)
			}
			finishDecode(raw, fv, warn)
		}
	}
}

// lookupField finds a JSON member by name, exactly first, then ignoring case (as
// encoding/json matches names).
func lookupField(fields map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if raw, ok := fields[name]; ok {
		return raw, true
	}
	for k, r := range fields {
		if strings.EqualFold(k, name) {
			return r, true
		}
	}
	return nil, false
}

// needsFinish reports whether values of type t hold a field tagged alias, or, below the top
// level, a struct that embeds ResultMeta (whose Raw gets its own JSON): what finishDecode has
// to do. An embedded struct's fields count as t's own.
func needsFinish(t reflect.Type, depth int) bool {
	if depth > 6 {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if t == rawMessageType {
			return false
		}
		return needsFinish(t.Elem(), depth+1)
	case reflect.Struct:
		if t == reflect.TypeOf(Time{}) {
			return false
		}
		if depth > 0 && hasResultMeta(t) {
			return true
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Type == resultMetaType {
				continue
			}
			if _, ok := f.Tag.Lookup("alias"); ok {
				return true
			}
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				if needsFinish(f.Type, depth) {
					return true
				}
				continue
			}
			if needsFinish(f.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

// hasResultMeta reports whether struct type t embeds ResultMeta (directly or through an
// embedded resource).
func hasResultMeta(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(resultMetaHolderType)
}

// setRaw stores a copy of data in the struct's Raw, if it embeds ResultMeta.
func setRaw(v reflect.Value, data json.RawMessage) {
	if m := metaOfValue(v); m != nil {
		m.Raw = append([]byte(nil), data...)
	}
}

// storeRaw is setRaw for data that nobody else holds: it is stored as is.
func storeRaw(v reflect.Value, data json.RawMessage) {
	if m := metaOfValue(v); m != nil {
		m.Raw = data
	}
}

// metaOfValue is the ResultMeta of an addressable struct value, or nil when it has none.
func metaOfValue(v reflect.Value) *ResultMeta {
	if v.Kind() != reflect.Struct || !v.CanAddr() || !shapeOf(v.Type()).meta {
		return nil
	}
	return v.Addr().Interface().(resultMetaHolder).resultMeta()
}

// typeShape is what decoding looks up in a result or event type, worked out once per type:
// reflection over the fields (needsFinish, the interface checks) cost more than the decode of
// a short callback.
type typeShape struct {
	finish bool // needsFinish(t, 0): finishDecode has work to do
	meta   bool // the struct embeds ResultMeta
	// onlyAliases: the struct's finish work is its own alias fields (no nested struct needs
	// finishing), so data that names none of aliasNames needs no second parse.
	onlyAliases bool
	aliasNames  []string
}

// mentionsAnyName reports whether data holds one of names as a quoted string (ignoring
// case, as encoding/json matches names): a cheap scan before a full parse.
func mentionsAnyName(data []byte, names []string) bool {
	return scanQuotedNames(data, names, func(int) bool { return true })
}

// scanQuotedNames calls hit(k) for every place where data holds names[k] as a quoted string
// (ignoring case), and stops with true at the first hit that returns true.
func scanQuotedNames(data []byte, names []string, hit func(k int) (stop bool)) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		for k, name := range names {
			end := i + 1 + len(name)
			if end < len(data) && data[end] == '"' && strings.EqualFold(string(data[i+1:end]), name) && hit(k) {
				return true
			}
		}
	}
	return false
}

// typeShapes caches typeShape per reflect.Type. A sync.Map: read without a lock once every
// type has been seen.
var typeShapes sync.Map

func shapeOf(t reflect.Type) *typeShape {
	if s, ok := typeShapes.Load(t); ok {
		return s.(*typeShape)
	}
	s := &typeShape{finish: needsFinish(t, 0)}
	if t.Kind() == reflect.Struct {
		s.meta = hasResultMeta(t)
		if s.finish {
			s.onlyAliases = true
			s.collectAliases(t)
		}
	}
	actual, _ := typeShapes.LoadOrStore(t, s)
	return actual.(*typeShape)
}

// collectAliases adds the alias names of struct type t's fields (and of its embedded
// structs') to s, and clears onlyAliases when a field needs finishing of its own.
func (s *typeShape) collectAliases(t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Type == resultMetaType {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			s.collectAliases(f.Type)
			continue
		}
		if aliases, ok := f.Tag.Lookup("alias"); ok {
			s.aliasNames = append(s.aliasNames, strings.Split(aliases, ",")...)
		}
		if needsFinish(f.Type, 1) {
			s.onlyAliases = false
		}
	}
}

// decodeTolerant decodes data into v with the rules of docs/envelope.md §8. It first tries plain
// encoding/json (the value types Amount, Time and the enums are already tolerant); when that
// fails it walks the value field by field, accepting integers sent as strings, strings sent as
// numbers and booleans sent as strings, and reports every field it had to leave zero.
func decodeTolerant(data []byte, v reflect.Value, warn func(path string, err error)) {
	if err := json.Unmarshal(data, v.Addr().Interface()); err == nil {
		return
	}
	v.Set(reflect.Zero(v.Type()))
	walkDecode(data, v, "", warn)
}

func walkDecode(data []byte, v reflect.Value, path string, warn func(string, error)) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := json.Unmarshal(data, v.Addr().Interface()); err != nil {
			v.Set(reflect.Zero(v.Type()))
			warn(fieldPath(path), err)
		}
		return
	}
	var err error
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		if n, err = decodeInt(data); err == nil {
			if v.OverflowInt(n) {
				err = strconv.ErrRange
			} else {
				v.SetInt(n)
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var n int64
		if n, err = decodeInt(data); err == nil {
			if n < 0 || v.OverflowUint(uint64(n)) {
				err = strconv.ErrRange
			} else {
				v.SetUint(uint64(n))
			}
		}
	case reflect.String:
		var s string
		if s, err = decodeString(data); err == nil {
			v.SetString(s)
		}
	case reflect.Bool:
		s := strings.Trim(string(data), `"`)
		switch strings.ToLower(s) {
		case "true", "1":
			v.SetBool(true)
		case "false", "0", "":
		default:
			err = strconv.ErrSyntax
		}
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		walkDecode(data, nv.Elem(), path, warn)
		v.Set(nv)
	case reflect.Slice:
		if v.Type() == rawMessageType {
			v.SetBytes(append([]byte(nil), data...))
			return
		}
		var items []json.RawMessage
		if err = json.Unmarshal(data, &items); err == nil {
			s := reflect.MakeSlice(v.Type(), len(items), len(items))
			for i, it := range items {
				walkDecode(it, s.Index(i), path+"["+strconv.Itoa(i)+"]", warn)
				setRaw(s.Index(i), it)
			}
			v.Set(s)
		}
	case reflect.Struct:
		var fields map[string]json.RawMessage
		if err = json.Unmarshal(data, &fields); err == nil {
			decodeStructFields(fields, v, path, warn)
		}
	default:
		err = json.Unmarshal(data, v.Addr().Interface())
	}
	if err != nil {
		v.Set(reflect.Zero(v.Type()))
		warn(fieldPath(path), err)
	}
}

// decodeStructFields matches JSON names to struct fields case-insensitively, as encoding/json
// does, and decodes each field on its own.
func decodeStructFields(fields map[string]json.RawMessage, v reflect.Value, path string, warn func(string, error)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := sf.Name
		if tag, ok := sf.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			decodeStructFields(fields, v.Field(i), path, warn)
			continue
		}
		raw, ok := fields[name]
		if !ok {
			for k, r := range fields {
				if strings.EqualFold(k, name) {
					raw, ok = r, true
					break
				}
			}
		}
		if ok {
			p := name
			if path != "" {
				p = path + "." + name
			}
			walkDecode(raw, v.Field(i), p, warn)
		}
	}
}

func fieldPath(p string) string {
	if p == "" {
		return "data"
	}
	return p
}
