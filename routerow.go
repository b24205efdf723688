package paycools

import (
	"fmt"
	"strings"
)

// operationKind tells the retry and outcome-resolution rules what an operation does.
type operationKind int

const (
	kindQuery operationKind = iota // read-only: balance, statements, status, lists
	kindWrite                      // creates, updates, cancels or closes something
	kindMoney                      // a write that moves money; resolved on an unknown outcome
)

// BodyForm is how a request is laid out on the wire and what its signature covers
// (docs/dialects.md): every route row has one, and Client.Call takes one in its Route.
type BodyForm int

const (
	// FormEnvelope: {"appId","param","sign"}, param a JSON string of the business fields,
	// signed per the client's EnvelopeSigning.
	FormEnvelope BodyForm = iota + 1
	// FormFlat: the business fields, appId and sign at the top level of a JSON body (POST) or
	// the query (GET), signed over the sorted k=v string of every sent field
	// (docs/dialects.md §4.2; the PH host).
	FormFlat
)

// String returns "envelope", "flat", or "default" for the zero BodyForm (in a Route: the
// dialect's usual form for the path).
func (f BodyForm) String() string {
	switch f {
	case FormEnvelope:
		return "envelope"
	case FormFlat:
		return "flat"
	case 0:
		return "default"
	}
	return fmt.Sprintf("BodyForm(%d)", int(f))
}

// endpoint is one row of a dialect's route table: method, path, body form, kind and the JSON
// names the request carries (the request_json_fields of docs/endpoints*.tsv, a trailing *
// marking a required one), with every quirk the dialect has for the operation and, for a
// money-moving create, its money facts. An empty path means the dialect lacks the operation.
type endpoint struct {
	method string
	path   string
	kind   operationKind
	form   BodyForm
	fields []routeField

	// renames are the JSON names the dialect sends a params field under (the Go params carry
	// the open-api name), applied to flat bodies.
	renames []rename
	// requiredIf are the rules "required when another field holds a value".
	requiredIf []requiredIf
	// lengths are the dialect's own length bounds, on top of the field's tag rules, in the
	// order their problems are reported.
	lengths []lengthBound
	// refused are fields that must be empty: the operation does something wider without them.
	refused []string
	// warnIfSet are fields the dialect does not send that code written for every dialect sets:
	// setting one logs one Warn line instead of the refusal every other unsent field gets.
	warnIfSet []string
	// money is what the SDK knows about the order a money-moving create makes (nil for every
	// other operation). It is the same in every dialect and filled from moneyCreates.
	money *moneyFacts
}

// routeField is one name of a row's request_json_fields.
type routeField struct {
	name     string
	required bool
}

// rename: the field from is sent as to; a rename with a condition applies only when the
// sent field whenField holds whenValue.
type rename struct {
	from, to             string
	whenField, whenValue string // empty: always
}

// requiredIf: field is required when whenField holds one of values.
type requiredIf struct {
	field, whenField string
	values           []string
}

// lengthBound: field, when set, holds min to max characters.
type lengthBound struct {
	field    string
	min, max int
}

// moneyFacts are the facts of a money-moving create that the outcome resolution, Recover,
// Sync and the callbacks rely on: the JSON names, in the create and in its look-up's answer,
// of the merchant's order id, PayCools' id of the order and the amount.
type moneyFacts struct {
	orderField  string // the merchant's id of the order: mchOrderId, mchRefundOrderId
	txnField    string // PayCools' id of the order: transactionId, refundTransactionId, checkoutId
	amountField string // the amount in minor units: amount, refundAmount
}

// row builds an endpoint from the columns of the tsv tables, so that each line of a route
// table reads as the tsv line it mirrors.
func row(method, path string, form BodyForm, kind operationKind, fields string) endpoint {
	ep := endpoint{method: method, path: path, kind: kind, form: form}
	for _, f := range strings.Split(fields, ",") {
		if f == "" {
			continue
		}
		name, req := strings.CutSuffix(f, "*")
		ep.fields = append(ep.fields, routeField{name, req})
	}
	return ep
}

// sendsAs adds the rename of from to to, applied when the sent field whenField holds
// whenValue (both empty: always).
func (ep endpoint) sendsAs(from, to, whenField, whenValue string) endpoint {
	ep.renames = append(ep.renames[:len(ep.renames):len(ep.renames)], rename{from, to, whenField, whenValue})
	return ep
}

// requires adds the rule: field is required when whenField holds one of values.
func (ep endpoint) requires(field, whenField string, values ...string) endpoint {
	ep.requiredIf = append(ep.requiredIf[:len(ep.requiredIf):len(ep.requiredIf)], requiredIf{field, whenField, values})
	return ep
}

// bounds adds the length bound min–max characters of field.
func (ep endpoint) bounds(field string, min, max int) endpoint {
	ep.lengths = append(ep.lengths[:len(ep.lengths):len(ep.lengths)], lengthBound{field, min, max})
	return ep
}

// refuses sets the fields that must be empty.
func (ep endpoint) refuses(fields ...string) endpoint {
	ep.refused = fields
	return ep
}

// warnsIfSet sets the fields whose value is dropped with a Warn line.
func (ep endpoint) warnsIfSet(fields ...string) endpoint {
	ep.warnIfSet = fields
	return ep
}

// lists reports whether the row's request fields include name.
func (ep *endpoint) lists(name string) (listed, required bool) {
	for _, f := range ep.fields {
		if f.name == name {
			return true, f.required
		}
	}
	return false, false
}

// withMoneyFacts gives every money-moving row of table its operation's facts from
// moneyCreates, and returns table.
func withMoneyFacts(table map[Operation]endpoint) map[Operation]endpoint {
	for op, ep := range table {
		if ep.kind != kindMoney {
			continue
		}
		f, ok := moneyCreates[op]
		if !ok {
			panic("paycools: money-moving operation " + string(op) + " has no entry in moneyCreates")
		}
		ep.money = &f
		table[op] = ep
	}
	return table
}
