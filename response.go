package paycools

// The answer of one attempt classified: success (data decoded into the result), an API
// refusal (*APIError), or an answer that is not PayCools' envelope (*HTTPError).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// responseEnvelope is every PayCools answer (docs/envelope.md §7).
type responseEnvelope struct {
	Code    envelopeCode    `json:"code"`
	Message *string         `json:"message"`
	Msg     *string         `json:"msg"`
	Data    json.RawMessage `json:"data"`
}

// envelopeCode is the code of a response envelope (docs/dialects.md §6): a JSON integer. A
// quoted, fractional or exponent code is not a PayCools envelope (ok false); decoding never
// fails on it.
type envelopeCode struct {
	n  int64
	ok bool
}

// UnmarshalJSON reads the code strictly; it never fails (ok says whether an integer was read).
func (c *envelopeCode) UnmarshalJSON(b []byte) error {
	c.n, c.ok = 0, false
	// b is a valid JSON value, so no sign but '-' and no leading zeros can reach ParseInt;
	// a string, a fraction or an exponent does not parse.
	if n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil {
		c.n, c.ok = n, true
	}
	return nil
}

// repeatsEnvelopeName reports whether body has one of envelopeNames twice at its top level
// (ignoring case) or is not a single JSON object. A fast scan counts quoted occurrences
// anywhere; only a body where one occurs twice is parsed fully.
func repeatsEnvelopeName(body []byte) bool {
	var counts [len(envelopeNames)]int
	suspect := scanQuotedNames(body, envelopeNames[:], func(k int) bool {
		counts[k]++
		return counts[k] > 1
	})
	if !suspect {
		return false
	}
	pairs, err := parseFlatObject(body)
	if err != nil {
		return true
	}
	var seen [len(envelopeNames)]bool
	for _, p := range pairs {
		for k, name := range envelopeNames {
			if strings.EqualFold(p.name, name) {
				if seen[k] {
					return true
				}
				seen[k] = true
			}
		}
	}
	return false
}

// handleResponse classifies one HTTP answer (docs/envelope.md §7 "Outcomes") and decodes a success.
func (c *Client) handleResponse(ctx context.Context, op Operation, path string, resp *http.Response, body []byte, tooLarge bool, out any, attempt int) (int, attemptResult) {
	meta := &ResponseMeta{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: requestIDOf(resp.Header), Attempts: attempt}
	var env responseEnvelope
	code, ok := 0, false
	if !tooLarge && json.Unmarshal(body, &env) == nil && env.Code.ok && !repeatsEnvelopeName(body) {
		code, ok = int(env.Code.n), true
	}
	if !ok {
		r := httpFailure(op, resp, body, tooLarge)
		he := r.err.(*HTTPError)
		he.Response = meta
		if resp.StatusCode == http.StatusNotFound {
			he.hint = dialectHint(c.dialect, path)
		}
		return 0, r
	}
	if isSuccessCode(code, path) {
		data := unwrapData(env.Data)
		c.decodeResult(ctx, op, data, out)
		setResponse(out, meta)
		return code, attemptResult{}
	}
	msg := ""
	if env.Message != nil {
		msg = *env.Message
	} else if env.Msg != nil {
		msg = *env.Msg
	}
	apiErr := &APIError{Code: code, Message: msg, HTTPStatus: resp.StatusCode, Operation: op, Response: meta}
	if code == 21008 || code == 21009 {
		apiErr.ClockSkew = clockSkew(c.clock(), resp.Header)
	}
	info := codeTable[code]
	// On a money-moving create, a code that does not prove that nothing was created (21000,
	// 21011, 21022, 21023, their PH twins, and every code the table does not know) leaves the
	// outcome unknown: the create's outcome is resolved by merchant order id (docs/codes.md).
	if ep := c.endpoints[op]; ep != nil && ep.kind == kindMoney && !info.nothingCreated {
		apiErr.OutcomeUnknown = true
	}
	r := attemptResult{err: apiErr}
	r.retryAll = info.retry == retryAlways && info.nothingCreated
	r.retryQuery = info.retry != retryNever
	return code, r
}

// isSuccessCode reports whether code is success for an answer to path: 10000 and 1000 on
// every path, 1 only on the codeOneSuccessPrefix family (docs/dialects.md §6).
func isSuccessCode(code int, path string) bool {
	for _, s := range successCodes {
		if s == code {
			return true
		}
	}
	return code == CodeHostSuccess && strings.HasPrefix(path, codeOneSuccessPrefix)
}

// unwrapData returns data, unwrapping it once when PayCools sent the JSON as a JSON string.
func unwrapData(d json.RawMessage) json.RawMessage {
	d = bytes.TrimSpace(d)
	if len(d) > 0 && d[0] == '"' {
		var s string
		if json.Unmarshal(d, &s) == nil {
			t := strings.TrimSpace(s)
			if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
				return json.RawMessage(t)
			}
		}
	}
	if string(d) == "null" {
		return nil
	}
	return d
}

// httpFailure turns an answer without a PayCools envelope into an *HTTPError.
func httpFailure(op Operation, resp *http.Response, body []byte, tooLarge bool) attemptResult {
	st := resp.StatusCode
	he := &HTTPError{StatusCode: st, Operation: op}
	if tooLarge {
		he.Body = fmt.Sprintf("(body over %d bytes, not read)", maxResponseBytes)
	} else {
		he.Body = redactText(string(body[:min(len(body), 2048)]), 200)
	}
	r := attemptResult{err: he}
	switch {
	case st == http.StatusTooManyRequests:
		he.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
		r.retryAll, r.retryAfter = true, he.RetryAfter
	case st == http.StatusBadGateway || st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout:
		he.OutcomeUnknown = true
		he.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
		r.retryQuery, r.retryAfter = true, he.RetryAfter
	case st >= 400 && st < 500:
		// refused before processing; not retried: the same request gets the same answer
	default:
		he.OutcomeUnknown = true
	}
	return r
}

// ResponseMeta is the HTTP metadata of PayCools' answer to the last attempt of a call, on
// results (their Response field) and on *APIError and *HTTPError, as stripe-go's LastResponse.
type ResponseMeta struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Header is the answer's HTTP header.
	Header http.Header
	// RequestID is PayCools' id of the request when the answer carries one (the first of the
	// requestIDHeaders present), else "". Quote it to PayCools support.
	RequestID string
	// Attempts is how many attempts the call made (1 without retries).
	Attempts int
}

// requestIDOf reads the request id header of an answer.
func requestIDOf(h http.Header) string {
	for _, name := range requestIDHeaders {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// setResponse stores meta in the result's Response field, when it has one.
func setResponse(out any, meta *ResponseMeta) {
	if m := resultMetaOf(out); m != nil {
		m.Response = meta
	}
}

// clockSkew is how far the client's clock is ahead of the server's (negative: behind), from
// the answer's Date header; 0 when there is none.
func clockSkew(now time.Time, h http.Header) time.Duration {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return 0
	}
	return now.Sub(d).Truncate(time.Second)
}

// envelopeNames are the top-level names of a response envelope, which must not repeat
// (encoding/json matches them ignoring case and keeps the last).
var envelopeNames = [...]string{"code", "message", "msg", "data"}
