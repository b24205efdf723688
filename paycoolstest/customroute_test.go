package paycoolstest_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/require"
)

// handlerLog is a Route's Handle that keeps the fields of every call and answers data or
// refusal.
type handlerLog struct {
	mu      sync.Mutex
	calls   []map[string]any
	data    any
	refusal *paycoolstest.Refusal
}

func (h *handlerLog) handle(fields map[string]any) (any, *paycoolstest.Refusal) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, fields)
	return h.data, h.refusal
}

func (h *handlerLog) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls)
}

func (h *handlerLog) last(t *testing.T) map[string]any {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(t, h.calls, "the handler never ran")
	return h.calls[len(h.calls)-1]
}

// routeCase is one unmodelled route in one dialect and form.
type routeCase struct {
	name    string
	dialect paycools.Dialect
	route   paycools.Route // as the SDK calls it; Form as given to WithRoute too
	flat    bool           // the request is flat: no timestamp is added
}

var routeCases = []routeCase{
	{"open-api POST envelope", paycools.DialectOpenAPI, paycools.Route{Method: "POST", Path: "/open-api/merchant/info"}, false},
	{"open-api GET envelope", paycools.DialectOpenAPI, paycools.Route{Method: "GET", Path: "/open-api/merchant/{merchantNo}/info"}, false},
	{"PH POST flat", paycools.DialectPH, paycools.Route{Method: "POST", Path: "/api/v1/merchant/info", Form: paycools.FormFlat}, true},
	{"PH GET flat", paycools.DialectPH, paycools.Route{Method: "GET", Path: "/api/v1/merchant/{merchantNo}/info"}, true},
	{"PH POST envelope", paycools.DialectPH, paycools.Route{Method: "POST", Path: "/api/v2/checkout/merchant"}, false},
	{"PH GET envelope", paycools.DialectPH, paycools.Route{Method: "GET", Path: "/api/v1/merchant/detail", Form: paycools.FormEnvelope}, false},
}

// routeGateway starts a gateway of rc's dialect with rc's route answered by h.
func routeGateway(t *testing.T, rc routeCase, h *handlerLog, opts ...paycoolstest.Option) (*paycoolstest.Server, *paycools.Client) {
	t.Helper()
	opts = append([]paycoolstest.Option{paycoolstest.WithDialect(rc.dialect), paycoolstest.WithRoute(paycoolstest.Route{
		Method: rc.route.Method, Path: rc.route.Path, Form: rc.route.Form, Handle: h.handle,
	})}, opts...)
	s, _ := gateway(t, opts...)
	return s, s.Client(paycools.WithRetries(0))
}

// Client.Call on a route the fake does not model reaches the route's Handle with exactly the
// fields sent (the envelope's timestamp besides), and the data Handle returns comes back; the
// request is recorded under the name Call gives it. Before WithRoute the fake answered 404.
func TestWithRouteCallReachesHandler(t *testing.T) {
	for _, rc := range routeCases {
		t.Run(rc.name, func(t *testing.T) {
			h := &handlerLog{data: map[string]any{"merchantName": "Sari-Sari Store", "limit": 5000000}}
			s, c := routeGateway(t, rc, h)
			params := map[string]any{"merchantNo": "M 7/1", "page": 2, "remark": "héllo & co"}
			var out struct {
				MerchantName string          `json:"merchantName"`
				Limit        paycools.Amount `json:"limit"`
				Raw          json.RawMessage
			}
			require.NoError(t, c.Call(ctx(t), rc.route, params, &out))
			require.Equal(t, "Sari-Sari Store", out.MerchantName)
			require.Equal(t, paycools.Amount(5000000), out.Limit)

			got := h.last(t)
			page := any(json.Number("2"))
			if rc.flat && rc.route.Method == "GET" {
				page = "2" // a query value is a string
			}
			want := map[string]any{"merchantNo": "M 7/1", "page": page, "remark": "héllo & co"}
			if !rc.flat {
				require.Equal(t, json.Number(strconv.FormatInt(testNow().UnixMilli(), 10)), got["timestamp"], "the envelope's timestamp")
				want["timestamp"] = got["timestamp"]
			}
			require.Equal(t, want, got, "the handler gets the business fields, without appId and sign")

			op := paycools.Operation(rc.route.Method + " " + rc.route.Path)
			rec, ok := s.LastRequest(op)
			require.True(t, ok, "the request is recorded under %q", op)
			require.Equal(t, 10000, rec.Code)
		})
	}
}

// A Refusal comes back through Client.Call as a *paycools.APIError with its code and message,
// in the dialect's codes; a Refusal without a Code is a server error that names the route.
func TestWithRouteRefusalIsAPIError(t *testing.T) {
	for _, rc := range routeCases {
		t.Run(rc.name, func(t *testing.T) {
			code, want := 21006, 21006
			if rc.dialect == paycools.DialectPH {
				code, want = 1008, 1008
			}
			h := &handlerLog{refusal: &paycoolstest.Refusal{Code: code, Message: "no such merchant"}}
			_, c := routeGateway(t, rc, h)
			err := c.Call(ctx(t), rc.route, map[string]any{"merchantNo": "M1"}, nil)
			var ae *paycools.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, want, ae.Code)
			require.Equal(t, "no such merchant", ae.Message)
			require.Equal(t, 1, h.count())

			h.mu.Lock()
			h.refusal = &paycoolstest.Refusal{}
			h.mu.Unlock()
			err = c.Call(ctx(t), rc.route, map[string]any{"merchantNo": "M1"}, nil)
			require.ErrorAs(t, err, &ae)
			server := 21000
			if rc.dialect == paycools.DialectPH {
				server = 1018
			}
			require.Equal(t, server, ae.Code)
			require.Contains(t, ae.Message, "refused without a Code")
		})
	}
	t.Run("PH gateway turns an open-api code into its twin", func(t *testing.T) {
		h := &handlerLog{refusal: &paycoolstest.Refusal{Code: 21006}}
		_, c := routeGateway(t, routeCases[2], h)
		var ae *paycools.APIError
		require.ErrorAs(t, c.Call(ctx(t), routeCases[2].route, map[string]any{"merchantNo": "M1"}, nil), &ae)
		require.Equal(t, 1008, ae.Code)
	})
}

// Forged requests never reach the handler: a client signing with another key, a client of
// another appId, a clock outside the window, and hand-built bodies (signed then changed,
// unsigned). Each is refused with the code a modelled route of that form gives.
func TestWithRouteForgedRequestsNeverReachHandler(t *testing.T) {
	for _, rc := range routeCases {
		t.Run(rc.name, func(t *testing.T) {
			h := &handlerLog{data: map[string]any{"ok": true}}
			s, _ := routeGateway(t, rc, h)
			ph := rc.dialect == paycools.DialectPH
			codeSign, codeAppID, codeTime := 21001, 21003, 21009
			if ph {
				codeSign, codeAppID, codeTime = 1003, 1001, 1009
			}
			_, platformKey := keys()
			build := func(appID string, signer crypto.Signer, now func() time.Time) *paycools.Client {
				opts := []paycools.Option{paycools.WithBaseURL(s.URL()), paycools.WithDialect(rc.dialect),
					paycools.WithClock(now), paycools.WithRetries(0)}
				if ph {
					opts = append(opts, paycools.WithAppName("paycoolstest"))
				}
				c, err := paycools.NewClient(appID, signer, opts...)
				require.NoError(t, err)
				return c
			}
			// A timestamp outside the window: only the envelope form (and a flat body that
			// carries one) is held to it.
			late := func() time.Time { return testNow().Add(10 * time.Minute) }
			params := map[string]any{"merchantNo": "M1", "timestamp": 0}
			for _, f := range []struct {
				name   string
				client *paycools.Client
				code   int
			}{
				{"another merchant key", build(s.AppID(), platformKey, testNow), codeSign},
				{"another appId", build("0123456789abcdef0123456789abcdef", s.MerchantPrivateKey(), testNow), codeAppID},
				{"a clock 10 minutes late", build(s.AppID(), s.MerchantPrivateKey(), late), codeTime},
			} {
				err := f.client.Call(ctx(t), rc.route, params, nil)
				var ae *paycools.APIError
				require.ErrorAs(t, err, &ae, f.name)
				require.Equal(t, f.code, ae.Code, f.name)
			}

			genuine, forgeries := forgedRequests(t, s, rc)
			for name, f := range forgeries {
				resp, err := http.DefaultClient.Do(f.req)
				require.NoError(t, err)
				var a struct{ Code int }
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&a), name)
				resp.Body.Close()
				want := codeSign
				switch {
				case f.pathDiffers && ph:
					want = 1009
				case f.pathDiffers, f.unsigned && !ph && !rc.flat:
					want = 21002 // a param error; the open-api envelope without sign: "sign is required"
				}
				require.Equal(t, want, a.Code, "%s: refused as a modelled route refuses it", name)
			}
			require.Zero(t, h.count(), "a forged or unsigned request reached the handler")
			// Every refused request is recorded, under the route's operation, with its code.
			op := paycools.Operation(rc.route.Method + " " + rc.route.Path)
			var refused int
			for _, rec := range s.Requests() {
				require.Equal(t, op, rec.Operation)
				require.NotContains(t, []int{0, 10000, 1000, 1}, rec.Code, "%+v", rec)
				refused++
			}
			require.Equal(t, 3+len(forgeries), refused, "each forged request is recorded")
			// The body the forgeries were made from is accepted: they were refused for the change.
			resp, err := http.DefaultClient.Do(genuine.req)
			require.NoError(t, err)
			var a struct{ Code int }
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
			resp.Body.Close()
			require.Contains(t, []int{10000, 1000, 1}, a.Code, "the genuine hand-built request")
			require.Equal(t, 1, h.count())
		})
	}
}

// forged is a hand-built request that must be refused.
type forged struct {
	req         *http.Request
	unsigned    bool
	pathDiffers bool // signed, but the path's placeholder holds another value than the signed field
}

// forgedRequests are hand-built requests to rc's route that must be refused (signed with the
// merchant key then changed, unsigned, sent to a path naming another merchant), and the
// genuine one they were made from.
func forgedRequests(t *testing.T, s *paycoolstest.Server, rc routeCase) (genuine forged, forgeries map[string]forged) {
	t.Helper()
	path := "/" + pathWith(rc.route.Path, "M1")
	signOver := func(msg string) string {
		sum := sha256.Sum256([]byte(msg))
		sig, err := s.MerchantPrivateKey().Sign(rand.Reader, sum[:], crypto.SHA256)
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(sig)
	}
	requestAt := func(path string, fields map[string]string) *http.Request {
		if rc.route.Method == "GET" {
			q := url.Values{}
			for k, v := range fields {
				q.Set(k, v)
			}
			req, err := http.NewRequest("GET", s.URL()+path+"?"+q.Encode(), nil)
			require.NoError(t, err)
			return req
		}
		body, err := json.Marshal(fields)
		require.NoError(t, err)
		req, err := http.NewRequest("POST", s.URL()+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	send := func(fields map[string]string) forged {
		_, signed := fields["sign"]
		return forged{req: requestAt(path, fields), unsigned: !signed}
	}
	// elsewhere sends a genuine request to the path of merchant M2 (templated routes only).
	elsewhere := func(into map[string]forged, fields map[string]string) map[string]forged {
		t.Helper()
		if other := "/" + pathWith(rc.route.Path, "M2"); other != path {
			into["signed for M1, sent to M2's path"] = forged{req: requestAt(other, fields), pathDiffers: true}
		}
		return into
	}
	if rc.flat {
		sig := signOver("appId=" + s.AppID() + "&merchantNo=M1&page=1")
		good := map[string]string{"appId": s.AppID(), "merchantNo": "M1", "page": "1", "sign": sig}
		return send(good), elsewhere(map[string]forged{
			"flat, signed then changed":       send(map[string]string{"appId": s.AppID(), "merchantNo": "M1", "page": "9", "sign": sig}),
			"flat, unsigned":                  send(map[string]string{"appId": s.AppID(), "merchantNo": "M1", "page": "1"}),
			"flat, signature of another body": send(map[string]string{"appId": s.AppID(), "merchantNo": "M2", "page": "1", "sign": sig}),
		}, good)
	}
	param := `{"merchantNo":"M1","timestamp":` + strconv.FormatInt(testNow().UnixMilli(), 10) + `}`
	msg := param
	if rc.dialect == paycools.DialectPH {
		msg = "appId=" + s.AppID() + "&param=" + param
	}
	sig := signOver(msg)
	changed := `{"merchantNo":"M2","timestamp":` + strconv.FormatInt(testNow().UnixMilli(), 10) + `}`
	good := map[string]string{"appId": s.AppID(), "param": param, "sign": sig}
	return send(good), elsewhere(map[string]forged{
		"envelope, signed then changed": send(map[string]string{"appId": s.AppID(), "param": changed, "sign": sig}),
		"envelope, unsigned":            send(map[string]string{"appId": s.AppID(), "param": param}),
		"envelope, garbage signature":   send(map[string]string{"appId": s.AppID(), "param": param, "sign": "AAAA"}),
	}, good)
}

// pathWith fills a route path's one placeholder (if any) with v, without the leading slash.
func pathWith(path, v string) string {
	out := []byte{}
	for i := 1; i < len(path); i++ {
		if path[i] == '{' {
			for path[i] != '}' {
				i++
			}
			out = append(out, url.PathEscape(v)...)
			continue
		}
		out = append(out, path[i])
	}
	return string(out)
}

// Faults apply to a WithRoute route as to a modelled one, by the operation name Client.Call
// gives it or by path: a write whose connection drops after the gateway acted ran its
// handler once, and the SDK reports the outcome unknown.
func TestWithRouteFaults(t *testing.T) {
	for _, rc := range []routeCase{routeCases[0], routeCases[2]} {
		t.Run(rc.name, func(t *testing.T) {
			h := &handlerLog{data: map[string]any{"ok": true}}
			s, c := routeGateway(t, rc, h)
			write := rc.route
			write.Write = true
			s.InjectFault(paycools.Operation(rc.route.Method+" "+rc.route.Path), paycoolstest.Fault{DropAfterAction: true})
			err := c.Call(ctx(t), write, map[string]any{"merchantNo": "M1"}, nil)
			require.Error(t, err)
			require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
			require.Equal(t, 1, h.count(), "the gateway acted before it dropped the connection")

			s.InjectFault(paycools.Operation(rc.route.Path), paycoolstest.Fault{DropBeforeAction: true})
			err = c.Call(ctx(t), write, map[string]any{"merchantNo": "M1"}, nil)
			require.Error(t, err)
			require.Equal(t, 1, h.count(), "the gateway dropped the connection before it acted")
			rec, ok := s.LastRequest(paycools.Operation(rc.route.Method + " " + rc.route.Path))
			require.True(t, ok)
			require.True(t, rec.Dropped)

			require.NoError(t, c.Call(ctx(t), write, map[string]any{"merchantNo": "M1"}, nil), "faults apply once")
			require.Equal(t, 2, h.count())
		})
	}
}

// A route that is invalid, or overlaps a route the gateway answers already, is refused when
// the gateway is built, with an error that names it.
func TestWithRouteRefusesBadRoutes(t *testing.T) {
	m, p := keys()
	ok := func(map[string]any) (any, *paycoolstest.Refusal) { return nil, nil }
	for _, tc := range []struct {
		name    string
		dialect paycools.Dialect
		routes  []paycoolstest.Route
		want    string
	}{
		{"modelled open-api route", paycools.DialectOpenAPI, []paycoolstest.Route{{Method: "POST", Path: "/open-api/account/balance", Handle: ok}}, "Account.Balance"},
		{"modelled PH route, templated", paycools.DialectPH, []paycoolstest.Route{{Method: "get", Path: "/api/v1/payment/TX1", Handle: ok}}, "/api/v1/payment/{transactionId}"},
		{"modelled route of the other dialect", paycools.DialectOpenAPI, []paycoolstest.Route{{Method: "POST", Path: "/api/v1/payout", Handle: ok}}, "/api/v1/payout"},
		{"another WithRoute", paycools.DialectOpenAPI, []paycoolstest.Route{{Method: "POST", Path: "/x/{id}", Handle: ok}, {Method: "POST", Path: "/x/1", Handle: ok}}, "added before it"},
		{"control API", paycools.DialectOpenAPI, []paycoolstest.Route{{Method: "POST", Path: "/sandbox/mine", Handle: ok}}, "serves this path itself"},
		{"payer page", paycools.DialectPH, []paycoolstest.Route{{Method: "GET", Path: "/pay/{id}", Handle: ok}}, "serves this path itself"},
		{"flat on open-api", paycools.DialectOpenAPI, []paycoolstest.Route{{Method: "POST", Path: "/x", Form: paycools.FormFlat, Handle: ok}}, "no flat routes"},
		{"no Handle", paycools.DialectPH, []paycoolstest.Route{{Method: "POST", Path: "/x"}}, "Handle is nil"},
		{"PUT", paycools.DialectPH, []paycoolstest.Route{{Method: "PUT", Path: "/x", Handle: ok}}, "GET or POST"},
		{"relative path", paycools.DialectPH, []paycoolstest.Route{{Method: "POST", Path: "x", Handle: ok}}, "must start with /"},
		{"bad form", paycools.DialectPH, []paycoolstest.Route{{Method: "POST", Path: "/x", Form: 9, Handle: ok}}, "neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []paycoolstest.Option{paycoolstest.WithKeys(m, p), paycoolstest.WithDialect(tc.dialect)}
			for _, r := range tc.routes {
				opts = append(opts, paycoolstest.WithRoute(r))
			}
			s, err := paycoolstest.NewServerAt("127.0.0.1:0", opts...)
			if s != nil {
				s.Close()
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), "WithRoute")
			require.Contains(t, err.Error(), tc.want)
		})
	}
	// The same path under another method, and a distinct path, are fine.
	s, err := paycoolstest.NewServerAt("127.0.0.1:0", paycoolstest.WithKeys(m, p),
		paycoolstest.WithRoute(paycoolstest.Route{Method: "GET", Path: "/open-api/account/balance", Handle: ok}),
		paycoolstest.WithRoute(paycoolstest.Route{Method: "POST", Path: "/x/{id}", Handle: ok}))
	require.NoError(t, err)
	s.Close()
}

// A WithRoute Handle runs without the gateway's lock: it may read and change the gateway's
// state (a handler that calls Balance would deadlock if it ran under the lock).
func TestWithRouteHandleMayCallTheServer(t *testing.T) {
	var s *paycoolstest.Server
	ready := make(chan struct{}) // closed once s is set: the handler reads s after that
	rc := routeCases[0]
	s, _ = gateway(t, paycoolstest.WithRoute(paycoolstest.Route{Method: "POST", Path: rc.route.Path,
		Handle: func(map[string]any) (any, *paycoolstest.Refusal) {
			<-ready
			return map[string]any{"balance": s.Balance()}, nil
		}}))
	close(ready)
	var out struct {
		Balance paycools.Amount `json:"balance"`
	}
	require.NoError(t, s.Client(paycools.WithRetries(0)).Call(ctx(t), rc.route, nil, &out))
	require.Equal(t, paycoolstest.DefaultBalance, out.Balance)
}
