package paycoolstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A field rule is written as one line of text, close to the tables of the spec:
//
//	"name[*] kind [min..max] [enum=A|B] [code=NNNNN] [fmt=NAME]"
//
// A trailing * marks a required field. kind is one of
//
//	str    a JSON string; min..max bound its length in characters
//	int    a JSON integer or a string holding one; min..max bound its value
//	url    a string holding an absolute http(s) URL; min..max bound its length
//	date   a string yyyy-MM-dd
//	list   a comma-joined string of codes, or a JSON array of strings
//	array  a JSON array
//	object a JSON object
//
// enum= lists the accepted values; code= is the code for a value outside the list (default
// 21002). fmt= names a pattern from formats. Every problem is answered 21002 with a message
// naming the field, unless code= says otherwise. An empty string or null counts as absent.
type field struct {
	name     string
	kind     string
	required bool
	min, max int64
	hasMin   bool
	hasMax   bool
	enum     []string
	enumCode int
	format   string
}

// formats are the named patterns a rule may require.
var formats = map[string]*regexp.Regexp{
	"alnum":    regexp.MustCompile(`^[A-Za-z0-9]+$`),
	"letters":  regexp.MustCompile(`^[A-Za-z ]+$`),
	"email":    regexp.MustCompile(`^[^@\s]+@[^@\s]+$`),
	"mobile09": regexp.MustCompile(`^09\d{9}$`),
	"mobile":   regexp.MustCompile(`^09\d{9,12}$`),
	"name":     nil, // letters of any script, spaces and ' . - (checked by isPersonName)
}

// rules parses rule lines; it panics on a malformed line (the tables are package constants).
func rules(lines ...string) []field {
	out := make([]field, 0, len(lines))
	for _, line := range lines {
		tok := strings.Fields(line)
		if len(tok) < 2 {
			panic("paycoolstest: bad field rule " + strconv.Quote(line))
		}
		f := field{name: tok[0], kind: tok[1], enumCode: codeParam}
		if strings.HasSuffix(f.name, "*") {
			f.name, f.required = strings.TrimSuffix(f.name, "*"), true
		}
		switch f.kind {
		case "str", "int", "url", "date", "list", "array", "object":
		default:
			panic("paycoolstest: bad field kind in " + strconv.Quote(line))
		}
		for _, t := range tok[2:] {
			switch {
			case strings.Contains(t, ".."):
				lo, hi, _ := strings.Cut(t, "..")
				if lo != "" {
					f.min, f.hasMin = mustInt(lo, line), true
				}
				if hi != "" {
					f.max, f.hasMax = mustInt(hi, line), true
				}
			case strings.HasPrefix(t, "enum="):
				f.enum = strings.Split(strings.TrimPrefix(t, "enum="), "|")
			case strings.HasPrefix(t, "code="):
				f.enumCode = int(mustInt(strings.TrimPrefix(t, "code="), line))
			case strings.HasPrefix(t, "fmt="):
				f.format = strings.TrimPrefix(t, "fmt=")
				if _, ok := formats[f.format]; !ok {
					panic("paycoolstest: unknown format in " + strconv.Quote(line))
				}
			default:
				panic("paycoolstest: bad token " + strconv.Quote(t) + " in " + strconv.Quote(line))
			}
		}
		out = append(out, f)
	}
	return out
}

func mustInt(s, line string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic("paycoolstest: bad number in field rule " + strconv.Quote(line))
	}
	return n
}

// params is a request's decoded param: the raw value of each name.
type params map[string]json.RawMessage

// present reports whether name holds a value: not absent, not null, not "".
func (p params) present(name string) bool {
	v, ok := p[name]
	if !ok {
		return false
	}
	v = bytes.TrimSpace(v)
	return len(v) > 0 && string(v) != "null" && string(v) != `""`
}

// str returns the string value of name ("" when absent or not a string).
func (p params) str(name string) string {
	var s string
	if p.present(name) {
		_ = json.Unmarshal(p[name], &s)
	}
	return s
}

// int returns the integer value of name (0 when absent or unreadable).
func (p params) int(name string) int64 {
	n, _ := readInt(p[name])
	return n
}

// list returns the codes of a list field, from "A,B" or ["A","B"].
func (p params) list(name string) []string {
	if !p.present(name) {
		return nil
	}
	var arr []string
	if json.Unmarshal(p[name], &arr) == nil {
		return arr
	}
	var s string
	if json.Unmarshal(p[name], &s) != nil {
		return nil
	}
	return strings.Split(s, ",")
}

// strs returns the strings of an array field.
func (p params) strs(name string) []string {
	var arr []string
	if p.present(name) {
		_ = json.Unmarshal(p[name], &arr)
	}
	return arr
}

// readInt reads a JSON integer or a JSON string holding one.
func readInt(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, false
	}
	s := string(raw)
	if raw[0] == '"' {
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		s = strings.TrimSpace(s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// check applies the rules to p and returns the first problem found, in rule order.
func check(p params, fs []field) *apiError {
	for _, f := range fs {
		if err := f.check(p); err != nil {
			return err
		}
	}
	return nil
}

func (f field) check(p params) *apiError {
	if !p.present(f.name) {
		if f.required {
			return paramError(f.name, "is required")
		}
		return nil
	}
	raw := bytes.TrimSpace(p[f.name])
	switch f.kind {
	case "int":
		n, ok := readInt(raw)
		if !ok {
			return paramError(f.name, "must be an integer")
		}
		if f.hasMin && n < f.min || f.hasMax && n > f.max {
			return paramError(f.name, "must be %s", boundText(f, "", n))
		}
		return nil
	case "array", "object":
		open := map[string]byte{"array": '[', "object": '{'}[f.kind]
		if raw[0] != open {
			return paramError(f.name, "must be a JSON %s", f.kind)
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return paramError(f.name, "is malformed")
		}
		if f.kind == "array" && f.enum != nil {
			var items []string
			if json.Unmarshal(raw, &items) != nil {
				return paramError(f.name, "must be an array of strings")
			}
			for _, it := range items {
				if !contains(f.enum, it) {
					if f.enumCode != codeParam {
						return refuse(f.enumCode)
					}
					return paramError(f.name, "has unknown value %q", it)
				}
			}
		}
		return nil
	case "list":
		if raw[0] == '[' {
			var items []string
			if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
				return paramError(f.name, "must be a comma-joined string of codes")
			}
			return f.checkItems(items)
		}
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return paramError(f.name, "must be a string")
	}
	if f.kind == "list" {
		return f.checkItems(strings.Split(s, ","))
	}
	n := int64(utf8.RuneCountInString(s))
	if f.hasMin && n < f.min || f.hasMax && n > f.max {
		return paramError(f.name, "length must be %s", boundText(f, " characters", n))
	}
	switch f.kind {
	case "url":
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return paramError(f.name, "must be an absolute http(s) URL")
		}
	case "date":
		if _, err := time.Parse("2006-01-02", s); err != nil || len(s) != 10 {
			return paramError(f.name, "must be a date yyyy-MM-dd")
		}
	}
	if f.enum != nil && !contains(f.enum, s) {
		if f.enumCode != codeParam {
			return refuse(f.enumCode)
		}
		return paramError(f.name, "must be one of %s", strings.Join(f.enum, ", "))
	}
	if f.format == "name" {
		if !isPersonName(s) {
			return paramError(f.name, "may hold only letters, spaces and ' . -")
		}
	} else if f.format != "" && !formats[f.format].MatchString(s) {
		return paramError(f.name, "has a wrong format (%s)", f.format)
	}
	return nil
}

func (f field) checkItems(items []string) *apiError {
	for _, it := range items {
		if strings.TrimSpace(it) == "" || it != strings.TrimSpace(it) {
			return paramError(f.name, "must be codes joined by commas, without spaces or empty items")
		}
		if f.enum != nil && !contains(f.enum, it) {
			return paramError(f.name, "has unknown code %q", it)
		}
	}
	return nil
}

func boundText(f field, unit string, got int64) string {
	switch {
	case f.hasMin && f.hasMax:
		return fmt.Sprintf("between %d and %d%s (got %d)", f.min, f.max, unit, got)
	case f.hasMin:
		return fmt.Sprintf("at least %d%s (got %d)", f.min, unit, got)
	default:
		return fmt.Sprintf("at most %d%s (got %d)", f.max, unit, got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isPersonName: letters of any script, spaces, and ' . - only.
func isPersonName(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '\'' && r != '.' && r != '-' {
			return false
		}
	}
	return true
}
