package paycools

import (
	"encoding/json"
	"reflect"
)

// RequestFields are the fields every params struct carries besides its operation's own: it
// is embedded last in each one, so that timestamp stays the last modelled key of the signed
// param. Set them through the params value (p.Timestamp, p.Extra) or in a literal:
//
//	&paycools.PayoutGetParams{MchOrderID: "M1", RequestFields: paycools.RequestFields{Extra: map[string]any{"x": 1}}}
type RequestFields struct {
	// Timestamp is the request time in milliseconds since the epoch; 0 means the client's
	// clock fills it on every attempt.
	Timestamp int64 `json:"timestamp,omitempty"`
	// Extra holds fields the SDK does not model; merged into param last, in sorted key order.
	// A key the params model (or timestamp) is refused with a *ValidationError.
	Extra map[string]any `json:"-"`
}

// requestFields gives the request path the embedded fields of any params struct.
func (f *RequestFields) requestFields() *RequestFields { return f }

// requestFielder is a params struct pointer: every one embeds RequestFields.
type requestFielder interface{ requestFields() *RequestFields }

// requestFieldsOf returns the RequestFields of a params struct pointer, or nil when params
// is nil or has none.
func requestFieldsOf(params any) *RequestFields {
	if p, ok := params.(requestFielder); ok && !reflect.ValueOf(p).IsNil() {
		return p.requestFields()
	}
	return nil
}

// ResultMeta is what the SDK adds to a value it decoded: the undecoded JSON and, for the
// result of a call, the HTTP metadata of the answer. Every result, list element and callback
// event embeds it (read it as res.Raw and res.Response).
type ResultMeta struct {
	// Raw is the undecoded JSON this value was read from: the answer's data for a result
	// (nil when PayCools sent none), the element's own object for a list element, the
	// verified param for a callback event.
	Raw json.RawMessage `json:"-"`
	// Response is the HTTP metadata of the answer (status, headers, request id, attempts);
	// nil for a list element, a callback event or a value not read from an answer.
	Response *ResponseMeta `json:"-"`
}

// resultMeta gives decoding and the request path the embedded meta of any result.
func (m *ResultMeta) resultMeta() *ResultMeta { return m }

// resultMetaHolder is a result, list element or event pointer: every one embeds ResultMeta.
type resultMetaHolder interface{ resultMeta() *ResultMeta }

// resultMetaOf returns the ResultMeta of a result pointer, or nil when it has none.
func resultMetaOf(v any) *ResultMeta {
	if r, ok := v.(resultMetaHolder); ok && !reflect.ValueOf(r).IsNil() {
		return r.resultMeta()
	}
	return nil
}
