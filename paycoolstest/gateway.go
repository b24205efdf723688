package paycoolstest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// maxRequestBytes caps a request body; a larger one is answered 21002.
const maxRequestBytes = 1 << 20

// route is one operation the gateway answers: method, path template ({name} placeholders are
// path segments that must equal the param field of that name), field rules and handler.
type route struct {
	op     paycools.Operation
	method string
	path   string
	fields []field
	// handle acts on a request whose envelope, signature, timestamp and fields are valid. It
	// runs with s.mu held and returns the data of the answer or a refusal.
	handle func(s *Server, c *call) (any, *apiError)
	// custom is the Handle of a WithRoute route (nil for a modelled one), run instead of handle
	// and without s.mu.
	custom func(fields map[string]any) (any, *Refusal)
	// flat marks a WithRoute route of the flat form. Its requests arrive through the PH flat
	// translation, which stamps no timestamp for it: one without a timestamp passes, one with
	// a timestamp is held to the window, as on the modelled flat routes.
	flat bool
}

// key identifies the route for faults.
func (r *route) key() string { return r.method + " " + r.path }

// call is one request being handled.
type call struct {
	route *route
	vars  map[string]string // path placeholders
	p     params
	now   time.Time
	after []func() // run after the answer was written (e.g. a callback that follows)
}

// routes is the gateway's own copy of the operation table (endpoints.tsv). Family files add to
// it from init functions through addRoute; it is not written afterwards.
var routes []*route

// aliases maps operations that share another operation's route (WebPayments.Channels and
// Checkout.Channels have one path) to that route's operation.
var aliases = map[paycools.Operation]paycools.Operation{}

func addRoute(r *route) { routes = append(routes, r) }

// match finds the route of a method and escaped path (a WithRoute route first), with its
// placeholder values, unescaped: an id holding "/" is one segment. pathKnown reports whether
// the path exists for some other method.
func (s *Server) match(method, path string) (r *route, vars map[string]string, pathKnown bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, table := range [...][]*route{s.custom, routes} {
		for _, rt := range table {
			v, ok := matchPath(rt.path, segs)
			if !ok {
				continue
			}
			if rt.method != method {
				pathKnown = true
				continue
			}
			return rt, v, true
		}
	}
	return nil, nil, pathKnown
}

func matchPath(tmpl string, segs []string) (map[string]string, bool) {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	if len(ts) != len(segs) {
		return nil, false
	}
	var vars map[string]string
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			if vars == nil {
				vars = map[string]string{}
			}
			vars[t[1:len(t)-1]] = v
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	return vars, true
}

// Request is one request the gateway received, as it understood it.
type Request struct {
	// Time is when it arrived, by the gateway's clock.
	Time time.Time
	// Method and Path are the HTTP method and the URL path.
	Method, Path string
	// Operation is the operation the path belongs to ("" for an unknown path). The channel
	// list path, shared by WebPayments.Channels and Checkout.Channels, is recorded as
	// Checkout.Channels. A WithRoute route's is its method and path, e.g.
	// "POST /api/v1/merchant/info", as paycools.Client.Call names it.
	Operation paycools.Operation
	// AppID, Param and Sign are the envelope as received (Param exactly, before any decoding).
	// On a PH gateway, a request that passes the PH checks is recorded as translated into the
	// open-api form (its open-api path, param, sign and codes); one they refuse (a bad
	// signature or appId, ...) as received, with the PH code answered: a flat one's appId and
	// sign in AppID and Sign, its other members in Fields, Param "".
	AppID, Param, Sign string
	// Fields is Param decoded (numbers as json.Number); nil when Param is not a JSON object.
	Fields map[string]any
	// Code and Message are the answer's code and message (0 and "" when no envelope was
	// answered: an unknown path, or a dropped connection before the gateway answered).
	Code    int
	Message string
	// HTTPStatus is the HTTP status answered (0 when the connection was dropped).
	HTTPStatus int
	// Fault is the injected fault that applied to this request, if any.
	Fault *Fault
	// Dropped reports that the connection was closed without an answer.
	Dropped bool
}

// Requests returns a copy of the requests received so far, oldest first (the most recent
// 10000).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// LastRequest returns the most recent request of op (false when there is none).
func (s *Server) LastRequest(op paycools.Operation) (Request, bool) {
	if a, ok := aliases[op]; ok {
		op = a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if s.reqs[i].Operation == op {
			return s.reqs[i], true
		}
	}
	return Request{}, false
}

// answer is the response body of the envelope form.
type answer struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.begin() {
		http.Error(w, "gateway closed", http.StatusServiceUnavailable)
		return
	}
	defer s.inflight.Done()
	if s.serveExtra(w, r) {
		return
	}
	if s.Dialect() == paycools.DialectPH && s.servePH(w, r) {
		return
	}
	if s.Dialect() == paycools.DialectPH {
		// The PH host does not serve the open-api paths.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"status":404,"error":"Not Found","path":`+strconv.Quote(r.URL.Path)+`}`)
		return
	}
	s.serveGateway(w, r)
}

// serveGateway answers an open-api request: route, faults, checks, handler, answer.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	rec := Request{Time: s.now(), Method: r.Method, Path: r.URL.Path}
	rt, vars, pathKnown := s.match(r.Method, r.URL.EscapedPath())
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	routeKey := ""
	if rt != nil {
		routeKey = rt.key()
		rec.Operation = rt.op
	}
	f := s.takeFault(routeKey, r.URL.Path)
	if f == nil && rt != nil {
		f = s.takePageFault(rt.op, body)
	}
	if f != nil {
		rec.Fault = f
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
			}
		}
		if f.DropBeforeAction || (rt == nil && f.DropAfterAction) {
			rec.Dropped = true
			s.fillEnvelope(&rec, r, body)
			s.record(rec)
			drop(w)
			return
		}
	}
	if rt == nil && (f == nil || (f.Code == 0 && f.Body == "" && f.HTTPStatus == 0)) {
		status := http.StatusNotFound
		if pathKnown {
			status = http.StatusMethodNotAllowed
		}
		// PayCools' web layer answers an unknown path with its own error page, not an envelope.
		rec.HTTPStatus = status
		s.record(rec)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"status":`+strconv.Itoa(status)+`,"error":"`+http.StatusText(status)+`","path":`+strconv.Quote(r.URL.Path)+`}`)
		return
	}

	c := &call{route: rt, vars: vars, now: s.now()}
	var data any
	var aerr *apiError
	replace := f != nil && (f.Code != 0 || f.Body != "" || f.HTTPStatus != 0)
	if rt == nil || replace && !f.ActBeforeAnswer && !f.DropAfterAction {
		s.fillEnvelope(&rec, r, body)
	} else {
		data, aerr = s.process(&rec, r, body, readErr, c)
	}

	if f != nil && f.DropAfterAction {
		rec.Dropped = true
		if aerr != nil {
			rec.Code, rec.Message = aerr.code, aerr.message
		}
		s.record(rec)
		s.runAfter(c)
		drop(w)
		return
	}

	status := http.StatusOK
	var out []byte
	switch {
	case replace && f.Body != "":
		out = []byte(f.Body)
		if f.HTTPStatus != 0 {
			status = f.HTTPStatus
		}
	case replace && f.Code != 0:
		msg := f.Message
		if msg == "" {
			msg = messages[f.Code]
		}
		rec.Code, rec.Message = f.Code, msg
		out = marshalAnswer(answer{Code: f.Code, Message: msg})
		if f.HTTPStatus != 0 {
			status = f.HTTPStatus
		}
	case replace: // HTTPStatus alone: an empty answer with that status
		status = f.HTTPStatus
	case aerr != nil:
		rec.Code, rec.Message = aerr.code, aerr.message
		out = marshalAnswer(answer{Code: aerr.code, Message: aerr.message})
	default:
		rec.Code, rec.Message = codeSuccess, messages[codeSuccess]
		out = marshalAnswer(answer{Code: codeSuccess, Message: messages[codeSuccess], Data: data})
	}
	rec.HTTPStatus = status
	s.record(rec)
	s.cfg.logger.Info("paycoolstest request", "op", string(rec.Operation), "path", r.URL.Path, "code", rec.Code, "status", status)
	if len(out) > 0 {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	s.runAfter(c)
}

// runAfter starts what follows an answer (callbacks) in the background, counted for Close.
func (s *Server) runAfter(c *call) {
	for _, fn := range c.after {
		if !s.begin() {
			return
		}
		go func(fn func()) {
			defer s.inflight.Done()
			fn()
		}(fn)
	}
}

// drop closes the connection without answering.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Without hijacking (HTTP/2), abort the handler: net/http resets the stream.
	panic(http.ErrAbortHandler)
}

func marshalAnswer(a answer) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(a)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// maxRecords bounds the requests and callbacks kept, so that a long-running sandbox does not
// grow without end; the oldest go first.
const maxRecords = 10000

func (s *Server) record(rec Request) {
	s.mu.Lock()
	s.reqs = appendBounded(s.reqs, rec)
	s.mu.Unlock()
}

// ClearRequests forgets the requests recorded so far (Requests starts empty again), e.g.
// between the phases of a test, or in a benchmark that measures the client's memory and not
// the gateway's log.
func (s *Server) ClearRequests() {
	s.mu.Lock()
	s.reqs = nil
	s.mu.Unlock()
}

// appendBounded appends v and drops the oldest elements beyond maxRecords.
func appendBounded[T any](list []T, v T) []T {
	list = append(list, v)
	if len(list) > maxRecords {
		list = append(list[:0:0], list[len(list)-maxRecords:]...)
	}
	return list
}

// envelopeOf extracts appId, param and sign from the body (POST) or the query (GET). ok is
// false when the envelope is malformed; the reason then says why.
func envelopeOf(r *http.Request, body []byte) (appID, param, sign string, reason string) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		for _, n := range []string{"appId", "param", "sign"} {
			if q.Get(n) == "" {
				return "", "", "", n + " is required"
			}
		}
		return q.Get("appId"), q.Get("param"), q.Get("sign"), ""
	}
	var env map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil || env == nil {
		return "", "", "", "body is not a JSON object"
	}
	if dec.More() {
		return "", "", "", "body holds more than one JSON value"
	}
	vals := map[string]string{}
	for _, n := range []string{"appId", "param", "sign"} {
		raw, ok := env[n]
		if !ok || string(bytes.TrimSpace(raw)) == "null" {
			return "", "", "", n + " is required"
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", "", "", n + " must be a string"
		}
		if v == "" {
			return "", "", "", n + " is required"
		}
		vals[n] = v
	}
	return vals["appId"], vals["param"], vals["sign"], ""
}

// fillEnvelope records the envelope of a request the gateway does not process.
func (s *Server) fillEnvelope(rec *Request, r *http.Request, body []byte) {
	appID, param, sign, _ := envelopeOf(r, body)
	rec.AppID, rec.Param, rec.Sign = appID, param, sign
	rec.Fields = decodeFields(param)
}

func decodeFields(param string) map[string]any {
	dec := json.NewDecoder(strings.NewReader(param))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

// process runs the checks of docs/codes.md §7 in order, then the operation's handler.
func (s *Server) process(rec *Request, r *http.Request, body []byte, readErr error, c *call) (any, *apiError) {
	if readErr != nil || len(body) > maxRequestBytes {
		return nil, paramError("body", "cannot be read or is over 1 MiB")
	}
	appID, param, sign, reason := envelopeOf(r, body)
	rec.AppID, rec.Param, rec.Sign = appID, param, sign
	if reason != "" {
		return nil, &apiError{codeParam, messages[codeParam] + ": " + reason}
	}
	rec.Fields = decodeFields(param)
	var p params
	if err := json.Unmarshal([]byte(param), &p); err != nil || p == nil || !strings.HasPrefix(strings.TrimSpace(param), "{") {
		return nil, &apiError{codeParam, messages[codeParam] + ": param is not a JSON object"}
	}
	if appID != s.cfg.appID {
		return nil, refuse(codeAppID)
	}
	if err := verifySign(&s.cfg.merchant.PublicKey, param, sign); err != nil {
		return nil, refuse(codeSign)
	}
	if !c.route.flat || p.present("timestamp") {
		if aerr := s.checkTimestamp(p, c.now); aerr != nil {
			return nil, aerr
		}
	}
	for name, v := range c.vars {
		if p.str(name) != "" && p.str(name) != v {
			return nil, paramError(name, "in the path (%q) differs from param (%q)", v, p.str(name))
		}
		if !p.present(name) {
			p[name], _ = json.Marshal(v)
		}
	}
	if aerr := check(p, c.route.fields); aerr != nil {
		return nil, aerr
	}
	c.p = p
	if c.route.custom != nil {
		return s.handleCustom(c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.route.handle(s, c)
}

// errBadSign is any signature problem: not standard base64, or no verification.
var errBadSign = errors.New("signature does not verify")

// verifySign checks sign (standard base64 with padding) as RSASSA-PKCS1-v1_5 SHA-256 over the
// exact bytes of param.
func verifySign(pub *rsa.PublicKey, param, sign string) error {
	sig, err := base64.StdEncoding.Strict().DecodeString(sign)
	if err != nil {
		return errBadSign
	}
	sum := sha256.Sum256([]byte(param))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return errBadSign
	}
	return nil
}

// checkTimestamp: a JSON number or numeric string; under 10^12 it is seconds; it must be within
// the window of the gateway's clock.
func (s *Server) checkTimestamp(p params, now time.Time) *apiError {
	raw, ok := p["timestamp"]
	if !ok || !p.present("timestamp") {
		return refuse(codeTimestamp)
	}
	ts, ok := readInt(raw)
	if !ok || ts <= 0 {
		return refuse(codeTimestamp)
	}
	if ts < 1e12 {
		ts *= 1000
	}
	if s.cfg.window <= 0 {
		return nil
	}
	d := now.Sub(time.UnixMilli(ts))
	if d > s.cfg.window || d < -s.cfg.window {
		return refuse(codeTimestampExpired)
	}
	return nil
}
