package paycools

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
	rules  *ruleCache // compiled tag rules; nil compiles them afresh
}

// add records a problem with a field (its JSON name).
func (v *validation) add(field, problem string) {
	v.fields = append(v.fields, FieldError{Field: field, Problem: problem})
}

// addf records a formatted problem.
func (v *validation) addf(field, format string, args ...any) {
	v.add(field, fmt.Sprintf(format, args...))
}

// requireOneOf records, under both JSON names, that one of two fields is required when both
// values are empty (an order looked up by merchant order id or by PayCools' id).
func (v *validation) requireOneOf(nameA, valueA, nameB, valueB string) {
	if valueA == "" && valueB == "" {
		problem := "one of " + nameA + " and " + nameB + " is required"
		v.add(nameA, problem)
		v.add(nameB, problem)
	}
}

// crossFieldValidator is implemented by params types with rules that span fields.
type crossFieldValidator interface {
	validate(v *validation)
}

// validateParams checks params (a pointer to a params struct) and returns a *ValidationError
// listing every problem, or nil.
func validateParams(op Operation, params any, rules *ruleCache) error {
	rv := reflect.ValueOf(params)
	if !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return &ValidationError{Operation: op, Fields: []FieldError{{Field: "params", Problem: "params are required (nil given)"}}}
	}
	v := validation{rules: rules}
	checkStruct(&v, reflect.Indirect(rv), "")
	if cv, ok := params.(crossFieldValidator); ok {
		cv.validate(&v)
	}
	if len(v.fields) > 0 {
		return &ValidationError{Operation: op, Fields: v.fields}
	}
	return nil
}

// structRules is the validation plan of one struct type, compiled from its tags once: every
// call used to split and parse the `pc` tags of every field again (about 20 allocations per
// call, the largest share of what the SDK added to a request).
type structRules struct {
	fields []fieldRules
}

// fieldRules is one exported field: its JSON name and its compiled `pc` rules.
type fieldRules struct {
	index    int
	name     string
	hasTag   bool
	required bool
	rules    []rule
}

// rule is one compiled rule of a `pc` tag, in tag order.
type rule struct {
	text   string // the rule as written, for the panic on an unknown rule
	name   string
	arg    string
	lo, hi *int64           // len, range
	enum   []string         // enum
	plain  bool             // enum: the field is a string kind without a String method
	pat    *validationEntry // pattern; nil for an unknown pattern (panics when checked)
}

// validationEntry is one entry of validationPatterns.
type validationEntry = struct {
	re   *regexp.Regexp
	desc string
}

var (
	stringerType  = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
	errorType     = reflect.TypeOf((*error)(nil)).Elem()
	formatterType = reflect.TypeOf((*fmt.Formatter)(nil)).Elem()
)

// ruleCache holds the compiled rules per params type. Each Client owns one (no package-level
// mutable state); it only grows, once per type.
type ruleCache struct {
	m sync.Map // reflect.Type → *structRules
}

// rulesFor returns the compiled rules of struct type t, compiling them on first use.
func (rc *ruleCache) rulesFor(t reflect.Type) *structRules {
	if rc != nil {
		if r, ok := rc.m.Load(t); ok {
			return r.(*structRules)
		}
	}
	sr := &structRules{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := jsonName(sf)
		if name == "-" {
			continue
		}
		fr := fieldRules{index: i, name: name}
		if tag, ok := sf.Tag.Lookup("pc"); ok {
			fr.hasTag = true
			for _, r := range strings.Split(tag, ",") {
				if r == "required" {
					fr.required = true
				}
				name, arg, _ := strings.Cut(r, "=")
				if name == "required" || name == "" {
					continue
				}
				ru := rule{text: r, name: name, arg: arg}
				switch name {
				case "len", "range":
					ru.lo, ru.hi = parseBounds(arg)
				case "enum":
					ru.enum = strings.Split(arg, "|")
					ft := sf.Type
					ru.plain = ft.Kind() == reflect.String && !ft.Implements(stringerType) &&
						!ft.Implements(errorType) && !ft.Implements(formatterType)
				case "pattern":
					if p, ok := validationPatterns[arg]; ok {
						ru.pat = &p
					}
				}
				fr.rules = append(fr.rules, ru)
			}
		}
		sr.fields = append(sr.fields, fr)
	}
	if rc == nil {
		return sr
	}
	r, _ := rc.m.LoadOrStore(t, sr)
	return r.(*structRules)
}

func checkStruct(v *validation, rv reflect.Value, prefix string) {
	if rv.Kind() != reflect.Struct {
		return
	}
	sr := v.rules.rulesFor(rv.Type())
	for i := range sr.fields {
		fr := &sr.fields[i]
		path := fr.name
		if prefix != "" {
			path = prefix + "." + fr.name
		}
		fv := rv.Field(fr.index)
		if fr.hasTag {
			checkField(v, fv, path, fr)
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
						sub := validation{rules: v.rules}
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

func checkField(v *validation, fv reflect.Value, path string, fr *fieldRules) {
	zero := fv.IsZero() || (fv.Kind() == reflect.Slice && fv.Len() == 0)
	if fr.required && zero {
		v.add(path, "is required")
		return
	}
	if zero {
		return
	}
	for i := range fr.rules {
		r := &fr.rules[i]
		switch r.name {
		case "len":
			if fv.Kind() != reflect.String {
				continue
			}
			n := utf8.RuneCountInString(fv.String())
			if r.lo != nil && int64(n) < *r.lo || r.hi != nil && int64(n) > *r.hi {
				v.addf(path, "length %d is outside %s characters", n, describeBounds(r.lo, r.hi))
			}
		case "range":
			if !fv.CanInt() {
				continue
			}
			n := fv.Int()
			if r.lo != nil && n < *r.lo || r.hi != nil && n > *r.hi {
				v.addf(path, "%d is outside %s", n, describeBounds(r.lo, r.hi))
			}
		case "enum":
			var s string
			if r.plain {
				s = fv.String()
			} else {
				s = fmt.Sprint(fv.Interface())
			}
			ok := false
			for _, e := range r.enum {
				if s == e {
					ok = true
				}
			}
			if !ok {
				v.addf(path, "must be one of %s", strings.ReplaceAll(r.arg, "|", ", "))
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
			if r.pat == nil {
				panic("paycools: unknown validation pattern " + r.arg)
			}
			if !r.pat.re.MatchString(fv.String()) {
				v.addf(path, "must be %s", r.pat.desc)
			}
		default:
			panic("paycools: unknown validation rule " + r.text)
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
