package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Call on the PH balance route sends the same signed GET as Account.Balance, and decodes the
// data into any pointer.
func TestCallReachesThePHBalanceLikeTheModelledOperation(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("GET", "/api/v1/account/checkBalance", `{"code":1000,"message":"success","data":{"balance":"10000.00"}}`)
	modelled, err := c.Account.Balance(context.Background(), nil)
	require.NoError(t, err)

	route := OperationsOf(DialectPH)[OpAccountBalance]
	assert.Equal(t, Route{Method: "GET", Path: "/api/v1/account/checkBalance", Form: FormFlat}, route)
	var out Balance
	require.NoError(t, c.Call(context.Background(), route, nil, &out))
	assert.Equal(t, modelled.Balance, out.Balance, "the data decodes as the modelled result does")
	assert.JSONEq(t, `{"balance":"10000.00"}`, string(out.Raw))
	require.NotNil(t, out.Response, "the answer's metadata is set as on a modelled result")
	assert.Equal(t, 1, out.Response.Attempts)

	require.Equal(t, 2, w.count())
	assert.Equal(t, w.query[0], w.query[1], "byte for byte the request of Account.Balance")
	q, err := url.ParseQuery(w.query[1])
	require.NoError(t, err)
	verifyMerchantSign(t, []byte("appId="+testAppID), q.Get("sign"))

	var m map[string]any
	require.NoError(t, c.Call(context.Background(), Route{Method: "GET", Path: "/api/v1/account/checkBalance"}, nil, &m))
	assert.Equal(t, "10000.00", m["balance"], "a zero Form is the dialect's usual form for the path (flat here)")
}

// In the open-api dialect Call sends the envelope, stamped, signed over param, like
// Account.Balance.
func TestCallReachesTheOpenAPIBalance(t *testing.T) {
	f := newFakeAPI(t)
	f.script("POST", "/open-api/account/balance", okData(`{"balance":50010}`))
	route := Operations()[OpAccountBalance]
	assert.Equal(t, Route{Method: "POST", Path: "/open-api/account/balance", Form: FormEnvelope}, route)
	var out Balance
	require.NoError(t, f.Client.Call(context.Background(), route, map[string]any{"countryCode": "PH"}, &out))
	assert.Equal(t, Amount(50010), out.Balance)
	r := f.last()
	assert.Equal(t, "PH", r.Param["countryCode"])
	assert.Equal(t, fixedNow.UnixMilli(), jsonInt64(t, r.Param["timestamp"]), "stamped by the client clock")
	assert.Equal(t, testAppID, r.Env.AppID)
}

// A flat Call sends exactly the params' fields, appId and sign: a timestamp only when the
// params have one (0: the clock's); path placeholders are filled from the params.
func TestCallFlatSendsExactlyTheParams(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("POST", "/api/v1/merchant/M-1/info", `{"code":1000,"message":"success","data":{"ok":true}}`)
	type info struct {
		MchOrderID string `json:"mchOrderId"`
		Note       string `json:"note,omitempty"`
	}
	r := Route{Method: "POST", Path: "/api/v1/merchant/{mchOrderId}/info", Write: true}
	require.NoError(t, c.Call(context.Background(), r, &info{MchOrderID: "M-1"}, nil))
	flatSigned(t, w.body[0], "appId="+testAppID+"&mchOrderId=M-1")

	require.NoError(t, c.Call(context.Background(), r, map[string]any{"mchOrderId": "M-1", "timestamp": 0}, nil))
	ts := fixedNow.UnixMilli()
	flatSigned(t, w.body[1], "appId="+testAppID+"&mchOrderId=M-1&timestamp="+jsonNumber(ts))

	require.NoError(t, c.Call(context.Background(), r, map[string]any{"mchOrderId": "M-1", "timestamp": 42}, nil))
	flatSigned(t, w.body[2], "appId="+testAppID+"&mchOrderId=M-1&timestamp=42")
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A refusal is the typed *APIError of every operation; a write whose outcome is unknown says
// so and is not resent.
func TestCallErrorsAreTyped(t *testing.T) {
	f := newFakeAPI(t)
	f.script("POST", "/open-api/merchant/thing", codeAnswer(21001, "Parameter error"))
	err := f.Client.Call(context.Background(), Route{Method: "POST", Path: "/open-api/merchant/thing"}, nil, nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 21001, apiErr.Code)
	assert.Equal(t, Operation("POST /open-api/merchant/thing"), apiErr.Operation)

	n := f.script("POST", "/open-api/merchant/write", badGateway)
	err = f.Client.Call(context.Background(), Route{Method: "POST", Path: "/open-api/merchant/write", Write: true}, nil, nil)
	assert.True(t, IsOutcomeUnknown(err), "a 502 after a write was sent: outcome unknown")
	assert.Equal(t, int32(1), n.Load(), "a write is never resent once it may have arrived")

	q := f.script("POST", "/open-api/merchant/read", badGateway, okData(`{}`))
	require.NoError(t, f.Client.Call(context.Background(), Route{Method: "POST", Path: "/open-api/merchant/read"}, nil, nil))
	assert.Equal(t, int32(2), q.Load(), "a query is retried")
}

// Bad routes and params are refused before anything is sent, naming the field.
func TestCallRefusesBadInputBeforeSending(t *testing.T) {
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testAppID, testMerchantKey(t), WithBaseURL("https://pc.test"), WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	ok := Route{Method: "POST", Path: "/x"}
	for _, tc := range []struct {
		name   string
		r      Route
		params any
		out    any
		field  string
	}{
		{"method", Route{Method: "PUT", Path: "/x"}, nil, nil, "Route.Method"},
		{"path", Route{Method: "POST", Path: "x"}, nil, nil, "Route.Path"},
		{"query in path", Route{Method: "POST", Path: "/x?a=1"}, nil, nil, "Route.Path"},
		{"form", Route{Method: "POST", Path: "/x", Form: 7}, nil, nil, "Route.Form"},
		{"params not an object", ok, []string{"a"}, nil, "params"},
		{"appId given", ok, map[string]any{"appId": "other"}, nil, "appId"},
		{"sign given", ok, map[string]any{"sign": "x"}, nil, "sign"},
		{"timestamp not a number", ok, map[string]any{"timestamp": "soon"}, nil, "timestamp"},
		{"out not a pointer", ok, nil, Balance{}, "out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Call(context.Background(), tc.r, tc.params, tc.out)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.True(t, ve.Has(tc.field), "%v names %s", err, tc.field)
		})
	}
	//lint:ignore SA1012 a nil context is what is tested
	err = c.Call(nil, ok, nil, nil) //nolint:staticcheck
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = c.Call(ctx, ok, nil, nil)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.False(t, IsOutcomeUnknown(err))
	assert.Zero(t, mt.GetTotalCallCount(), "nothing sent")
}

// The zero Form of a Route follows the dialect's rule, and the rule agrees with every row of
// both route tables.
func TestUsualFormAgreesWithTheRouteTables(t *testing.T) {
	for _, s := range dialects {
		for op, ep := range s.routes {
			assert.Equal(t, ep.form, s.formFor(ep.path), "%s %s: the usual form of %s", s.name, op, ep.path)
		}
	}
}
