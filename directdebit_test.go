package paycools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ddPathApply  = "/open-api/direct/debit/token/apply"
	ddPathQuery  = "/open-api/direct/debit/token/query"
	ddPathCancel = "/open-api/direct/debit/token/cancel"
	ddPathPay    = "/open-api/direct/debit/pay"
	ddPathDetail = "/open-api/direct/debit/detail"
)

var (
	ddWantTime = phTimeOf(2024, 7, 19, 14, 14, 47)
	ddNowMilli = json.Number("1726139239000") // fixedNow in milliseconds
)

// ---------- 10.1 CreateAuthorizationLink ----------

func ddLinkParams() *DirectDebitAuthorizationLinkCreateParams {
	return &DirectDebitAuthorizationLinkCreateParams{
		RequestID:    "Joey0ub5yxzecu4c866ub100",
		UserID:       "u0009",
		ChannelCode:  DirectDebitChannelCodeGCash,
		CountryCode:  CountryPH,
		NotifyURL:    "https://merchant.example/notify/token",
		RedirectURL:  "https://merchant.example/back",
		TerminalType: TerminalTypeWAP,
		OsType:       OSTypeIOS,
	}
}

func TestDirectDebitCreateAuthorizationLinkRequest(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathApply, `{"userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","authUrl":"https://open-sea.alipayplus.com/auth?x=1&y=2","extra":"kept"}`)
	res, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), ddLinkParams())
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ddPathApply, got.Path)
	assert.Equal(t, sortedNames("userId", "requestId", "channelCode", "countryCode", "terminalType", "osType", "notifyUrl", "redirectUrl", "timestamp"), paramKeys(got))
	assert.Equal(t, ddNowMilli, got.Param["timestamp"])
	assert.Equal(t, "IOS", got.Param["osType"])
	assert.Equal(t, "u0009", res.UserID)
	assert.Equal(t, "Joey0ub5yxzecu4c866ub100", res.RequestID)
	assert.Equal(t, DirectDebitChannelCodeGCash, res.ChannelCode)
	assert.Equal(t, "https://open-sea.alipayplus.com/auth?x=1&y=2", res.AuthURL)
	assert.Contains(t, string(res.Raw), `"extra":"kept"`)
}

func TestDirectDebitCreateAuthorizationLinkWebOmitsOsType(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathApply, `{}`)
	p := ddLinkParams()
	p.TerminalType, p.OsType = TerminalTypeWeb, ""
	_, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	require.NoError(t, err)
	assert.NotContains(t, f.last().Param, "osType")
	assert.Equal(t, "WEB", f.last().Param["terminalType"])
}

func TestDirectDebitCreateAuthorizationLinkValidation(t *testing.T) {
	cases := []struct {
		name  string
		field string
		mut   func(p *DirectDebitAuthorizationLinkCreateParams)
	}{
		{"userId missing", "userId", func(p *DirectDebitAuthorizationLinkCreateParams) { p.UserID = "" }},
		{"userId too long", "userId", func(p *DirectDebitAuthorizationLinkCreateParams) { p.UserID = strings.Repeat("u", 33) }},
		{"requestId missing", "requestId", func(p *DirectDebitAuthorizationLinkCreateParams) { p.RequestID = "" }},
		{"requestId too long", "requestId", func(p *DirectDebitAuthorizationLinkCreateParams) { p.RequestID = strings.Repeat("r", 33) }},
		{"channelCode missing", "channelCode", func(p *DirectDebitAuthorizationLinkCreateParams) { p.ChannelCode = "" }},
		{"countryCode missing", "countryCode", func(p *DirectDebitAuthorizationLinkCreateParams) { p.CountryCode = "" }},
		{"countryCode unknown", "countryCode", func(p *DirectDebitAuthorizationLinkCreateParams) { p.CountryCode = "XX" }},
		{"terminalType missing", "terminalType", func(p *DirectDebitAuthorizationLinkCreateParams) { p.TerminalType = "" }},
		{"terminalType unknown", "terminalType", func(p *DirectDebitAuthorizationLinkCreateParams) { p.TerminalType = "TV" }},
		{"osType missing for WAP", "osType", func(p *DirectDebitAuthorizationLinkCreateParams) { p.OsType = "" }},
		{"osType missing for APP", "osType", func(p *DirectDebitAuthorizationLinkCreateParams) {
			p.TerminalType, p.OsType = TerminalTypeApp, ""
		}},
		{"osType unknown", "osType", func(p *DirectDebitAuthorizationLinkCreateParams) { p.OsType = "WINDOWS" }},
		{"notifyUrl missing", "notifyUrl", func(p *DirectDebitAuthorizationLinkCreateParams) { p.NotifyURL = "" }},
		{"notifyUrl not a URL", "notifyUrl", func(p *DirectDebitAuthorizationLinkCreateParams) { p.NotifyURL = "merchant.example/notify" }},
		{"notifyUrl too long", "notifyUrl", func(p *DirectDebitAuthorizationLinkCreateParams) {
			p.NotifyURL = "https://m.example/" + strings.Repeat("n", 239)
		}},
		{"redirectUrl missing", "redirectUrl", func(p *DirectDebitAuthorizationLinkCreateParams) { p.RedirectURL = "" }},
		{"redirectUrl not a URL", "redirectUrl", func(p *DirectDebitAuthorizationLinkCreateParams) { p.RedirectURL = "ftp://m.example/x" }},
		{"redirectUrl too long", "redirectUrl", func(p *DirectDebitAuthorizationLinkCreateParams) {
			p.RedirectURL = "https://m.example/" + strings.Repeat("r", 495)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", ddPathApply, `{}`)
			p := ddLinkParams()
			tc.mut(p)
			_, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("bounds are inclusive", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", ddPathApply, `{}`)
		p := ddLinkParams()
		p.UserID, p.RequestID = strings.Repeat("u", 32), strings.Repeat("r", 32)
		p.NotifyURL = "https://m.example/" + strings.Repeat("n", 238)   // 256
		p.RedirectURL = "https://m.example/" + strings.Repeat("r", 494) // 512
		_, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), p)
		require.NoError(t, err)
		assert.Len(t, f.requests(), 1)
	})
	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
}

func TestDirectDebitCreateAuthorizationLinkExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathApply, `{}`)
	p := ddLinkParams()
	p.Extra = map[string]any{"userLoginId": "0917", "countryCode": "MY"}
	_, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	requireExtraRefused(t, f, err, "countryCode")
	p.Extra = map[string]any{"userLoginId": "0917"}
	_, err = f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, "0917", f.last().Param["userLoginId"])
	assert.Equal(t, "PH", f.last().Param["countryCode"])
}

// ---------- 10.2 GetAuthorization / WaitAuthorization ----------

const ddTokensData = `{
  "userId": "u0009",
  "tokenList": [
    {"channelcode": "PH_GCASH_DIRECT_DEBIT", "paytoken": "TK0000000000000000000001", "tokenStatus": "INACTIVED",
     "expiresTime": "2025-07-19 14:14:47", "inactiveTime": "2024-07-19T14:14:47+08:00", "inactiveType": "mch_cancel"},
    {"channelCode": "PH_GCASH_DIRECT_DEBIT", "payToken": "TK0000000000000000000002", "tokenStatus": "actived",
     "expiresTime": "2025-07-19T14:14:47+08:00", "inactiveTime": "", "inactiveType": null}
  ]
}`

func TestDirectDebitGetAuthorization(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathQuery, ddTokensData)
	res, err := f.Client.DirectDebit.GetAuthorization(context.Background(), &DirectDebitAuthorizationGetParams{
		UserID: "u0009", PayToken: "TK0000000000000000000002",
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ddPathQuery, got.Path)
	assert.Equal(t, sortedNames("userId", "payToken", "timestamp"), paramKeys(got))
	assert.Equal(t, "u0009", got.Param["userId"])

	assert.Equal(t, "u0009", res.UserID)
	require.Len(t, res.TokenList, 2)
	t0, t1 := res.TokenList[0], res.TokenList[1]
	assert.Equal(t, DirectDebitChannelCodeGCash, t0.ChannelCode, "lower-case channelcode decodes")
	assert.Equal(t, "TK0000000000000000000001", t0.PayToken, "lower-case paytoken decodes")
	assert.Equal(t, DirectDebitTokenStatusInactive, t0.TokenStatus)
	assert.Equal(t, DirectDebitInactiveTypeMerchantCancel, t0.InactiveType, "case-insensitive")
	assert.True(t, t0.InactiveTime.Equal(ddWantTime), "ISO time: %v", t0.InactiveTime)
	assert.True(t, t0.ExpiresTime.Equal(ddWantTime.AddDate(1, 0, 0)), "wire time: %v", t0.ExpiresTime)
	assert.Equal(t, "TK0000000000000000000002", t1.PayToken)
	assert.Equal(t, DirectDebitTokenStatusActive, t1.TokenStatus, "actived → ACTIVED")
	assert.True(t, t1.InactiveTime.IsZero())
	assert.Equal(t, DirectDebitInactiveType(""), t1.InactiveType)
	assert.JSONEq(t, ddTokensData, string(res.Raw))
	assert.Contains(t, string(t0.Raw), `"paytoken": "TK0000000000000000000001"`)
	assert.Contains(t, string(t1.Raw), `"payToken": "TK0000000000000000000002"`)

	assert.Same(t, &res.TokenList[1], res.ActiveToken(DirectDebitChannelCodeGCash))
	assert.Same(t, &res.TokenList[1], res.ActiveToken("ph_gcash_direct_debit"))
	assert.Same(t, &res.TokenList[1], res.ActiveToken(""))
	assert.Nil(t, res.ActiveToken(DirectDebitChannelCodeJTWallet))
}

func TestDirectDebitGetAuthorizationTolerantFallback(t *testing.T) {
	// A token field of the wrong JSON type sends the core down its field-by-field path; each
	// token still gets its own Raw, and the other fields survive.
	f := newFakeAPI(t)
	f.replyData("POST", ddPathQuery, `{"userId":12345,"tokenList":[{"payToken":"TK1","tokenStatus":"ACTIVED","channelCode":"PH_GCASH_DIRECT_DEBIT","expiresTime":{"bad":1}}]}`)
	res, err := f.Client.DirectDebit.GetAuthorization(context.Background(), &DirectDebitAuthorizationGetParams{UserID: "12345"})
	require.NoError(t, err)
	assert.Equal(t, "12345", res.UserID)
	require.Len(t, res.TokenList, 1)
	assert.Equal(t, "TK1", res.TokenList[0].PayToken)
	assert.True(t, res.TokenList[0].ExpiresTime.IsZero())
	assert.Contains(t, string(res.TokenList[0].Raw), `"expiresTime":{"bad":1}`)
	assert.NotNil(t, res.ActiveToken(DirectDebitChannelCodeGCash))
}

func TestDirectDebitGetAuthorizationEmptyList(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathQuery, `{"userId":"u0009","tokenList":[]}`)
	res, err := f.Client.DirectDebit.GetAuthorization(context.Background(), &DirectDebitAuthorizationGetParams{UserID: "u0009"})
	require.NoError(t, err)
	assert.Empty(t, res.TokenList)
	assert.Nil(t, res.ActiveToken(""))
	assert.Equal(t, sortedNames("userId", "timestamp"), paramKeys(f.last()), "payToken omitted when empty")
}

func TestDirectDebitGetAuthorizationValidation(t *testing.T) {
	cases := []struct {
		name, field string
		p           *DirectDebitAuthorizationGetParams
	}{
		{"userId missing", "userId", &DirectDebitAuthorizationGetParams{PayToken: "TK1"}},
		{"userId too long", "userId", &DirectDebitAuthorizationGetParams{UserID: strings.Repeat("u", 33)}},
		{"nil", "params", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", ddPathQuery, `{}`)
			_, err := f.Client.DirectDebit.GetAuthorization(context.Background(), tc.p)
			requireInvalid(t, f, err, tc.field)
		})
	}
}

func TestDirectDebitGetAuthorizationExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathQuery, `{}`)
	_, err := f.Client.DirectDebit.GetAuthorization(context.Background(), &DirectDebitAuthorizationGetParams{
		UserID: "u0009", RequestFields: RequestFields{Extra: map[string]any{"countryCode": "PH", "userId": "override"}},
	})
	requireExtraRefused(t, f, err, "userId")
	_, err = f.Client.DirectDebit.GetAuthorization(context.Background(), &DirectDebitAuthorizationGetParams{
		UserID: "u0009", RequestFields: RequestFields{Extra: map[string]any{"countryCode": "PH"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "PH", f.last().Param["countryCode"])
	assert.Equal(t, "u0009", f.last().Param["userId"])
}

func TestDirectDebitWaitAuthorization(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", ddPathQuery,
		okData(`{"userId":"u0009","tokenList":[]}`),
		okData(`{"userId":"u0009","tokenList":[{"channelCode":"JTWALLET_DIRECT_DEBIT","payToken":"TKJ","tokenStatus":"ACTIVED"}]}`),
		okData(`{"userId":"u0009","tokenList":[{"channelCode":"PH_GCASH_DIRECT_DEBIT","payToken":"TKOLD","tokenStatus":"INACTIVED"}]}`),
		answer{503, "<html>busy</html>"}, // transient: the wait goes on
		okData(`{"userId":"u0009","tokenList":[{"channelCode":"PH_GCASH_DIRECT_DEBIT","payToken":"TKNEW","tokenStatus":"ACTIVED"}]}`),
	)
	res, err := f.Client.DirectDebit.WaitAuthorization(context.Background(), &DirectDebitAuthorizationWaitParams{UserID: "u0009", ChannelCode: DirectDebitChannelCodeGCash})
	require.NoError(t, err)
	require.NotNil(t, res.ActiveToken(DirectDebitChannelCodeGCash))
	assert.Equal(t, "TKNEW", res.ActiveToken(DirectDebitChannelCodeGCash).PayToken)
	// 3 answers before the 503, the 503 retried by the request path (2 retries, all 503), then
	// the next poll: the count proves it kept polling past the non-matching tokens.
	assert.GreaterOrEqual(t, int(calls.Load()), 5)
	assert.Equal(t, "TKNEW", res.TokenList[0].PayToken)
}

func TestDirectDebitWaitAuthorizationContextEnds(t *testing.T) {
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := f.scriptHook("POST", ddPathQuery, cancelOn(3, cancel),
		okData(`{"userId":"u0009","tokenList":[{"channelCode":"PH_GCASH_DIRECT_DEBIT","payToken":"TKOLD","tokenStatus":"INACTIVED"}]}`))
	res, err := f.Client.DirectDebit.WaitAuthorization(ctx, &DirectDebitAuthorizationWaitParams{UserID: "u0009", ChannelCode: DirectDebitChannelCodeGCash})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res, "the last answer comes back with the context error")
	assert.Equal(t, "TKOLD", res.TokenList[0].PayToken)
	assert.Equal(t, int32(3), calls.Load(), "polled until ctx ended, then stopped")
}

func TestDirectDebitWaitAuthorizationStopsOnValidation(t *testing.T) {
	f := newFakeAPI(t)
	res, err := f.Client.DirectDebit.WaitAuthorization(context.Background(), &DirectDebitAuthorizationWaitParams{ChannelCode: DirectDebitChannelCodeGCash})
	assert.Nil(t, res)
	requireInvalid(t, f, err, "userId")
}

// ---------- 10.3 CancelAuthorization ----------

func TestDirectDebitCancelAuthorization(t *testing.T) {
	f := newFakeAPI(t)
	data := `{"userId":"u0009","channelCode":"PH_GCASH_DIRECT_DEBIT","paytoken":"TK0EXAMPLE00000001","tokenStatus":"INACTIVED","inactiveTime":"2024-07-19 14:14:47","inactiveType":"MCH_CANCEL"}`
	f.replyData("POST", ddPathCancel, data)
	res, err := f.Client.DirectDebit.CancelAuthorization(context.Background(), &DirectDebitAuthorizationCancelParams{
		UserID: "u0009", PayToken: "TK0EXAMPLE00000001", RequestFields: RequestFields{Timestamp: 1726137892000},
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ddPathCancel, got.Path)
	assert.Equal(t, sortedNames("userId", "payToken", "timestamp"), paramKeys(got))
	assert.Equal(t, `{"userId":"u0009","payToken":"TK0EXAMPLE00000001","timestamp":1726137892000}`, got.Env.Param)
	assert.Equal(t, "u0009", res.UserID)
	assert.Equal(t, DirectDebitChannelCodeGCash, res.ChannelCode)
	assert.Equal(t, "TK0EXAMPLE00000001", res.PayToken)
	assert.Equal(t, DirectDebitTokenStatusInactive, res.TokenStatus)
	assert.Equal(t, DirectDebitInactiveTypeMerchantCancel, res.InactiveType)
	assert.True(t, res.InactiveTime.Equal(ddWantTime))
	assert.JSONEq(t, data, string(res.Raw))
}

func TestDirectDebitCancelAuthorizationWithoutData(t *testing.T) {
	for _, body := range []string{`{"code":10000,"message":"Success"}`, `{"code":10000,"message":"Success","data":null}`} {
		f := newFakeAPI(t)
		f.reply("POST", ddPathCancel, 200, body)
		res, err := f.Client.DirectDebit.CancelAuthorization(context.Background(), &DirectDebitAuthorizationCancelParams{UserID: "u0009", PayToken: "TK1"})
		require.NoError(t, err, body)
		require.NotNil(t, res)
		require.NotNil(t, res.Response)
		res.Response = nil
		assert.Equal(t, DirectDebitAuthorizationCancelResult{}, *res)
	}
}

func TestDirectDebitCancelAuthorizationValidation(t *testing.T) {
	cases := []struct {
		name, field string
		p           *DirectDebitAuthorizationCancelParams
	}{
		{"userId missing", "userId", &DirectDebitAuthorizationCancelParams{PayToken: "TK1"}},
		{"userId too long", "userId", &DirectDebitAuthorizationCancelParams{UserID: strings.Repeat("u", 33), PayToken: "TK1"}},
		{"payToken missing", "payToken", &DirectDebitAuthorizationCancelParams{UserID: "u0009"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", ddPathCancel, `{}`)
			_, err := f.Client.DirectDebit.CancelAuthorization(context.Background(), tc.p)
			requireInvalid(t, f, err, tc.field)
		})
	}
}

func TestDirectDebitCancelAuthorizationExtraAndCodes(t *testing.T) {
	f := newFakeAPI(t)
	f.replyCode("POST", ddPathCancel, 21025, "Not allowed to cancel")
	_, err := f.Client.DirectDebit.CancelAuthorization(context.Background(), &DirectDebitAuthorizationCancelParams{
		UserID: "u0009", PayToken: "TK1", RequestFields: RequestFields{Extra: map[string]any{"reason": "closed"}},
	})
	assert.ErrorIs(t, err, ErrCancelNotAllowed)
	assert.Len(t, f.requests(), 1, "a write is not resent")
	assert.Equal(t, "closed", f.last().Param["reason"])
}

// ---------- 10.5 CreatePayment ----------

func ddPaymentParams() *DirectDebitPaymentCreateParams {
	return &DirectDebitPaymentCreateParams{
		MchOrderID:   "DD20240101120000",
		Amount:       10000,
		ChannelCode:  DirectDebitChannelCodeGCash,
		PayToken:     "tok_abcdef1234567890",
		NotifyURL:    "https://merchant.com/notify/direct-debit",
		CustomerName: "John Doe",
		Email:        "johndoe@example.com",
		Mobile:       "09123456789",
		Remark:       "Monthly subscription payment",
	}
}

const ddPaymentData = `{"mchOrderId":"DD20240101120000","transactionId":"DD1175679364396181358","transactionStatus":"PENDING","channelType":"DIRECT_DEBIT","channelCode":"PH_GCASH_DIRECT_DEBIT"}`

func TestDirectDebitCreatePayment(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathPay, ddPaymentData)
	p := ddPaymentParams()
	p.Timestamp = 1704067200000
	res, err := f.Client.DirectDebit.CreatePayment(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ddPathPay, got.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "amount", "channelCode", "payToken", "notifyUrl", "customerName", "email", "mobile", "remark"), paramKeys(got))
	// The spec's request example, as JSON (key order is free).
	assert.JSONEq(t, `{"timestamp":1704067200000,"mchOrderId":"DD20240101120000","amount":10000,"channelCode":"PH_GCASH_DIRECT_DEBIT","payToken":"tok_abcdef1234567890","notifyUrl":"https://merchant.com/notify/direct-debit","customerName":"John Doe","email":"johndoe@example.com","mobile":"09123456789","remark":"Monthly subscription payment"}`, got.Env.Param)
	assert.Contains(t, got.Env.Param, `"amount":10000,`, "amount is a JSON integer")

	assert.Equal(t, "DD20240101120000", res.MchOrderID)
	assert.Equal(t, "DD1175679364396181358", res.TransactionID)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.False(t, res.TransactionStatus.Final())
	assert.Equal(t, "DIRECT_DEBIT", res.ChannelType)
	assert.Equal(t, DirectDebitChannelCodeGCash, res.ChannelCode)
	assert.JSONEq(t, ddPaymentData, string(res.Raw))
}

func TestDirectDebitCreatePaymentMinimalAndExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathPay, ddPaymentData)
	p := &DirectDebitPaymentCreateParams{
		MchOrderID: "DD1", Amount: 1, ChannelCode: DirectDebitChannelCodeGCash, PayToken: "TK1",
		NotifyURL:     "https://m.example/n?a=1&b=2",
		RequestFields: RequestFields{Extra: map[string]any{"businessType": "COD", "amount": 2}},
	}
	_, err := f.Client.DirectDebit.CreatePayment(context.Background(), p)
	requireExtraRefused(t, f, err, "amount")
	p.Extra = map[string]any{"businessType": "COD"}
	_, err = f.Client.DirectDebit.CreatePayment(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "amount", "channelCode", "payToken", "notifyUrl", "businessType"), paramKeys(got))
	assert.Equal(t, "COD", got.Param["businessType"])
	assert.Equal(t, json.Number("1"), got.Param["amount"])
	assert.Equal(t, ddNowMilli, got.Param["timestamp"])
	assert.Contains(t, got.Env.Param, `"notifyUrl":"https://m.example/n?a=1&b=2"`, "no HTML escaping")
	assert.Equal(t, Amount(1), p.Amount)
}

func TestDirectDebitCreatePaymentValidation(t *testing.T) {
	cases := []struct {
		name, field string
		mut         func(p *DirectDebitPaymentCreateParams)
	}{
		{"mchOrderId missing", "mchOrderId", func(p *DirectDebitPaymentCreateParams) { p.MchOrderID = "" }},
		{"mchOrderId too long", "mchOrderId", func(p *DirectDebitPaymentCreateParams) { p.MchOrderID = strings.Repeat("1", 33) }},
		{"amount missing", "amount", func(p *DirectDebitPaymentCreateParams) { p.Amount = 0 }},
		{"amount negative", "amount", func(p *DirectDebitPaymentCreateParams) { p.Amount = -100 }},
		{"channelCode missing", "channelCode", func(p *DirectDebitPaymentCreateParams) { p.ChannelCode = "" }},
		{"payToken missing", "payToken", func(p *DirectDebitPaymentCreateParams) { p.PayToken = "" }},
		{"notifyUrl missing", "notifyUrl", func(p *DirectDebitPaymentCreateParams) { p.NotifyURL = "" }},
		{"notifyUrl not a URL", "notifyUrl", func(p *DirectDebitPaymentCreateParams) { p.NotifyURL = "/notify" }},
		{"notifyUrl too long", "notifyUrl", func(p *DirectDebitPaymentCreateParams) { p.NotifyURL = "https://m.example/" + strings.Repeat("n", 239) }},
		{"customerName too long", "customerName", func(p *DirectDebitPaymentCreateParams) { p.CustomerName = strings.Repeat("J", 129) }},
		{"email too long", "email", func(p *DirectDebitPaymentCreateParams) { p.Email = strings.Repeat("j", 120) + "@example.com" }},
		{"email malformed", "email", func(p *DirectDebitPaymentCreateParams) { p.Email = "johndoe.example.com" }},
		{"mobile too short", "mobile", func(p *DirectDebitPaymentCreateParams) { p.Mobile = "0912345678" }},
		{"mobile not 09", "mobile", func(p *DirectDebitPaymentCreateParams) { p.Mobile = "63912345678" }},
		{"mobile too long", "mobile", func(p *DirectDebitPaymentCreateParams) { p.Mobile = "091234567890" }},
		{"remark too long", "remark", func(p *DirectDebitPaymentCreateParams) { p.Remark = strings.Repeat("r", 257) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", ddPathPay, ddPaymentData)
			f.replyData("POST", ddPathDetail, `{}`)
			p := ddPaymentParams()
			tc.mut(p)
			_, err := f.Client.DirectDebit.CreatePayment(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("every problem at once", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.DirectDebit.CreatePayment(context.Background(), &DirectDebitPaymentCreateParams{Mobile: "123"})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		for _, field := range []string{"mchOrderId", "amount", "channelCode", "payToken", "notifyUrl", "mobile"} {
			assert.True(t, ve.Has(field), field)
		}
		assert.Empty(t, f.requests())
	})
	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.DirectDebit.CreatePayment(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
	t.Run("bounds are inclusive", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", ddPathPay, ddPaymentData)
		p := ddPaymentParams()
		p.MchOrderID = strings.Repeat("1", 32)
		p.CustomerName = strings.Repeat("J", 128)
		p.Email = strings.Repeat("j", 116) + "@example.com" // 128
		p.Remark = strings.Repeat("r", 256)
		p.NotifyURL = "https://m.example/" + strings.Repeat("n", 238)
		_, err := f.Client.DirectDebit.CreatePayment(context.Background(), p)
		require.NoError(t, err)
	})
}

func TestDirectDebitPaymentParamsLogValue(t *testing.T) {
	p := ddPaymentParams()
	out := logJSON(p)
	assert.NotContains(t, out, "09123456789")
	assert.NotContains(t, out, "tok_abcdef1234567890")
	assert.Contains(t, out, "*******6789")
	assert.Contains(t, out, "****************7890")
	assert.Contains(t, out, "DD20240101120000")

	out = logJSON(&DirectDebitAuthorizationGetParams{UserID: "u1", PayToken: "TKSECRET123456"}) +
		logJSON(DirectDebitAuthorizationCancelParams{UserID: "u1", PayToken: "TKSECRET654321"})
	assert.NotContains(t, out, "TKSECRET123456")
	assert.NotContains(t, out, "TKSECRET654321")
	assert.Contains(t, out, "3456")
}

// ---------- 10.5 outcome resolution ----------

func TestDirectDebitCreatePaymentResolveFound(t *testing.T) {
	f := newFakeAPI(t)
	pays := f.script("POST", ddPathPay, badGateway)
	detail := `{"mchOrderId":"DD20240101120000","transactionId":"DD1175679364396181358","amount":10000,"transactionStatus":"PROCESSING","channelType":"DIRECT_DEBIT","channelCode":"PH_GCASH_DIRECT_DEBIT","createTime":"2024-07-19 14:14:47"}`
	details := f.script("POST", ddPathDetail, okData(detail))
	res, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	require.NoError(t, err)
	assert.Equal(t, int32(1), pays.Load(), "the charge is not resent when it was found")
	assert.Equal(t, int32(1), details.Load())
	reqs := f.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, ddPathDetail, reqs[1].Path)
	assert.Equal(t, sortedNames("mchOrderId", "timestamp"), paramKeys(reqs[1]))
	assert.Equal(t, "DD20240101120000", reqs[1].Param["mchOrderId"])
	assert.Equal(t, "DD1175679364396181358", res.TransactionID)
	assert.Equal(t, "DD20240101120000", res.MchOrderID)
	assert.Equal(t, TransactionStatusProcessing, res.TransactionStatus)
	assert.Equal(t, "DIRECT_DEBIT", res.ChannelType)
	assert.Equal(t, DirectDebitChannelCodeGCash, res.ChannelCode)
	assert.Equal(t, Amount(10000), res.Amount, "the resolved charge is GetPayment's whole answer, amount included")
	assert.True(t, res.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.JSONEq(t, detail, string(res.Raw))
}

func TestDirectDebitCreatePaymentResolveNotFoundResends(t *testing.T) {
	f := newFakeAPI(t)
	pays := f.script("POST", ddPathPay, badGateway, okData(ddPaymentData))
	f.script("POST", ddPathDetail, codeAnswer(21006, "Merchant transaction not found"))
	res, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	require.NoError(t, err)
	assert.Equal(t, int32(2), pays.Load())
	reqs := f.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, []string{ddPathPay, ddPathDetail, ddPathPay}, []string{reqs[0].Path, reqs[1].Path, reqs[2].Path})
	assert.Equal(t, reqs[0].Param["mchOrderId"], reqs[2].Param["mchOrderId"], "resent under the same mchOrderId")
	assert.Equal(t, reqs[0].Param["amount"], reqs[2].Param["amount"])
	assert.Equal(t, "DD1175679364396181358", res.TransactionID)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
}

func TestDirectDebitCreatePaymentResolveNotFoundThenDuplicate(t *testing.T) {
	f := newFakeAPI(t)
	pays := f.script("POST", ddPathPay, badGateway, codeAnswer(21007, "Duplicate merchant order id"))
	details := f.script("POST", ddPathDetail,
		codeAnswer(21010, "transaction not found"), // the sibling editions' spelling of "not found"
		okData(`{"mchOrderId":"DD20240101120000","transactionId":"DDLATE","transactionStatus":"COMPLETE"}`))
	res, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	require.NoError(t, err)
	assert.Equal(t, int32(2), pays.Load())
	assert.Equal(t, int32(2), details.Load(), "the duplicate answer leads to a second lookup")
	assert.Equal(t, "DDLATE", res.TransactionID)
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
}

func TestDirectDebitCreatePaymentResolveLookupFails(t *testing.T) {
	f := newFakeAPI(t)
	pays := f.script("POST", ddPathPay, badGateway)
	f.script("POST", ddPathDetail, codeAnswer(21002, "Request param error"))
	res, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	assert.Nil(t, res)
	require.Error(t, err)
	assert.True(t, IsOutcomeUnknown(err), "the original unknown outcome is kept")
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 502, he.StatusCode)
	assert.Equal(t, int32(1), pays.Load(), "never resent without proof that nothing was created")
}

func TestDirectDebitCreatePaymentResolveResendFails(t *testing.T) {
	f := newFakeAPI(t)
	f.script("POST", ddPathPay, badGateway, codeAnswer(21026, "Customer Balance not enough"))
	f.script("POST", ddPathDetail, codeAnswer(21006, "Merchant transaction not found"))
	_, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	assert.ErrorIs(t, err, ErrCustomerBalance)
	assert.True(t, IsOutcomeUnknown(err), "21026 does not prove that nothing was created (docs/codes.md)")
}

func TestDirectDebitCreatePaymentKnownFailureNotResolved(t *testing.T) {
	f := newFakeAPI(t)
	f.script("POST", ddPathPay, codeAnswer(21024, "Invalid access token"))
	details := f.script("POST", ddPathDetail, okData(`{}`))
	_, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	assert.ErrorIs(t, err, ErrAccessToken)
	assert.Equal(t, int32(0), details.Load())
	assert.Len(t, f.requests(), 1)
}

func TestDirectDebitCreatePaymentResolveOff(t *testing.T) {
	f := newFakeAPI(t, WithResolveOutcome(false))
	f.script("POST", ddPathPay, badGateway)
	details := f.script("POST", ddPathDetail, okData(`{}`))
	_, err := f.Client.DirectDebit.CreatePayment(context.Background(), ddPaymentParams())
	assert.True(t, IsOutcomeUnknown(err))
	assert.Equal(t, int32(0), details.Load())
}

// ---------- 10.6 GetPayment / WaitPayment ----------

func TestDirectDebitGetPayment(t *testing.T) {
	f := newFakeAPI(t)
	data := `{
	  "mchOrderId": "DD20240101120000", "transactionId": "DD1175679364396181358",
	  "amount": "10000", "fee": 150, "totalAmount": "101.50",
	  "transactionStatus": "fail", "channelCode": "PH_GCASH_DIRECT_DEBIT",
	  "createTime": "2024-07-19 14:14:47", "returnTime": "2024-07-19T14:14:47+08:00",
	  "transactionCreateTime": "2024-07-19T06:14:47Z", "transactionReturnTime": "2024-07-19 14:14:47",
	  "updateTime": 1721369687000,
	  "customerName": "John Doe", "email": "johndoe@example.com", "mobile": "09123456789",
	  "remark": "Monthly subscription payment", "notifyUrl": "https://merchant.com/notify/direct-debit",
	  "callbackUrl": "https://merchant.com/cb", "appName": "Demo App",
	  "failedCode": "-10004", "failedMessage": "Channel rejected"
	}`
	f.replyData("POST", ddPathDetail, data)
	res, err := f.Client.DirectDebit.GetPayment(context.Background(), &DirectDebitPaymentGetParams{
		MchOrderID: "DD20240101120000", TransactionID: "DD1175679364396181358",
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ddPathDetail, got.Path)
	assert.Equal(t, sortedNames("mchOrderId", "transactionId", "timestamp"), paramKeys(got))

	assert.Equal(t, "DD20240101120000", res.MchOrderID)
	assert.Equal(t, "DD1175679364396181358", res.TransactionID)
	assert.Equal(t, Amount(10000), res.Amount)
	assert.Equal(t, Amount(150), res.Fee)
	assert.Equal(t, Amount(10150), res.TotalAmount)
	assert.Equal(t, TransactionStatusFailed, res.TransactionStatus)
	assert.True(t, res.TransactionStatus.Final())
	assert.Equal(t, DirectDebitChannelCodeGCash, res.ChannelCode)
	for name, tm := range map[string]Time{
		"createTime": res.CreateTime, "returnTime": res.ReturnTime, "transactionCreateTime": res.TransactionCreateTime,
		"transactionReturnTime": res.TransactionReturnTime, "updateTime": res.UpdateTime,
	} {
		assert.True(t, tm.Equal(ddWantTime), "%s = %v", name, tm)
	}
	assert.Equal(t, "John Doe", res.CustomerName)
	assert.Equal(t, "johndoe@example.com", res.Email)
	assert.Equal(t, "09123456789", res.Mobile)
	assert.Equal(t, "Monthly subscription payment", res.Remark)
	assert.Equal(t, "https://merchant.com/notify/direct-debit", res.NotifyURL)
	assert.Equal(t, "https://merchant.com/cb", res.CallbackURL)
	assert.Equal(t, "Demo App", res.AppName)
	assert.Equal(t, FailedCodeChannelRejected, res.FailedCode)
	assert.Equal(t, "Channel rejected", res.FailedMessage)
	assert.JSONEq(t, data, string(res.Raw))
}

func TestDirectDebitGetPaymentByOneKey(t *testing.T) {
	for _, p := range []*DirectDebitPaymentGetParams{{MchOrderID: "PC880001"}, {TransactionID: "DD1"}} {
		f := newFakeAPI(t)
		f.replyData("POST", ddPathDetail, `{"transactionStatus":"SUCCESS"}`)
		res, err := f.Client.DirectDebit.GetPayment(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
		assert.Len(t, f.last().Param, 2)
	}
}

func TestDirectDebitGetPaymentValidation(t *testing.T) {
	t.Run("neither id", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", ddPathDetail, `{}`)
		_, err := f.Client.DirectDebit.GetPayment(context.Background(), &DirectDebitPaymentGetParams{})
		requireInvalid(t, f, err, "mchOrderId")
		requireInvalid(t, f, err, "transactionId")
	})
	t.Run("mchOrderId too long", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", ddPathDetail, `{}`)
		_, err := f.Client.DirectDebit.GetPayment(context.Background(), &DirectDebitPaymentGetParams{MchOrderID: strings.Repeat("1", 33)})
		requireInvalid(t, f, err, "mchOrderId")
	})
}

func TestDirectDebitGetPaymentExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ddPathDetail, `{}`)
	_, err := f.Client.DirectDebit.GetPayment(context.Background(), &DirectDebitPaymentGetParams{
		MchOrderID: "A1", RequestFields: RequestFields{Extra: map[string]any{"mchOrderId": "B2", "countryCode": "PH"}},
	})
	requireExtraRefused(t, f, err, "mchOrderId")
	_, err = f.Client.DirectDebit.GetPayment(context.Background(), &DirectDebitPaymentGetParams{
		MchOrderID: "A1", RequestFields: RequestFields{Extra: map[string]any{"countryCode": "PH"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "A1", f.last().Param["mchOrderId"])
	assert.Equal(t, "PH", f.last().Param["countryCode"])
}

func TestDirectDebitPaymentStatusDecoding(t *testing.T) {
	cases := map[string]TransactionStatus{
		`"PENDING"`:    TransactionStatusPending,
		`"pending"`:    TransactionStatusPending,
		`"Processing"`: TransactionStatusProcessing,
		`"COMPLETED"`:  TransactionStatusCompleted,
		`"COMPLETE"`:   TransactionStatusCompleted,
		`"complete"`:   TransactionStatusCompleted,
		`"SUCCESS"`:    TransactionStatusCompleted,
		`"Success"`:    TransactionStatusCompleted,
		`"FAILED"`:     TransactionStatusFailed,
		`"FAIL"`:       TransactionStatusFailed,
		`"failed"`:     TransactionStatusFailed,
		`"REVERSED"`:   "REVERSED",
		`null`:         "",
	}
	for in, want := range cases {
		var s TransactionStatus
		require.NoError(t, json.Unmarshal([]byte(in), &s), in)
		assert.Equal(t, want, s, in)
	}
	final := map[TransactionStatus]bool{
		TransactionStatusPending: false, TransactionStatusProcessing: false,
		TransactionStatusCompleted: true, TransactionStatusFailed: true, "REVERSED": false, "": false,
	}
	for s, want := range final {
		assert.Equal(t, want, s.Final(), string(s))
	}
	var ts DirectDebitTokenStatus
	require.NoError(t, json.Unmarshal([]byte(`"Inactived"`), &ts))
	assert.Equal(t, DirectDebitTokenStatusInactive, ts)
	require.NoError(t, json.Unmarshal([]byte(`"SUSPENDED"`), &ts))
	assert.Equal(t, DirectDebitTokenStatus("SUSPENDED"), ts)
	var it DirectDebitInactiveType
	for in, want := range map[string]DirectDebitInactiveType{
		`"platform_cancel"`: DirectDebitInactiveTypePlatformCancel, `"USER_CANCEL"`: DirectDebitInactiveTypeUserCancel,
		`"Expired"`: DirectDebitInactiveTypeExpired, `"OTHER"`: "OTHER",
	} {
		require.NoError(t, json.Unmarshal([]byte(in), &it))
		assert.Equal(t, want, it, in)
	}
}

func TestDirectDebitWaitPayment(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", ddPathDetail,
		okData(`{"mchOrderId":"PC880001","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"PC880001","transactionStatus":"PROCESSING"}`),
		okData(`{"mchOrderId":"PC880001","transactionStatus":"COMPLETE","amount":"10000"}`),
		okData(`{"mchOrderId":"PC880001","transactionStatus":"FAILED"}`), // never reached
	)
	res, err := f.Client.DirectDebit.WaitPayment(context.Background(), &DirectDebitPaymentGetParams{MchOrderID: "PC880001"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
	assert.Equal(t, Amount(10000), res.Amount)
	for _, r := range f.requests() {
		assert.Equal(t, "PC880001", r.Param["mchOrderId"])
	}
}

func TestDirectDebitWaitPaymentPendingTwiceThenCompleted(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", ddPathDetail,
		okData(`{"transactionStatus":"PENDING"}`),
		okData(`{"transactionStatus":"PENDING"}`),
		okData(`{"transactionStatus":"COMPLETED","transactionId":"DD9"}`),
	)
	res, err := f.Client.DirectDebit.WaitPayment(context.Background(), &DirectDebitPaymentGetParams{TransactionID: "DD9"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, "DD9", res.TransactionID)
}

func TestDirectDebitWaitPaymentContextEnds(t *testing.T) {
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := f.scriptHook("POST", ddPathDetail, cancelOn(5, cancel),
		okData(`{"mchOrderId":"PC880001","transactionStatus":"PROCESSING"}`))
	res, err := f.Client.DirectDebit.WaitPayment(ctx, &DirectDebitPaymentGetParams{MchOrderID: "PC880001"})
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	assert.Equal(t, TransactionStatusProcessing, res.TransactionStatus)
	assert.Equal(t, int32(5), calls.Load(), "kept polling a PROCESSING charge until ctx ended")

	// A deadline ends it the same way, with the last answer.
	f2 := newFakeAPI(t)
	f2.script("POST", ddPathDetail, okData(`{"mchOrderId":"PC880001","transactionStatus":"PENDING"}`))
	dctx, dcancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer dcancel()
	res, err = f2.Client.DirectDebit.WaitPayment(dctx, &DirectDebitPaymentGetParams{MchOrderID: "PC880001"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	if res != nil { // nil only if the very first poll outlived the deadline on a loaded machine
		assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	}
}

func TestDirectDebitWaitPaymentStopsOnPermanentError(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", ddPathDetail, okData(`{"transactionStatus":"PENDING"}`), codeAnswer(21003, "Request appId error"))
	res, err := f.Client.DirectDebit.WaitPayment(context.Background(), &DirectDebitPaymentGetParams{MchOrderID: "PC880001"})
	assert.ErrorIs(t, err, ErrAppID)
	require.NotNil(t, res)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.Equal(t, int32(2), calls.Load())
}

// ---------- 10.4 / 10.7 callbacks ----------

func TestDirectDebitAuthorizationNotifications(t *testing.T) {
	f := newFakeAPI(t)
	for _, name := range []string{EventTokenCreateSuccess, EventTokenCreateFailed, EventTokenCancelSuccess} {
		t.Run(name, func(t *testing.T) {
			param := `{"eventName":"` + name + `","userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","countryCode":"PH","paytoken":"TK0000000000000000000002","tokenStatus":"ACTIVED","expiresTime":"2024-07-19 14:14:47","inactiveTime":"2024-07-19T14:14:47+08:00","inactiveType":"USER_CANCEL","userLoginId":"0917****567"}`
			n, err := f.Client.ParseNotification(signedCallback(t, param))
			require.NoError(t, err)
			assert.Equal(t, name, n.EventName)
			ev, ok := n.Event.(*DirectDebitAuthorizationNotification)
			require.True(t, ok, "event type %T", n.Event)
			assert.Equal(t, name, ev.EventName)
			assert.Equal(t, "u0009", ev.UserID)
			assert.Equal(t, "Joey0ub5yxzecu4c866ub100", ev.RequestID)
			assert.Equal(t, DirectDebitChannelCodeGCash, ev.ChannelCode)
			assert.Equal(t, CountryPH, ev.CountryCode)
			assert.Equal(t, "TK0000000000000000000002", ev.PayToken)
			assert.Equal(t, DirectDebitTokenStatusActive, ev.TokenStatus)
			assert.True(t, ev.ExpiresTime.Equal(ddWantTime))
			assert.True(t, ev.InactiveTime.Equal(ddWantTime))
			assert.Equal(t, DirectDebitInactiveTypeUserCancel, ev.InactiveType)
			assert.Equal(t, "0917****567", ev.UserLoginID)
			assert.Equal(t, param, string(ev.Raw))
		})
	}
	t.Run("camelCase payToken", func(t *testing.T) {
		n, err := f.Client.ParseNotification(signedCallback(t, `{"eventName":"token.cancel.success","userId":"u1","payToken":"TKCAMEL","tokenStatus":"INACTIVED","inactiveType":"MCH_CANCEL"}`))
		require.NoError(t, err)
		ev := n.Event.(*DirectDebitAuthorizationNotification)
		assert.Equal(t, "TKCAMEL", ev.PayToken)
		assert.Equal(t, DirectDebitTokenStatusInactive, ev.TokenStatus)
		assert.Equal(t, DirectDebitInactiveTypeMerchantCancel, ev.InactiveType)
	})
}

func TestDirectDebitPaymentNotifications(t *testing.T) {
	f := newFakeAPI(t)
	cases := map[string]TransactionStatus{
		EventDirectDebitSuccess:        TransactionStatusCompleted,
		EventDirectDebitFailed:         TransactionStatusFailed,
		EventDirectDebitPaymentSuccess: TransactionStatusCompleted,
		EventDirectDebitPaymentFailed:  TransactionStatusFailed,
	}
	wire := map[TransactionStatus]string{TransactionStatusCompleted: "COMPLETE", TransactionStatusFailed: "FAILED"}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			param := `{"eventName":"` + name + `","mchOrderId":"PC880001","transactionId":"DD1175679364396181358","amount":"10000","transactionStatus":"` + wire[want] + `","createTime":"2024-07-19T14:14:47+08:00","returnTime":"2024-07-19 14:14:47","channelCode":"PH_GCASH_DIRECT_DEBIT","remark":"","failedCode":"-10004","failedMessage":"Channel rejected"}`
			n, err := f.Client.ParseNotification(signedCallback(t, param))
			require.NoError(t, err)
			ev, ok := n.Event.(*DirectDebitPaymentNotification)
			require.True(t, ok, "event type %T", n.Event)
			assert.Equal(t, name, ev.EventName)
			assert.Equal(t, "PC880001", ev.MchOrderID)
			assert.Equal(t, "DD1175679364396181358", ev.TransactionID)
			assert.Equal(t, Amount(10000), ev.Amount)
			assert.Equal(t, want, ev.TransactionStatus)
			assert.True(t, ev.CreateTime.Equal(ddWantTime))
			assert.True(t, ev.ReturnTime.Equal(ddWantTime))
			assert.Equal(t, DirectDebitChannelCodeGCash, ev.ChannelCode)
			assert.Equal(t, "", ev.Remark)
			assert.Equal(t, FailedCodeChannelRejected, ev.FailedCode)
			assert.Equal(t, "Channel rejected", ev.FailedMessage)
			assert.Equal(t, param, string(ev.Raw))
		})
	}
}
