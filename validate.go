package paycools

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validation is one mechanism for every operation: the `pc` struct tag on params fields, read
// here, plus an optional validate method on the params type for rules that involve several
// fields (required-if). Every problem is collected into one *ValidationError before anything
// is sent.
//
// Tag rules, comma-separated:
//
//	required        the value must not be zero (string "", number 0, nil, empty slice)
//	len=1..32       length in characters (runes), checked when set (ends are optional: len=10..)
//	range=100..500  integer bounds, checked when set (ends optional: range=1..)
//	enum=A|B|C      one of these values, checked when set
//	url             an absolute http(s) URL, checked when set
//	email           contains one '@' with text on both sides, checked when set
//	pattern=NAME    matches the named pattern of validationPatterns, checked when set
//
// The field is reported under its JSON name.

// validationPatterns are the named formats the pattern rule can use.
var validationPatterns = map[string]struct {
	re   *regexp.Regexp
	desc string
}{
	"ewalletMobile": {regexp.MustCompile(`^09\d{9}$`), "a mobile number 09xxxxxxxxx (11 digits)"},
	"mobile09":      {regexp.MustCompile(`^09\d{9,12}$`), "a mobile number starting with 09 (11–14 digits)"},
	"personName":    {regexp.MustCompile(`^[\p{L}\p{M} '.\-]+$`), "letters, spaces and ' . - only"},
	"lettersSpaces": {regexp.MustCompile(`^[\p{L}\p{M} ]+$`), "letters and spaces only"},
	"alnum":         {regexp.MustCompile(`^[A-Za-z0-9]+$`), "letters and digits only"},
	"date":          {regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`), "a date yyyy-MM-dd"},
	"dateTime":      {regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`), "a time yyyy-MM-dd HH:mm:ss"},
}

// validation collects problems for one params value.
type validation struct {
	fields []FieldError
}

// add records a problem with a field (its JSON name).
func (v *validation) add(field, problem string) {
	v.fields = append(v.fields, FieldError{Field: field, Problem: problem})
}

// addf records a formatted problem.
func (v *validation) addf(field, format string, args ...any) {
	v.add(field, fmt.Sprintf(format, args...))
}

// crossFieldValidator is implemented by params types with rules that span fields.
type crossFieldValidator interface {
	validate(v *validation)
}

// validateParams checks params (a pointer to a params struct) and returns a *ValidationError
// listing every problem, or nil.
func validateParams(op Operation, params any) error {
	rv := reflect.ValueOf(params)
	if !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return &ValidationError{Operation: op, Fields: []FieldError{{Field: "params", Problem: "params are required (nil given)"}}}
	}
	var v validation
	checkStruct(&v, reflect.Indirect(rv), "")
	if cv, ok := params.(crossFieldValidator); ok {
		cv.validate(&v)
	}
	if len(v.fields) > 0 {
		return &ValidationError{Operation: op, Fields: v.fields}
	}
	return nil
}

func checkStruct(v *validation, rv reflect.Value, prefix string) {
	if rv.Kind() != reflect.Struct {
		return
	}
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := jsonName(sf)
		if name == "-" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		fv := rv.Field(i)
		if tag, ok := sf.Tag.Lookup("pc"); ok {
			checkField(v, fv, path, tag)
		}
		// Nested structs and slices of structs are checked too.
		switch fv.Kind() {
		case reflect.Struct:
			checkStruct(v, fv, path)
		case reflect.Pointer:
			if !fv.IsNil() {
				checkStruct(v, fv.Elem(), path)
			}
		case reflect.Slice:
			for j := 0; j < fv.Len(); j++ {
				ev := reflect.Indirect(fv.Index(j))
				if ev.Kind() == reflect.Struct {
					p := fmt.Sprintf("%s[%d]", path, j)
					checkStruct(v, ev, p)
					if cv, ok := fv.Index(j).Interface().(crossFieldValidator); ok {
						sub := validation{}
						cv.validate(&sub)
						for _, f := range sub.fields {
							v.add(p+"."+f.Field, f.Problem)
						}
					}
				}
			}
		}
	}
}

func jsonName(sf reflect.StructField) string {
	tag := sf.Tag.Get("json")
	n, _, _ := strings.Cut(tag, ",")
	if n == "" {
		return sf.Name
	}
	return n
}

func checkField(v *validation, fv reflect.Value, path, tag string) {
	zero := fv.IsZero() || (fv.Kind() == reflect.Slice && fv.Len() == 0)
	rules := strings.Split(tag, ",")
	for _, r := range rules {
		if r == "required" && zero {
			v.add(path, "is required")
			return
		}
	}
	if zero {
		return
	}
	for _, r := range rules {
		name, arg, _ := strings.Cut(r, "=")
		switch name {
		case "required", "":
		case "len":
			if fv.Kind() != reflect.String {
				continue
			}
			n := utf8.RuneCountInString(fv.String())
			lo, hi := parseBounds(arg)
			if lo != nil && int64(n) < *lo || hi != nil && int64(n) > *hi {
				v.addf(path, "length %d is outside %s characters", n, describeBounds(lo, hi))
			}
		case "range":
			if !fv.CanInt() {
				continue
			}
			n := fv.Int()
			lo, hi := parseBounds(arg)
			if lo != nil && n < *lo || hi != nil && n > *hi {
				v.addf(path, "%d is outside %s", n, describeBounds(lo, hi))
			}
		case "enum":
			s := fmt.Sprint(fv.Interface())
			ok := false
			for _, e := range strings.Split(arg, "|") {
				if s == e {
					ok = true
				}
			}
			if !ok {
				v.addf(path, "must be one of %s", strings.ReplaceAll(arg, "|", ", "))
			}
		case "url":
			u, err := url.Parse(fv.String())
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				v.add(path, "must be an absolute http(s) URL")
			}
		case "email":
			s := fv.String()
			at := strings.IndexByte(s, '@')
			if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
				v.add(path, "must be an email address")
			}
		case "pattern":
			p, ok := validationPatterns[arg]
			if !ok {
				panic("paycools: unknown validation pattern " + arg)
			}
			if !p.re.MatchString(fv.String()) {
				v.addf(path, "must be %s", p.desc)
			}
		default:
			panic("paycools: unknown validation rule " + r)
		}
	}
}

func parseBounds(arg string) (lo, hi *int64) {
	a, b, _ := strings.Cut(arg, "..")
	if n, err := strconv.ParseInt(a, 10, 64); err == nil {
		lo = &n
	}
	if n, err := strconv.ParseInt(b, 10, 64); err == nil {
		hi = &n
	}
	return lo, hi
}

func describeBounds(lo, hi *int64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("%d–%d", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("at least %d", *lo)
	case hi != nil:
		return fmt.Sprintf("at most %d", *hi)
	}
	return "any"
}
