package paycools

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
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
//	email           one '@', text before it, a domain with a dot after it, no spaces; checked when set
//	pattern=NAME    matches the named pattern of validationPatterns, checked when set
//
// The field is reported under its JSON name.

// validation collects problems for one params value.
type validation struct {
	fields []FieldError
	rules  *ruleCache // compiled tag rules; nil compiles them afresh
	// row, when set, decides for each top-level field (by its JSON name) whether it is checked
	// at all and whether it is required, in place of the tag's required rule: the route row
	// of the client's dialect decides what is sent and what is required. A value, not a
	// closure, so that it costs no allocation of its own.
	row rowRule
}

// rowRule is the route row's say over the top-level fields (see validation.row).
type rowRule struct {
	set          bool
	flatRow      bool
	appNameGiven bool
	ep           *endpoint
	renames      []rename
	dialect      Dialect
	warnIfSet    []string // fields the dialect drops with a Warn line instead of refusing them
	refused      []string // fields refused with their own message (the row's refused)
}

// refusesUnsent reports whether a set top-level field that the row does not send is refused:
// in a flat row every such field is, so that a value the caller set is never dropped without a
// word, except a field the params' tag requires (portable code sets it for the open-api
// dialect), one that only warns (the row's warnIfSet), one refused with its own message, and
// timestamp, which the SDK sends exactly where the dialect's route lists it.
func (r *rowRule) refusesUnsent(name string, tagRequired bool) bool {
	if !r.set || !r.flatRow || tagRequired || name == "timestamp" {
		return false
	}
	for _, list := range [2][]string{r.warnIfSet, r.refused} {
		for _, n := range list {
			if n == name {
				return false
			}
		}
	}
	return true
}

// decide says whether the top-level field name is checked and whether it is required.
func (r *rowRule) decide(name string, tagRequired bool) (bool, bool) {
	ep := r.ep
	if !r.flatRow {
		return true, tagRequired && !(name == "appName" && r.appNameGiven)
	}
	if pathVar(ep.path, name) {
		return true, true
	}
	sent, required := false, false
	matched := false
	for _, rn := range r.renames {
		if rn.from != name {
			continue
		}
		matched = true
		if l, _ := ep.lists(rn.to); l {
			sent = true
		}
		if rn.whenField == "" {
			_, required = ep.lists(rn.to)
		}
	}
	if !matched {
		sent, required = ep.lists(name)
	}
	if name == "appName" && r.appNameGiven || name == "timestamp" { // the SDK fills timestamp
		required = false
	}
	return sent, required
}

// add records a problem with a field (its JSON name).
func (v *validation) add(field, problem string) {
	v.fields = append(v.fields, FieldError{Field: field, Problem: problem})
}

// has reports whether a problem was already recorded for field.
func (v *validation) has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
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

// validateWith runs the tag rules with v's settings, the cross-field rules, then extra (rules
// of the route row), and returns every problem found.
func validateWith(op Operation, params any, v validation, extra func(v *validation, rv reflect.Value)) error {
	rv := reflect.ValueOf(params)
	if !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return &ValidationError{Operation: op, Fields: []FieldError{{Field: "params", Problem: "params are required (nil given)"}}}
	}
	checkStruct(&v, reflect.Indirect(rv), "")
	if cv, ok := params.(crossFieldValidator); ok {
		cv.validate(&v)
	}
	if extra != nil {
		extra(&v, reflect.Indirect(rv))
	}
	if len(v.fields) > 0 {
		return &ValidationError{Operation: op, Fields: v.fields}
	}
	return nil
}

// validate checks params against the rules of the client's route row for op: in a flat row
// (PH) only the fields the row sends are checked, and the row's required marks replace the
// tags' (docs/dialects.md §8); everywhere appName may come from WithAppName or Extra.
func (c *Client) validate(op Operation, ep *endpoint, params any) error {
	v := validation{rules: c.rules}
	extraMap := extraOf(params)
	appNameGiven := c.appName != ""
	if s, ok := extraMap["appName"].(string); ok && s != "" {
		appNameGiven = true
	}
	renames := ep.renames
	flatRow := ep.form == FormFlat
	v.row = rowRule{set: true, flatRow: flatRow, appNameGiven: appNameGiven, ep: ep, renames: renames,
		dialect: c.dialect, warnIfSet: ep.warnIfSet, refused: ep.refused}
	return validateWith(op, params, v, func(v *validation, rv reflect.Value) {
		refuseModelledExtra(v, rv, extraMap, renames)
		if listed, req := ep.lists("appName"); listed && req && !appNameGiven && !hasFieldJSON(v, rv, "appName") {
			v.add("appName", "is required: set it with paycools.WithAppName, in the params or in Extra")
		}
		if !flatRow {
			return
		}
		for _, name := range ep.warnIfSet {
			if hasFieldJSON(v, rv, name) {
				c.logger.Warn("paycools: a field set in the params is not sent in this dialect",
					slog.String("operation", string(op)), slog.String("field", name), slog.String("dialect", c.dialect.String()))
			}
		}
		for _, ri := range ep.requiredIf {
			w := fieldStringJSON(v, rv, ri.whenField)
			for _, val := range ri.values {
				if w == val && !hasFieldJSON(v, rv, ri.field) {
					v.addf(ri.field, "is required when %s is %s", ri.whenField, val)
				}
			}
		}
		for _, b := range ep.lengths {
			if s := fieldStringJSON(v, rv, b.field); s != "" {
				if n := utf8.RuneCountInString(s); n < b.min || n > b.max {
					v.addf(b.field, "length %d is outside %d–%d characters in the %s dialect", n, b.min, b.max, c.dialect)
				}
			}
		}
		for _, name := range ep.refused {
			if hasFieldJSON(v, rv, name) {
				v.addf(name, "must be empty in the %s dialect (the operation does not take it there)", c.dialect)
			}
		}
	})
}

// refuseModelledExtra records a problem for every Extra key that names something the params
// model: a field's JSON name, the name the dialect sends it under (renames), or timestamp,
// which the SDK sets. Extra adds fields the SDK does not model; letting it replace a
// validated field would send a value nobody checked (Extra{"amount": 100000} on a payout
// validated at PHP 1.00 would pay PHP 1,000.00). Names are compared ignoring case, '_' and
// '-', as lenient JSON readers on the host side match them.
func refuseModelledExtra(v *validation, rv reflect.Value, extra map[string]any, renames []rename) {
	if len(extra) == 0 || rv.Kind() != reflect.Struct {
		return
	}
	modelled := map[string]string{looseName("timestamp"): "Timestamp (the SDK sets timestamp)"}
	addModelledNames(modelled, rv.Type())
	for _, r := range renames {
		if goName, ok := modelled[looseName(r.from)]; ok {
			modelled[looseName(r.to)] = goName + " (sent as " + r.to + " in this dialect)"
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if goName, ok := modelled[looseName(k)]; ok {
			v.add("Extra", "Extra["+strconv.Quote(k)+"] names the field "+goName+
				" that the params model: set that field instead (Extra only adds fields the SDK does not model)")
		}
	}
}

// addModelledNames adds the JSON names of t's exported fields (and of its embedded structs')
// to names, each mapped to its Go field name.
func addModelledNames(names map[string]string, t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			addModelledNames(names, sf.Type)
			continue
		}
		if !sf.IsExported() || sf.Name == "Extra" {
			continue
		}
		if name := jsonName(sf); name != "-" {
			names[looseName(name)] = sf.Name
		}
	}
}

// looseName is a JSON name folded for comparison: lower case, without '_' and '-'.
func looseName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// pathVar reports whether path has the placeholder {name}.
func pathVar(path, name string) bool { return strings.Contains(path, "{"+name+"}") }

// extraOf returns the Extra map of a params struct pointer (nil when none).
func extraOf(params any) map[string]any {
	if rf := requestFieldsOf(params); rf != nil {
		return rf.Extra
	}
	return nil
}

// fieldJSON returns the top-level field of rv whose JSON name is name.
func fieldJSON(v *validation, rv reflect.Value, name string) (reflect.Value, bool) {
	if rv.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	for _, fr := range v.rules.rulesFor(rv.Type()).fields {
		if fr.name == name {
			return rv.FieldByIndex(fr.index), true
		}
	}
	return reflect.Value{}, false
}

// hasFieldJSON reports whether the field with JSON name name is set (not zero).
func hasFieldJSON(v *validation, rv reflect.Value, name string) bool {
	f, ok := fieldJSON(v, rv, name)
	return ok && !f.IsZero()
}

// fieldStringJSON returns the string value of the field with JSON name name ("" if none).
func fieldStringJSON(v *validation, rv reflect.Value, name string) string {
	f, ok := fieldJSON(v, rv, name)
	if !ok || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

var (
	stringerType  = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
	errorType     = reflect.TypeOf((*error)(nil)).Elem()
	formatterType = reflect.TypeOf((*fmt.Formatter)(nil)).Elem()
)

// currencyOfCountry is the one currency PayCools serves in each country (docs/families.md:
// PH/PHP, ID/IDR, MY/MYR, TH/THB; RU/RUB from other families' sources).
var currencyOfCountry = map[CountryCode]Currency{
	CountryPH: CurrencyPHP, CountryID: CurrencyIDR, CountryMY: CurrencyMYR, CountryTH: CurrencyTHB, CountryRU: CurrencyRUB,
}

// checkCountryCurrency records, under currencyField, a currency that the country does not
// use (PH with IDR). A country or currency already refused by its own rules is not reported
// twice.
func checkCountryCurrency(v *validation, country CountryCode, currencyField string, currency Currency) {
	want, ok := currencyOfCountry[country]
	if !ok || currency == "" || currency == want || v.has("countryCode") || v.has(currencyField) {
		return
	}
	v.addf(currencyField, "%s does not go with countryCode %s: PayCools serves %s in %s (PH/PHP, ID/IDR, MY/MYR, TH/THB); set %s to %s or change countryCode",
		currency, country, want, country, currencyField, want)
}
