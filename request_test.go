package paycools

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The 10.1 example of docs/families.md, with the doc's timestamp (seconds, as printed): the param
// sent must be the doc's param byte for byte, and its sign must verify with the merchant public
// key over exactly those bytes (fakeAPI.record checks the signature).
func TestDirectDebitAuthorizationLinkDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/direct/debit/token/apply",
		`{"userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","authUrl":"https://auth.example/x?a=1&b=2"}`)
	res, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), &DirectDebitAuthorizationLinkCreateParams{
		RequestID:     "Joey0ub5yxzecu4c866ub100",
		UserID:        "u0009",
		ChannelCode:   "PH_GCASH_DIRECT_DEBIT",
		CountryCode:   CountryPH,
		NotifyURL:     "https://webhook.site/b89c5e5f-3056-438f-8329-b39ff5a181de",
		RedirectURL:   "https://kademo.intlalipay.cn/melitigo/Test_113.html",
		TerminalType:  TerminalTypeWAP,
		OsType:        OSTypeAndroid,
		RequestFields: RequestFields{Timestamp: 1726139239},
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, `{"requestId":"Joey0ub5yxzecu4c866ub100","userId":"u0009","channelCode":"PH_GCASH_DIRECT_DEBIT","countryCode":"PH","notifyUrl":"https://webhook.site/b89c5e5f-3056-438f-8329-b39ff5a181de","redirectUrl":"https://kademo.intlalipay.cn/melitigo/Test_113.html","terminalType":"WAP","osType":"ANDROID","timestamp":1726139239}`, got.Env.Param)
	assert.Equal(t, testAppID, got.Env.AppID)
	assert.Len(t, got.Env.Sign, 344)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "paycools-go/"+Version, got.Header.Get("User-Agent"))
	assert.Equal(t, "https://auth.example/x?a=1&b=2", res.AuthURL)
	assert.JSONEq(t, `{"userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","authUrl":"https://auth.example/x?a=1&b=2"}`, string(res.Raw))
}

// probeParams and probeResult exercise the request path with every kind of field.
type probeParams struct {
	MchOrderID string      `json:"mchOrderId" pc:"required,len=1..32"`
	Amount     Amount      `json:"amount" pc:"required,range=100..500000000"`
	Kind       string      `json:"kind,omitempty" pc:"enum=A|B"`
	NotifyURL  string      `json:"notifyUrl,omitempty" pc:"url"`
	Email      string      `json:"email,omitempty" pc:"email"`
	Mobile     string      `json:"mobile,omitempty" pc:"pattern=mobile09"`
	Items      []probeItem `json:"items,omitempty"`
	RequestFields
}

type probeItem struct {
	Name string `json:"name" pc:"required,len=1..5"`
}

type probeResult struct {
	MchOrderID string            `json:"mchOrderId"`
	Amount     Amount            `json:"amount"`
	Count      int               `json:"count"`
	Code       string            `json:"code"`
	Paid       bool              `json:"paid"`
	Status     TransactionStatus `json:"transactionStatus"`
	CreateTime Time              `json:"createTime"`
	ReturnTime Time              `json:"returnTime"`
	Items      []probeRow        `json:"items"`
	ResultMeta
}

type probeRow struct {
	N int `json:"n"`
	ResultMeta
}

const probePath = "/open-api/direct/debit/token/apply" // the write used by probe calls
const probeQueryPath = "/open-api/direct/debit/token/query"

func probe(f *fakeAPI, p *probeParams) (*probeResult, error) {
	return do[probeResult](context.Background(), f.Client, OpDirectDebitCreateAuthorizationLink, p)
}

func probeQuery(f *fakeAPI, p *probeParams) (*probeResult, error) {
	return do[probeResult](context.Background(), f.Client, OpDirectDebitGetAuthorization, p)
}

func TestParamTimestampExtraAndEscaping(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", probePath, `{}`)
	_, err := probe(f, &probeParams{MchOrderID: "A&B<1>", Amount: 50010, NotifyURL: "https://m.test/n?a=1&b=2",
		RequestFields: RequestFields{Extra: map[string]any{"businessType": "X"}}})
	require.NoError(t, err)
	// Struct fields first, then the clock's timestamp in milliseconds, then Extra.
	assert.Equal(t, `{"mchOrderId":"A&B<1>","amount":50010,"notifyUrl":"https://m.test/n?a=1&b=2","timestamp":1726139239000,"businessType":"X"}`, f.last().Env.Param)

	// A caller's timestamp is sent as given.
	_, err = probe(f, &probeParams{MchOrderID: "x", Amount: 100, RequestFields: RequestFields{Timestamp: 1676017834369}})
	require.NoError(t, err)
	assert.Equal(t, `{"mchOrderId":"x","amount":100,"timestamp":1676017834369}`, f.last().Env.Param)
}

func TestTimestampIsFreshOnEveryAttempt(t *testing.T) {
	var ticks atomic.Int64
	f := newFakeAPI(t, WithClock(func() time.Time { return fixedNow.Add(time.Duration(ticks.Add(1)) * time.Second) }))
	f.replyCode("POST", probePath, 21020, "Too many requests, please retry later.")
	_, err := probe(f, &probeParams{MchOrderID: "x", Amount: 100})
	require.ErrorIs(t, err, ErrRateLimited)
	rs := f.requests()
	require.Len(t, rs, 3, "21020 proves nothing was created: a write is resent up to WithRetries (2)")
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.Param["timestamp"].(json.Number).String()] = true
	}
	assert.Len(t, seen, 3, "each attempt is re-stamped and re-signed")
}

func TestGETCarriesEnvelopeInQuery(t *testing.T) {
	f := newFakeAPI(t, WithEndpoint(OpDirectDebitGetAuthorization, "GET", "/api/v1/orders/{mchOrderId}/payments"))
	f.replyData("GET", "/api/v1/orders/A%2FB%201/payments", `{"mchOrderId":"A/B 1"}`)
	res, err := probeQuery(f, &probeParams{MchOrderID: "A/B 1", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, "A/B 1", res.MchOrderID)
	r := f.last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, testAppID, r.Query.Get("appId"))
	assert.Equal(t, `{"mchOrderId":"A/B 1","amount":100,"timestamp":1726139239000}`, r.Query.Get("param"))
	assert.Empty(t, r.Header.Get("Content-Type"))
	method, path, ok := f.Client.Endpoint(OpDirectDebitGetAuthorization)
	assert.True(t, ok)
	assert.Equal(t, "GET", method)
	assert.Equal(t, "/api/v1/orders/{mchOrderId}/payments", path)
	// The default table is untouched by one client's override.
	assert.Equal(t, Route{Method: "POST", Path: probeQueryPath, Form: FormEnvelope}, Operations()[OpDirectDebitGetAuthorization])
}

func TestGETQueryIsPercentEncoded(t *testing.T) {
	c, err := NewClient("a", testMerchantKey(t))
	require.NoError(t, err)
	req, err := c.newRequest(context.Background(), "GET", "https://h.test/p", []byte(`{"k":"v w"}`), "Ab+/cd==")
	require.NoError(t, err)
	assert.Equal(t, "appId=a&param=%7B%22k%22%3A%22v+w%22%7D&sign=Ab%2B%2Fcd%3D%3D", req.URL.RawQuery)
}

func TestResponseDecodingIsTolerant(t *testing.T) {
	var logs bytes.Buffer
	f := newFakeAPI(t, WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	data := `{"mchOrderId":"M1","amount":"50010","count":"7","code":-10004,"paid":"true","transactionStatus":"complete",
		"createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:14:47+08:00","items":[{"n":"1"},{"n":2}],"unknown":{"x":1}}`
	f.replyData("POST", probePath, data)
	res, err := probe(f, &probeParams{MchOrderID: "M1", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, Amount(50010), res.Amount)
	assert.Equal(t, 7, res.Count)
	assert.Equal(t, "-10004", res.Code)
	assert.True(t, res.Paid)
	assert.Equal(t, TransactionStatusCompleted, res.Status)
	assert.True(t, res.CreateTime.Equal(res.ReturnTime.Time))
	assert.Equal(t, "2024-07-19T06:14:47Z", res.CreateTime.UTC().Format(time.RFC3339))
	require.Len(t, res.Items, 2)
	assert.Equal(t, 1, res.Items[0].N)
	assert.JSONEq(t, `{"n":"1"}`, string(res.Items[0].Raw))
	assert.JSONEq(t, data, string(res.Raw))

	// A field that cannot be decoded stays zero, the call still succeeds and one Warn names it.
	f.replyData("POST", probePath, `{"mchOrderId":"M2","amount":"12.345","count":{"x":1}}`)
	res, err = probe(f, &probeParams{MchOrderID: "M2", Amount: 100})
	require.NoError(t, err, "a success code is never turned into an error by decoding trouble")
	assert.Equal(t, "M2", res.MchOrderID)
	assert.Zero(t, res.Amount)
	assert.Contains(t, logs.String(), `"field":"amount"`)
	assert.Contains(t, logs.String(), `"field":"count"`)

	// data sent as a JSON string holding JSON is unwrapped once.
	f.reply("POST", probePath, 200, `{"code":10000,"message":"Success","data":"{\"mchOrderId\":\"M3\"}"}`)
	res, err = probe(f, &probeParams{MchOrderID: "M3", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, "M3", res.MchOrderID)
	assert.JSONEq(t, `{"mchOrderId":"M3"}`, string(res.Raw))

	// 1000 is a success too; legacy bodies use msg.
	f.reply("POST", probePath, 200, `{"code":1000,"msg":"success","data":{"mchOrderId":"L"}}`)
	res, err = probe(f, &probeParams{MchOrderID: "L", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, "L", res.MchOrderID)
	// Code 1 is success only on the /api/v2/checkout/ path family: here it is an *APIError,
	// so that {"code":1,"message":"Insufficient balance"} never reads as a success.
	f.reply("POST", probePath, 200, `{"code":1,"msg":"Insufficient balance","data":{"mchOrderId":"L"}}`)
	_, err = probe(f, &probeParams{MchOrderID: "L", Amount: 100})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1, ae.Code)
	// data null: an empty result, no error.
	f.reply("POST", probePath, 200, `{"code":10000,"message":"Success","data":null}`)
	res, err = probe(f, &probeParams{MchOrderID: "L", Amount: 100})
	require.NoError(t, err)
	assert.Empty(t, res.MchOrderID)
	assert.Nil(t, res.Raw)
}

func TestValidationListsEveryProblemAndSendsNothing(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", probePath, `{}`)
	_, err := probe(f, &probeParams{Amount: 50, Kind: "C", NotifyURL: "/relative", Email: "nope", Mobile: "0812",
		Items: []probeItem{{Name: "ok"}, {Name: ""}, {Name: "toolong"}}})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, OpDirectDebitCreateAuthorizationLink, ve.Operation)
	for _, field := range []string{"mchOrderId", "amount", "kind", "notifyUrl", "email", "mobile", "items[1].name", "items[2].name"} {
		assert.True(t, ve.Has(field), "missing problem for %s in %v", field, ve)
	}
	assert.Len(t, ve.Fields, 8)
	assert.Contains(t, err.Error(), "nothing was sent")
	assert.Empty(t, f.requests(), "nothing may be sent when validation fails")

	_, err = do[probeResult](context.Background(), f.Client, OpDirectDebitCreateAuthorizationLink, (*probeParams)(nil))
	requireInvalid(t, f, err, "params")
	// Real operation: osType is required when the terminal is WAP.
	p := ddLinkParams()
	require.Equal(t, TerminalTypeWAP, p.TerminalType)
	p.OsType = ""
	_, err = f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	requireInvalid(t, f, err, "osType")
}

type probeList struct {
	Rows []probeRow `json:"-" wire:"data"`
	ResultMeta
}

func TestNestedRawAndArrayData(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", probePath, `{"items":[{"n":1},{"n":2,"x":"y"}]}`)
	res, err := probe(f, &probeParams{MchOrderID: "M", Amount: 100})
	require.NoError(t, err)
	require.Len(t, res.Items, 2)
	assert.JSONEq(t, `{"n":2,"x":"y"}`, string(res.Items[1].Raw), "list elements keep their own JSON")

	f.replyData("POST", probeQueryPath, `[{"n":"3"},{"n":4}]`)
	list, err := do[probeList](context.Background(), f.Client, OpDirectDebitGetAuthorization, &probeParams{MchOrderID: "M", Amount: 100})
	require.NoError(t, err)
	require.Len(t, list.Rows, 2, "an array data fills the field tagged wire:\"data\"")
	assert.Equal(t, 3, list.Rows[0].N)
	assert.JSONEq(t, `{"n":4}`, string(list.Rows[1].Raw))
	assert.JSONEq(t, `[{"n":"3"},{"n":4}]`, string(list.Raw))
}

type probeEvent struct {
	EventName string `json:"eventName"`
	Step      int    `json:"step"`
}

func (e *probeEvent) eventName() string { return e.EventName }

func init() { registerEventPrefix[probeEvent]("probe.") }

func TestEventPrefixRegistration(t *testing.T) {
	c := newFakeAPI(t).Client
	n, err := c.ParseNotification(signedCallback(t, `{"eventName":"PROBE.step.done","step":"2"}`))
	require.NoError(t, err)
	ev, ok := n.Event.(*probeEvent)
	require.True(t, ok, "%T", n.Event)
	assert.Equal(t, 2, ev.Step)
}

func TestRequireOneOf(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{})
	ve := requireInvalid(t, f, err, "mchOrderId")
	assert.True(t, ve.Has("transactionId"))
	assert.Contains(t, err.Error(), "one of mchOrderId and transactionId is required")
	var v validation
	v.requireOneOf("a", "x", "b", "")
	assert.Empty(t, v.fields)
}
