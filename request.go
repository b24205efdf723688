package paycools

// The one request path every operation and Client.Call go through: validate, build, sign,
// send, classify the answer, retry what is safe to retry. Building and signing are in
// requestbuild.go, the HTTP exchange in transport.go, the answer in response.go, logging and
// observers in observe.go.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"time"
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

// do is how every operation method calls the request path: it allocates the result type,
// runs call, and returns the typed result. Family files use it in one line per operation.
func do[T any](ctx context.Context, c *Client, op Operation, params any) (*T, error) {
	out := new(T)
	if err := c.call(ctx, op, params, out); err != nil {
		return nil, err
	}
	return out, nil
}
