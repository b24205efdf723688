package paycoolstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Route is an operation the gateway does not model, added with WithRoute so that code that
// reaches it through paycools.Client.Call can be tested. The gateway checks its requests with
// its own code, exactly as it checks its modelled routes of the same form in its dialect, and
// only a request that passes reaches Handle:
//
//   - the envelope form: appId, the signature (over param, or over appId=...&param=... on a
//     PH gateway under WithEnvelopeSigning's default), param a JSON object and its timestamp
//     within the window (WithTimestampWindow);
//   - the flat form (PH gateway only): appId and the signature over the sorted name=value
//     string of the body's (or a GET's query's) members; a timestamp, when the request has
//     one, within the window.
//
// A refused request is answered with the code a modelled route gives (21001 / 1003 for a bad
// signature, 21003 / 1001 for another appId, ...). Requests are recorded in Requests, under
// the Operation "METHOD path" (e.g. "POST /api/v1/merchant/info", the name Client.Call gives
// it), and InjectFault applies to that operation or to the path.
type Route struct {
	// Method is "GET" or "POST" (any case). A GET carries the signed fields in its query
	// string.
	Method string
	// Path is the request path, e.g. "/api/v1/merchant/info". It may hold {name} placeholders:
	// such a segment matches any value, which Handle receives as field name when the request
	// does not carry it (one that carries another value is refused as a param error).
	Path string
	// Form is how requests are laid out and signed: paycools.FormEnvelope or paycools.FormFlat.
	// The zero Form is the dialect's usual form for the path: on a PH gateway flat, except
	// under /api/v2/checkout/; on an open-api gateway the envelope, its only form.
	Form paycools.BodyForm
	// Handle answers a request the gateway verified. fields are its business fields: the
	// envelope's param decoded (timestamp included), or the flat members with a value (a
	// GET's query values), without appId and sign. Numbers are json.Number, query values
	// strings. It returns the answer's data (anything encoding/json serializes; nil for none)
	// or a refusal. Requests are handled concurrently; Handle may call the Server's methods.
	// It runs on the gateway's goroutine, not the test's: it must not call t.Fatal (keep what
	// it saw and check it in the test), and Close waits for it to return.
	Handle func(fields map[string]any) (data any, refusal *Refusal)
}

// Refusal is what a Route's Handle answers instead of data: the gateway sends
// {"code":Code,"message":Message} in its dialect's shape, and paycools.Client.Call returns it
// as a *paycools.APIError with that Code.
type Refusal struct {
	// Code is the response code, in the gateway's dialect: 21xxx on an open-api gateway
	// (21006: not found), 1xxx on a PH one (1008). On a PH gateway an open-api code that has a
	// PH twin is answered as the twin, as the modelled routes' refusals are. 0 is answered as a
	// server error (21000, or 1018 on a PH gateway) that names the route.
	Code int
	// Message is the text sent with Code (default: the code's documented text, Message(Code)).
	Message string
}

// WithRoute adds a route the gateway does not model (see Route). NewServerAt returns an error
// (New fails the test, NewServer panics) when the route is invalid: a method other than GET
// or POST, a path that does not start with / or holds ? or #, no Handle, the flat form on an
// open-api gateway, a path the gateway serves itself (SandboxPrefix, the payer pages), or a
// method and path that overlap a route the gateway models in either dialect or another
// WithRoute route.
func WithRoute(r Route) Option { return func(c *config) { c.routes = append(c.routes, r) } }

// customRoutes checks the WithRoute routes of cfg and makes them the gateway's own rows: the
// open-api-form route the checks and the handler run on, and, on a PH gateway, the PH row a
// request is first translated by.
func customRoutes(cfg *config) (inner []*route, phs []phRoute, err error) {
	for _, r := range cfg.routes {
		method := strings.ToUpper(r.Method)
		name := method + " " + r.Path
		fail := func(format string, a ...any) error {
			return fmt.Errorf("WithRoute %q: %s", name, fmt.Sprintf(format, a...))
		}
		switch {
		case method != http.MethodGet && method != http.MethodPost:
			return nil, nil, fail("the method must be GET or POST")
		case !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, "?#"):
			return nil, nil, fail("the path must start with / and hold no query or fragment")
		case r.Handle == nil:
			return nil, nil, fail("Handle is nil: give the function that answers the route")
		case servedByGateway(method, r.Path):
			return nil, nil, fail("the gateway serves this path itself (the control API under %s or a payer page): pick another path", SandboxPrefix)
		}
		ph := cfg.dialect == paycools.DialectPH
		form := r.Form
		switch {
		case form == 0 && ph && !strings.HasPrefix(r.Path, "/api/v2/checkout/"):
			form = paycools.FormFlat
		case form == 0:
			form = paycools.FormEnvelope
		case form != paycools.FormEnvelope && form != paycools.FormFlat:
			return nil, nil, fail("Form %v is neither paycools.FormEnvelope nor paycools.FormFlat (leave it zero for the dialect's usual form)", r.Form)
		case form == paycools.FormFlat && !ph:
			return nil, nil, fail("the open-api host has no flat routes: use the envelope form, or a PH gateway (WithDialect(paycools.DialectPH))")
		}
		for _, m := range routes {
			if m.method == method && pathsOverlap(m.path, r.Path) {
				return nil, nil, fail("overlaps the modelled route of %s (%s): the gateway answers it already", m.op, m.key())
			}
		}
		for _, m := range phRoutes {
			if m.method == method && pathsOverlap(m.path, r.Path) {
				return nil, nil, fail("overlaps the modelled PH route of %s (%s %s): the gateway answers it already", m.op, m.method, m.path)
			}
		}
		for _, m := range inner {
			if m.method == method && pathsOverlap(m.path, r.Path) {
				return nil, nil, fail("overlaps the route %q added before it", m.key())
			}
		}
		rt := &route{op: paycools.Operation(name), method: method, path: r.Path,
			custom: r.Handle, flat: form == paycools.FormFlat}
		inner = append(inner, rt)
		if ph {
			phs = append(phs, phRoute{op: rt.op, method: method, path: r.Path, flat: rt.flat, anyField: true})
		}
	}
	return inner, phs, nil
}

// pathsOverlap reports whether some request path matches both templates.
func pathsOverlap(a, b string) bool {
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] != bs[i] && !isPlaceholder(as[i]) && !isPlaceholder(bs[i]) {
			return false
		}
	}
	return true
}

func isPlaceholder(seg string) bool {
	return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

// servedByGateway reports whether serveExtra claims method and path (or a path the template
// can take): the control API and the payer pages.
func servedByGateway(method, path string) bool {
	if strings.HasPrefix(path, SandboxPrefix) {
		return true
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if method != http.MethodGet || len(segs) == 0 {
		return false
	}
	if len(segs) == 1 {
		return segs[0] == "favicon.ico" || isPlaceholder(segs[0])
	}
	_, page := pageKinds[segs[0]]
	return page || isPlaceholder(segs[0])
}

// handleCustom runs a WithRoute route's Handle on a verified request, without s.mu (Handle
// may call the Server's methods), and turns its answer into the gateway's.
func (s *Server) handleCustom(c *call) (any, *apiError) {
	fields := make(map[string]any, len(c.p))
	for k, raw := range c.p {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			fields[k] = v
		}
	}
	data, refusal := c.route.custom(fields)
	if refusal != nil {
		if refusal.Code == 0 {
			return nil, &apiError{codeServer, messages[codeServer] + ": paycoolstest: the Handle of " + string(c.route.op) + " refused without a Code"}
		}
		msg := refusal.Message
		if msg == "" {
			msg = messages[refusal.Code]
		}
		return nil, &apiError{refusal.Code, msg}
	}
	b, err := marshalNoEscape(data)
	if err != nil {
		return nil, &apiError{codeServer, messages[codeServer] + ": paycoolstest: the data the Handle of " + string(c.route.op) + " returned does not serialize to JSON: " + err.Error()}
	}
	return json.RawMessage(b), nil
}
