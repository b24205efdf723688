package paycools

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Route is how one PayCools operation is reached: the HTTP method, the path on the client's
// base URL, the body form and whether it writes. Operations and OperationsOf give the route of
// every operation the SDK models; Client.Call sends a request on any route, modelled or not.
type Route struct {
	// Method is "GET" or "POST". A GET carries the signed fields in its query string.
	Method string
	// Path is the path on the base URL, e.g. "/api/v1/account/checkBalance". It may hold
	// {jsonName} placeholders, filled (URL path-escaped) from the params field of that name.
	Path string
	// Form is how the request is laid out and signed: FormEnvelope or FormFlat. The zero Form
	// means the client's dialect's usual form for the path (flat on the PH host except
	// /api/v2/checkout/, the envelope everywhere in the open-api dialect).
	Form BodyForm
	// Write is true for an operation that moves money or creates, changes or cancels
	// something: it is never resent unless the request provably was not sent, and a failure
	// after it may have been sent is reported with IsOutcomeUnknown. False for a query, which
	// is retried on transient failures.
	Write bool
}

// Operations lists every operation the SDK knows, with its route in the open-api dialect
// (OperationsOf gives another dialect's).
func Operations() map[Operation]Route { return OperationsOf(DialectOpenAPI) }

// OperationsOf lists every operation of dialect d with its route (none for a value that is no
// dialect). Each route can be adjusted and sent with Client.Call.
func OperationsOf(d Dialect) map[Operation]Route {
	s := specOf(d)
	if s == nil {
		return map[Operation]Route{}
	}
	m := make(map[Operation]Route, len(s.routes))
	for op, ep := range s.routes {
		m[op] = ep.route()
	}
	return m
}

// route is the public view of a row.
func (ep *endpoint) route() Route {
	return Route{Method: ep.method, Path: ep.path, Form: ep.form, Write: ep.kind != kindQuery}
}

// Call sends a request on route r through the client's one request path, for an operation
// the SDK does not model yet (or a modelled one adjusted). params is a struct with JSON tags,
// a pointer to one, or a map[string]any (nil for none); it is signed and sent exactly as a
// modelled operation of that form is in the client's dialect (WithEnvelopeSigning included),
// with the same retries, logging, attempt observers, typed errors (*APIError, *HTTPError,
// *TransportError, *ValidationError) and redaction. out, a pointer (nil to discard), receives
// the answer's data; when it embeds ResultMeta, its Raw the undecoded data and its Response
// the answer's metadata.
//
// The timestamp: the envelope form always carries one (the params' own when it is set, else
// the client clock's, fresh on every attempt). A flat body carries exactly the params' fields
// plus appId and sign, since the PH host refuses names its page does not list: it carries a
// timestamp only when the params have one, and a timestamp of 0 is replaced with the client
// clock's.
//
// Call knows nothing of the operation: the params are not checked beyond being a JSON object,
// nothing is renamed, and a money-moving write whose outcome is unknown is not looked up
// (the modelled creates do that): the error says IsOutcomeUnknown, and the caller must query
// the order before sending anything new. Errors and log lines name the operation as the
// method and path, e.g. "GET /api/v1/account/checkBalance".
func (c *Client) Call(ctx context.Context, r Route, params any, out any) error {
	op := Operation(r.Method + " " + r.Path)
	if ctx == nil {
		return &ValidationError{Operation: op, Fields: []FieldError{{Field: "ctx", Problem: "nil context"}}}
	}
	ep, base, ts, problems := c.callRow(r, params, out)
	if len(problems) > 0 {
		return &ValidationError{Operation: op, Fields: problems}
	}
	if err := ctx.Err(); err != nil {
		return &TransportError{Operation: op, Err: err}
	}
	return c.send(ctx, op, ep, params, base, ts, nil, out)
}

// callRow checks a Call and makes its row: the route's method, path, kind and form, and as
// its fields the params' own top-level names (a flat body sends each, and only those). base
// is the params' JSON object without a zero timestamp, ts the params' timestamp (0: the clock
// stamps it).
func (c *Client) callRow(r Route, params any, out any) (ep *endpoint, base []byte, ts int64, problems []FieldError) {
	bad := func(field, problem string) { problems = append(problems, FieldError{Field: field, Problem: problem}) }
	method := strings.ToUpper(r.Method)
	if method != http.MethodGet && method != http.MethodPost {
		bad("Route.Method", fmt.Sprintf("%q: PayCools uses GET or POST", r.Method))
	}
	if !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, "?#") {
		bad("Route.Path", fmt.Sprintf("%q must start with / and hold no query or fragment", r.Path))
	}
	form := r.Form
	switch form {
	case 0:
		form = c.spec.formFor(r.Path)
	case FormEnvelope, FormFlat:
	default:
		bad("Route.Form", fmt.Sprintf("%v: use FormEnvelope, FormFlat or leave it zero for the dialect's usual form", r.Form))
	}
	if out != nil {
		if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || v.IsNil() {
			bad("out", fmt.Sprintf("%T is not a non-nil pointer: pass a pointer to the result, or nil to discard it", out))
		}
	}
	fields, err := callParams(params)
	if err != nil {
		bad("params", err.Error())
	}
	if len(problems) > 0 {
		return nil, nil, 0, problems
	}
	kind := kindQuery
	if r.Write {
		kind = kindWrite
	}
	ep = &endpoint{method: method, path: r.Path, kind: kind, form: form}
	kept := fields[:0]
	for _, f := range fields {
		if f.name == "appId" || f.name == "sign" {
			bad(f.name, "is set by the SDK: leave it out of the params")
			continue
		}
		if f.name == "timestamp" {
			if n, ok := parseTimestamp(f.raw); ok && n != 0 {
				ts = n
			} else if !ok {
				bad("timestamp", "must be a whole number of milliseconds (0: the client clock's)")
				continue
			} else {
				// 0 (or null): stamped by the clock in the form's place.
				ep.fields = append(ep.fields, routeField{name: "timestamp"})
				continue
			}
		}
		ep.fields = append(ep.fields, routeField{name: f.name})
		kept = append(kept, f)
	}
	if len(problems) > 0 {
		return nil, nil, 0, problems
	}
	return ep, joinObject(kept), ts, nil
}

// callParams serializes Call's params into the top-level fields of their JSON object.
func callParams(params any) ([]flatPair, error) {
	if params == nil {
		return nil, nil
	}
	if v := reflect.ValueOf(params); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, nil
	}
	base, err := marshalCompact(params)
	if err != nil {
		return nil, fmt.Errorf("%T does not serialize to JSON: %v", params, err)
	}
	if len(base) < 2 || base[0] != '{' {
		return nil, fmt.Errorf("%T does not serialize to a JSON object: pass a struct with JSON tags or a map[string]any", params)
	}
	if fields, ok := scanCompactObject(base); ok {
		return fields, nil
	}
	return parseFlatObject(base)
}

// parseTimestamp reads a timestamp field: a JSON integer (0 for null).
func parseTimestamp(raw []byte) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return 0, true
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// joinObject writes fields back as one compact JSON object, in their order.
func joinObject(fields []flatPair) []byte {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, quoteJSON(f.name)...)
		b = append(b, ':')
		b = append(b, f.raw...)
	}
	return append(b, '}')
}
