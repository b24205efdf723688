package paycools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"
)

// envelope is the wire form of every request (docs/envelope.md §2): JSON body for POST, query string
// for GET.
type envelope struct {
	AppID string `json:"appId" url:"appId"`
	Param string `json:"param" url:"param"`
	Sign  string `json:"sign" url:"sign"`
}

// call is the one request path every operation goes through: validate, build param
// (+timestamp, +Extra), sign, send (POST body or GET query), decode the response envelope
// into out (a pointer to the result struct, whose Raw field receives the undecoded data), and
// retry what is safe to retry. params is a pointer to the operation's params struct.
func (c *Client) call(ctx context.Context, op Operation, params any, out any) error {
	if ctx == nil {
		return &ValidationError{Operation: op, Fields: []FieldError{{Field: "ctx", Problem: "nil context"}}}
	}
	epp, ok := c.endpoints[op]
	if !ok {
		return fmt.Errorf("paycools: unknown operation %q", op)
	}
	ep := epp // the client's own copy, read only
	if ep.path == "" {
		return &UnsupportedOperationError{Operation: op, Dialect: c.dialect}
	}
	if err := c.validate(op, ep, params); err != nil {
		return err
	}
	base, ts, extra, err := encodeParams(params)
	if err != nil {
		return &ValidationError{Operation: op, Fields: []FieldError{{Field: "param", Problem: err.Error()}}}
	}
	return c.send(ctx, op, ep, params, base, ts, extra, out)
}

// send builds, signs and sends the request of a validated call (its params encoded once:
// base, the caller's timestamp or 0, Extra), with the ledger's intent for a money-moving
// create, and retries what is safe to retry: the part of the request path that Client.Call
// shares with the modelled operations.
func (c *Client) send(ctx context.Context, op Operation, ep *endpoint, params any, base []byte, ts int64, extra map[string]any, out any) error {
	if ep.form == FormFlat {
		for _, k := range [...]string{"appId", "sign"} {
			if _, bad := extra[k]; bad {
				return &ValidationError{Operation: op, Fields: []FieldError{{Field: "Extra", Problem: "Extra[" + strconv.Quote(k) + "] is set by the SDK and cannot be given"}}}
			}
		}
	} else {
		extra = c.envelopeAppName(ep, base, extra)
	}
	build := func() (wireRequest, error) { return c.buildEnvelope(op, ep, base, ts, extra) }
	if ep.form == FormFlat {
		path, perr := fillPath(ep.path, base)
		if perr != nil {
			return &ValidationError{Operation: op, Fields: []FieldError{{Field: "path", Problem: perr.Error()}}}
		}
		build = func() (wireRequest, error) {
			fa, err := c.buildFlat(op, ep, base, ts, extra)
			if err != nil {
				return wireRequest{}, &ValidationError{Operation: op, Fields: []FieldError{{Field: "param", Problem: err.Error()}}}
			}
			return wireRequest{path: path, body: fa.body, query: fa.query, signed: fa.signed}, nil
		}
	}
	if ep.kind == kindMoney && c.ledger != nil {
		if in := ledgerIntent(ctx); in != nil {
			build = c.recordOnFirstBuild(ctx, op, in, build)
		}
	}

	var lastErr error
	unknown := false
	for attempt := 1; ; attempt++ {
		res := c.attempt(ctx, op, *ep, build, out, attempt)
		if res.err == nil {
			if ep.kind == kindMoney {
				c.logMoneyMoved(ctx, op, params, attempt)
			}
			return nil
		}
		var ve *ValidationError
		var le *LedgerError
		if errors.As(res.err, &ve) || errors.As(res.err, &le) {
			return res.err
		}
		lastErr = res.err
		if IsOutcomeUnknown(res.err) {
			unknown = true
		}
		if attempt > c.retries || !res.retry(ep.kind) {
			break
		}
		if err := c.sleep(ctx, c.backoff(attempt, res.retryAfter)); err != nil {
			lastErr = errors.Join(lastErr, err)
			break
		}
	}
	if unknown {
		lastErr = markUnknown(lastErr)
	}
	return lastErr
}

// wireRequest is one attempt as it goes on the wire: the envelope's param and sign, or a flat
// body (POST) or query (GET).
type wireRequest struct {
	path   string
	param  []byte // envelope form
	sign   string // envelope form
	body   []byte // flat form, POST
	query  string // flat form, GET
	signed []byte // flat form: the canonical string the sign covers
}

// buildEnvelope makes the param of one attempt (fresh timestamp) and signs it with the
// client's EnvelopeSigning.
func (c *Client) buildEnvelope(op Operation, ep *endpoint, base []byte, ts int64, extra map[string]any) (wireRequest, error) {
	param, err := buildParam(base, ts, extra, c.clock)
	if err != nil {
		return wireRequest{}, &ValidationError{Operation: op, Fields: []FieldError{{Field: "Extra", Problem: err.Error()}}}
	}
	msg := param
	if c.envSigning == EnvelopeSignsAppIDAndParam {
		msg = envelopeMessage(c.appID, param)
	}
	sign, err := signParam(c.signer, msg)
	if err != nil {
		return wireRequest{}, err
	}
	path, err := fillPath(ep.path, param)
	if err != nil {
		return wireRequest{}, &ValidationError{Operation: op, Fields: []FieldError{{Field: "path", Problem: err.Error()}}}
	}
	return wireRequest{path: path, param: param, sign: sign}, nil
}

// envelopeMessage is the EnvelopeSignsAppIDAndParam message: "appId=" + appId + "&param=" +
// param, with no encoding and no sorting (docs/dialects.md §4.1).
func envelopeMessage(appID string, param []byte) []byte {
	m := make([]byte, 0, len(appID)+len(param)+13)
	m = append(m, "appId="...)
	m = append(m, appID...)
	m = append(m, "&param="...)
	return append(m, param...)
}

// envelopeAppName adds the client's WithAppName to an envelope operation whose row lists
// appName when neither the params nor Extra carry one.
func (c *Client) envelopeAppName(ep *endpoint, base []byte, extra map[string]any) map[string]any {
	if c.appName == "" {
		return extra
	}
	if listed, _ := ep.lists("appName"); !listed {
		return extra
	}
	if v, ok := extra["appName"]; ok && v != nil && v != "" {
		return extra
	}
	if bytes.Contains(base, []byte(`"appName":"`)) && !bytes.Contains(base, []byte(`"appName":""`)) {
		return extra
	}
	m := make(map[string]any, len(extra)+1)
	for k, v := range extra {
		m[k] = v
	}
	m["appName"] = c.appName
	return m
}

// markUnknown makes sure that an error following an attempt whose outcome was unknown still
// says so, whatever later attempts reported.
func markUnknown(err error) error {
	if IsOutcomeUnknown(err) {
		return err
	}
	var te *TransportError
	if errors.As(err, &te) {
		cp := *te
		cp.OutcomeUnknown = true
		return &cp
	}
	var he *HTTPError
	if errors.As(err, &he) {
		cp := *he
		cp.OutcomeUnknown = true
		return &cp
	}
	var ae *APIError
	if errors.As(err, &ae) {
		cp := *ae
		cp.OutcomeUnknown = true
		return &cp
	}
	return err
}

// attemptResult is the outcome of one attempt and what the retry rules need to know about it.
type attemptResult struct {
	err        error
	retryAll   bool // safe to resend for any operation (nothing was processed)
	retryQuery bool // safe to resend a query
	retryAfter time.Duration
}

func (r attemptResult) retry(kind operationKind) bool {
	if r.retryAll {
		return true
	}
	return kind == kindQuery && r.retryQuery
}

func (c *Client) attempt(ctx context.Context, op Operation, ep endpoint, build func() (wireRequest, error), out any, attempt int) attemptResult {
	start := time.Now()
	wr, err := build()
	if err != nil {
		return attemptResult{err: err}
	}
	// One allocation for the trace and its flag (set by the transport, possibly from another
	// goroutine), one for the closure.
	st := &sentTrace{}
	st.trace.GotConn = func(httptrace.GotConnInfo) { st.sent.Store(true) }
	sent, trace := &st.sent, &st.trace
	// The request is made with the traced context directly: req.WithContext would copy it.
	tctx := httptrace.WithClientTrace(ctx, trace)
	var req *http.Request
	if wr.param != nil {
		req, err = c.newRequest(tctx, ep.method, c.baseURL+wr.path, wr.param, wr.sign)
	} else {
		req, err = c.newFlatRequest(tctx, ep.method, c.baseURL, wr)
	}
	if err != nil {
		return attemptResult{err: &TransportError{Operation: op, Err: err}}
	}
	path := wr.path
	resp, err := c.httpClient.Do(req)
	if err != nil {
		// The transport calls GotConn before writing; without a connection nothing was sent.
		r := attemptResult{err: &TransportError{Operation: op, OutcomeUnknown: sent.Load(), Err: unwrapURLError(err)}}
		r.retryAll = !sent.Load() && ctx.Err() == nil
		r.retryQuery = ctx.Err() == nil
		c.logAttempt(ctx, op, path, attempt, start, 0, 0, r.err)
		return r
	}
	body, readErr := readCapped(resp.Body, maxResponseBytes)
	resp.Body.Close()
	if readErr != nil && !errors.Is(readErr, errBodyTooLarge) {
		r := attemptResult{err: &TransportError{Operation: op, OutcomeUnknown: true, Err: readErr}}
		r.retryQuery = ctx.Err() == nil
		c.logAttempt(ctx, op, path, attempt, start, resp.StatusCode, 0, r.err)
		return r
	}
	code, r := c.handleResponse(ctx, op, path, resp, body, readErr != nil, out, attempt)
	c.logAttempt(ctx, op, path, attempt, start, resp.StatusCode, code, r.err)
	return r
}

// newFlatRequest makes the HTTP request of a flat attempt: the body for POST, the query for
// GET.
func (c *Client) newFlatRequest(ctx context.Context, method, base string, wr wireRequest) (*http.Request, error) {
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequestWithContext(ctx, method, base+wr.path+"?"+wr.query, nil) // one concatenation
	} else {
		req, err = http.NewRequestWithContext(ctx, method, base+wr.path, bytes.NewReader(wr.body))
	}
	if err != nil {
		return nil, err
	}
	c.setHeaders(req)
	return req, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) newRequest(ctx context.Context, method, u string, param []byte, sign string) (*http.Request, error) {
	var req *http.Request
	var err error
	if method == http.MethodGet && getSendsQueryString {
		v, qerr := query.Values(envelope{AppID: c.appID, Param: string(param), Sign: sign})
		if qerr != nil {
			return nil, qerr
		}
		req, err = http.NewRequestWithContext(ctx, method, u+"?"+v.Encode(), nil)
	} else {
		// Room for the whole body at once: the three values, a backslash for every quote and
		// backslash of param, and the names and punctuation.
		body := make([]byte, 0, len(c.appID)+len(param)+len(sign)+40+
			bytes.Count(param, []byte(`"`))+bytes.Count(param, []byte(`\`)))
		body = appendEnvelope(body, c.appID, param, sign)
		req, err = http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	}
	if err != nil {
		return nil, err
	}
	c.setHeaders(req)
	return req, nil
}

// setHeaders sets Accept, User-Agent and, with a body, Content-Type.
func (c *Client) setHeaders(req *http.Request) {
	// The header values share one backing array, one allocation instead of one per header
	// (Header.Set allocates a []string each). The keys are already canonical. Each slice has
	// its capacity cut to 1, so an Add by a RoundTripper copies instead of overwriting the next.
	vals := make([]string, 3)
	vals[0], vals[1], vals[2] = "application/json", c.userAgent, "application/json"
	req.Header["Accept"] = vals[0:1:1]
	req.Header["User-Agent"] = vals[1:2:2]
	if req.Body != nil {
		req.Header["Content-Type"] = vals[2:3:3]
	}
}

var errBodyTooLarge = errors.New("response body over the size cap")

// readCapped reads at most max bytes. A longer body gives errBodyTooLarge (and the bytes
// read); the rest is not drained, so the connection is dropped rather than reading megabytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	// io.ReadAll(io.LimitReader(r, max+1)) without the LimitReader allocation.
	b := make([]byte, 0, min(512, max+1))
	for {
		lim := int64(cap(b))
		if lim > max+1 {
			lim = max + 1
		}
		n, err := r.Read(b[len(b):lim])
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			return b[:max], errBodyTooLarge
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

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

// envelopeNames are the top-level names of a response envelope, which must not repeat
// (encoding/json matches them ignoring case and keeps the last).
var envelopeNames = [...]string{"code", "message", "msg", "data"}

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
	// outcome unknown: the create is reconciled by merchant order id (docs/codes.md).
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

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// backoff returns the wait before attempt+1: exponential from backoffMin, capped at
// backoffMax, with jitter in [d/2, d]; at least the server's Retry-After (capped).
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := c.backoffMin << (attempt - 1)
	if d > c.backoffMax || d <= 0 {
		d = c.backoffMax
	}
	d = d/2 + rand.N(d/2+1)
	if retryAfter > maxRetryAfter {
		retryAfter = maxRetryAfter
	}
	if retryAfter > d {
		d = retryAfter
	}
	return d
}

// sleep waits for d or until ctx ends, whichever comes first.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// encodeParams serializes a params struct once: compact JSON without HTML escaping, its
// Timestamp (0 when the clock must fill it) and its Extra map.
func encodeParams(params any) (base []byte, ts int64, extra map[string]any, err error) {
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return []byte("{}"), 0, nil, nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, 0, nil, fmt.Errorf("params of type %T are not a struct", params)
	}
	if rf := requestFieldsOf(params); rf != nil {
		ts, extra = rf.Timestamp, rf.Extra
	}
	base, err = marshalCompact(params)
	if err != nil {
		return nil, 0, nil, err
	}
	if len(base) < 2 || base[0] != '{' {
		return nil, 0, nil, errors.New("params do not serialize to a JSON object")
	}
	return base, ts, extra, nil
}

// marshalCompact is json.Marshal without HTML escaping and without the trailing newline.
func marshalCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// buildParam returns the exact param bytes of one attempt: the struct's fields, then
// timestamp (the caller's, or the clock's in milliseconds, fresh on every attempt), then the
// Extra entries (docs/envelope.md §3; validation refused any Extra key the params model, and
// timestamp).
func buildParam(base []byte, ts int64, extra map[string]any, clock func() time.Time) ([]byte, error) {
	out := make([]byte, 0, len(base)+64)
	out = append(out, base[:len(base)-1]...)
	hasFields := len(bytes.TrimSpace(base[1:len(base)-1])) > 0
	if ts == 0 {
		// A non-zero Timestamp set by the caller is already in base.
		ts = clock().UnixMilli()
		if hasFields {
			out = append(out, ',')
		}
		out = append(out, `"timestamp":`...)
		out = strconv.AppendInt(out, ts, 10)
	}
	out = append(out, '}')
	if len(extra) == 0 {
		return out, nil
	}
	return mergeExtra(out, extra)
}

// mergeExtra replaces or appends the Extra entries in a JSON object, keeping the order of the
// other keys. Extra keys are added in sorted order, so the result is deterministic.
func mergeExtra(obj []byte, extra map[string]any) ([]byte, error) {
	type kv struct {
		k string
		v json.RawMessage
	}
	var fields []kv
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		fields = append(fields, kv{t.(string), v})
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		raw, err := marshalCompact(extra[k])
		if err != nil {
			return nil, fmt.Errorf("extra field %q: %v", k, err)
		}
		replaced := false
		for i := range fields {
			if fields[i].k == k {
				fields[i].v, replaced = raw, true
			}
		}
		if !replaced {
			fields = append(fields, kv{k, raw})
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshalCompact(f.k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(f.v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fillPath replaces {jsonName} placeholders with the path-escaped value of that param field.
func fillPath(path string, param []byte) (string, error) {
	if !strings.Contains(path, "{") {
		return path, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(param, &fields); err != nil {
		return "", err
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			return b.String(), nil
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed placeholder in %q", path)
		}
		name := path[i+1 : i+j]
		val, err := decodeString(fields[name])
		if err != nil || val == "" {
			return "", fmt.Errorf("path needs %s, which is empty", name)
		}
		b.WriteString(path[:i])
		b.WriteString(url.PathEscape(val))
		path = path[i+j+1:]
	}
}

// logAttempt writes the one line per attempt: never param, sign or keys.
func (c *Client) logAttempt(ctx context.Context, op Operation, path string, attempt int, start time.Time, status, code int, err error) {
	if c.observer != nil {
		c.observer(ctx, Attempt{Operation: op, Path: path, Attempt: attempt, Duration: time.Since(start),
			HTTPStatus: status, Code: code, Err: err, OutcomeUnknown: IsOutcomeUnknown(err)})
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !c.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", string(op)),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Int("http_status", status),
		slog.Int("code", code),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redactText(err.Error(), 300)))
	}
	c.logger.LogAttrs(ctx, level, "paycools request", attrs...)
}

// logMoneyMoved writes the one Info line of a money-moving call that succeeded: the
// operation, the amount (minor units), the merchant order id and the account masked to its
// last four characters, so that a merchant's logs show every payout, payment and refund
// without Debug. Nothing else is logged at Info.
func (c *Client) logMoneyMoved(ctx context.Context, op Operation, params any, attempts int) {
	if !c.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	v := validation{rules: c.rules}
	rv := reflect.Indirect(reflect.ValueOf(params))
	attrs := []slog.Attr{slog.String("operation", string(op))}
	for _, name := range [...]string{"amount", "refundAmount"} {
		if f, ok := fieldJSON(&v, rv, name); ok && f.CanInt() {
			attrs = append(attrs, slog.Int64("amount", f.Int()))
			break
		}
	}
	for _, name := range [...]string{"mchOrderId", "mchRefundOrderId"} {
		if s := fieldStringJSON(&v, rv, name); s != "" {
			attrs = append(attrs, slog.String("mch_order_id", s))
			break
		}
	}
	if s := fieldStringJSON(&v, rv, "originalTransactionId"); s != "" {
		attrs = append(attrs, slog.String("original_transaction_id", s))
	}
	if s := fieldStringJSON(&v, rv, "accountNo"); s != "" {
		attrs = append(attrs, slog.String("account", MaskAccountNumber(s)))
	}
	attrs = append(attrs, slog.Int("attempts", attempts))
	c.logger.LogAttrs(ctx, slog.LevelInfo, "paycools money-moving call succeeded", attrs...)
}

// do is how every operation method calls the request path: it allocates the result type,
// runs call, and returns the typed result. Family files use it in one line per operation.
func do[T any](ctx context.Context, c *Client, op Operation, params any) (*T, error) {
	out := new(T)
	if err := c.call(ctx, op, params, out); err != nil {
		return nil, err
	}
	return out, nil
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

// Attempt is one HTTP attempt of a call, as the WithAttemptObserver function sees it.
type Attempt struct {
	// Operation is the SDK operation, e.g. OpPayoutCreate ("Payouts.Create").
	Operation Operation
	// Path is the URL path requested.
	Path string
	// Attempt counts from 1; above 1 it is a retry.
	Attempt int
	// Duration is the attempt's time, from signing to the answer read.
	Duration time.Duration
	// HTTPStatus is the answer's status, 0 when none came.
	HTTPStatus int
	// Code is PayCools' response code, 0 when the answer had none.
	Code int
	// Err is the attempt's error (nil on success); its text is safe to record.
	Err error
	// OutcomeUnknown reports whether the request may have been acted on without an answer
	// saying so.
	OutcomeUnknown bool
}

// WithAttemptObserver calls fn after every HTTP attempt of every call (retries included),
// synchronously, on the calling goroutine, with the call's ctx: wire it to metrics or tracing
// (examples/otel shows OpenTelemetry). fn must be quick and safe for concurrent use; it
// must not call the client.
func WithAttemptObserver(fn func(ctx context.Context, a Attempt)) Option {
	return func(c *Client) error {
		c.observer = fn
		return nil
	}
}

// sentTrace is the client trace of one attempt with the flag it sets when a connection was
// obtained (after which the request may have been sent).
type sentTrace struct {
	trace httptrace.ClientTrace
	sent  atomic.Bool
}
