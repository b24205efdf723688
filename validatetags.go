package paycools

// The tag rules of the validation mechanism (see validate.go): compiled once per params type,
// checked field by field.

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
	"phone":         {regexp.MustCompile(`^\+?[0-9]+$`), "a phone number of digits only (a leading + allowed, no letters, spaces or dashes), e.g. 09171234567"},
	"date":          {regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`), "a date yyyy-MM-dd"},
	"dateTime":      {regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`), "a time yyyy-MM-dd HH:mm:ss"},
}

// structRules is the validation plan of one struct type, compiled from its tags once: every
// call used to split and parse the `pc` tags of every field again (about 20 allocations per
// call, the largest share of what the SDK added to a request).
type structRules struct {
	fields []fieldRules
}

// fieldRules is one exported field: its JSON name and its compiled `pc` rules.
type fieldRules struct {
	index    []int
	name     string
	hasTag   bool
	required bool
	rules    []rule
	amount   bool   // the field is an Amount: messages name the unit
	hint     string // the field's `hint` tag: what else a "required" message should say
}

// requiredMessage is the "is required" message of a field, with its bounds, unit and hint,
// so that the caller learns what a valid value is.
func (fr *fieldRules) requiredMessage() string {
	msg := "is required"
	for i := range fr.rules {
		r := &fr.rules[i]
		switch r.name {
		case "len":
			msg += ": " + describeBounds(r.lo, r.hi) + " characters"
		case "range":
			msg += ": " + describeBounds(r.lo, r.hi)
			if fr.amount {
				msg += " in minor units (PHP 500.10 is 50010)"
			}
		}
	}
	if fr.amount && !strings.Contains(msg, "minor units") {
		msg += ", in minor units (PHP 500.10 is 50010)"
	}
	if fr.hint != "" {
		msg += "; " + fr.hint
	}
	return msg
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
	// VisibleFields: an embedded struct's fields (RequestFields' timestamp) are rules of t's
	// own, in declaration order, as encoding/json writes them.
	for _, sf := range reflect.VisibleFields(t) {
		if !sf.IsExported() || (sf.Anonymous && sf.Type.Kind() == reflect.Struct) {
			continue
		}
		name := jsonName(sf)
		if name == "-" {
			continue
		}
		fr := fieldRules{index: sf.Index, name: name, amount: sf.Type == amountType, hint: sf.Tag.Get("hint")}
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
		fv := rv.FieldByIndex(fr.index)
		if prefix == "" && v.row.set {
			check, required := v.row.decide(fr.name, fr.required)
			if !check {
				if !isEmpty(fv) && v.row.refusesUnsent(fr.name, fr.required) {
					v.addf(path, "is set but the %s dialect does not send it (its route for this operation has no such field): leave it empty, or check the dialect (paycools.WithDialect, `paycools probe`)", v.row.dialect)
				}
				continue
			}
			if required != fr.required {
				cp := *fr
				cp.required, cp.hasTag = required, true
				fr = &cp
			}
		}
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

// isEmpty reports whether a field holds nothing: its zero value, or an empty slice.
func isEmpty(fv reflect.Value) bool {
	return fv.IsZero() || (fv.Kind() == reflect.Slice && fv.Len() == 0)
}

func checkField(v *validation, fv reflect.Value, path string, fr *fieldRules) {
	zero := isEmpty(fv)
	if fr.required && zero {
		v.add(path, fr.requiredMessage())
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
				unit := ""
				if fr.amount {
					unit = " minor units (PHP 500.10 is 50010)"
				}
				v.addf(path, "%d is outside %s%s", n, describeBounds(r.lo, r.hi), unit)
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
			if problem := emailProblem(fv.String()); problem != "" {
				v.add(path, "must be an email address like juan@example.com: "+problem)
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

// emailProblem says what is wrong with an e-mail address ("" when it looks like one): one '@',
// text before it, and after it a domain with a dot between two non-empty labels, no spaces.
func emailProblem(s string) string {
	if strings.ContainsAny(s, " \t\r\n") {
		return "it has a space"
	}
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok:
		return "it has no '@'"
	case strings.Contains(domain, "@"):
		return "it has more than one '@'"
	case local == "":
		return "nothing before the '@'"
	case domain == "":
		return "no domain after the '@'"
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 || strings.Contains(domain, "..") {
		return "the domain after the '@' needs a dot between two names (example.com)"
	}
	return ""
}
