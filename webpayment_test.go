package paycools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test helpers shared by webpayment_test.go and checkout_test.go (prefixed wp to keep them
// apart from other families' helpers).

const (
	wpCreatePath   = "/open-api/payment/generate"
	wpGetPath      = "/open-api/payment/query"
	wpChannelsPath = "/open-api/payment/checkout/channel"
)

// wpCreateParams is a complete, valid 7.1 request (the spec's example plus every optional
// field).
func wpCreateParams() *WebPaymentCreateParams {
	return &WebPaymentCreateParams{
		MchOrderID:   "CCP20220428011068111",
		Amount:       50000,
		CountryCode:  CountryPH,
		Currency:     CurrencyPHP,
		ChannelType:  WebPaymentChannelTypeEWallet,
		ChannelCode:  WebPaymentChannelCodeGCashURL,
		PayToken:     "tok_9f8e7d6c",
		CustomerName: "user01",
		Email:        "Platform@gmail.com",
		Mobile:       "09123456789",
		TerminalType: TerminalTypeWAP,
		OsType:       OSTypeAndroid,
		NotifyURL:    "https://test.com",
		RedirectURL:  "https://www.google.com/",
		Remark:       "gcash payment",
	}
}

// wpPaymentData is a realistic 7.1/7.2 answer: integers as strings, both time formats, the
// legacy COMPLETE spelling, and callbackUrl instead of notifyUrl.
const wpPaymentData = `{
	"mchOrderId": "CCP20220428011068111",
	"transactionId": "PHP20240719141447123",
	"transactionStatus": "COMPLETE",
	"countryCode": "PH",
	"currency": "PHP",
	"channelType": "EWALLET",
	"channelCode": "PH_GCASH_URL",
	"amount": "50000",
	"payData": "https://pay.paycools.test/gcash/abc?x=1&y=2",
	"redirectUrl": "",
	"createTime": "2024-07-19 14:14:47",
	"returnTime": "2024-07-19T14:20:01+08:00",
	"remark": null,
	"customerName": "user01",
	"email": "Platform@gmail.com",
	"mobile": "09123456789",
	"appName": "Demo Shop",
	"callbackUrl": "https://test.com/cb",
	"unknownField": 1
}`

func TestWebPaymentCreateSendsEveryField(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", wpCreatePath, `{"mchOrderId":"CCP20220428011068111","transactionId":"T1","transactionStatus":"PENDING","amount":50000,"payData":"https://pay.test/x"}`)
	p := wpCreateParams()
	before := *p
	res, err := f.Client.WebPayments.Create(context.Background(), p)
	require.NoError(t, err)

	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, wpCreatePath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "amount", "countryCode", "currency", "channelType",
		"channelCode", "payToken", "customerName", "email", "mobile", "terminalType", "osType", "notifyUrl",
		"redirectUrl", "remark"), paramKeys(r))
	assert.Equal(t, json.Number("50000"), r.Param["amount"], "amount is a JSON integer in minor units")
	assert.Equal(t, json.Number("1726139239000"), r.Param["timestamp"], "timestamp is the clock in ms")
	assert.Equal(t, "EWALLET", r.Param["channelType"])
	assert.Equal(t, "PH_GCASH_URL", r.Param["channelCode"])
	assert.Equal(t, "WAP", r.Param["terminalType"])
	assert.Equal(t, "ANDROID", r.Param["osType"])
	assert.Equal(t, before, *p, "the caller's params are not modified")

	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.Equal(t, "https://pay.test/x", res.PaymentURL())
	assert.Len(t, f.requests(), 1)
}

func TestWebPaymentCreateDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", wpCreatePath, `{}`)
	p := wpCreateParams()
	p.PayToken, p.OsType, p.TerminalType = "", "", TerminalTypeWeb
	p.Timestamp = 1677495496979
	_, err := f.Client.WebPayments.Create(context.Background(), p)
	require.NoError(t, err)
	assert.JSONEq(t, `{
	  "timestamp": 1677495496979,
	  "mchOrderId": "CCP20220428011068111",
	  "amount": 50000,
	  "countryCode": "PH",
	  "currency": "PHP",
	  "channelType": "EWALLET",
	  "channelCode": "PH_GCASH_URL",
	  "customerName": "user01",
	  "email": "Platform@gmail.com",
	  "mobile": "09123456789",
	  "terminalType": "WEB",
	  "notifyUrl": "https://test.com",
	  "redirectUrl": "https://www.google.com/",
	  "remark": "gcash payment"
	}`, f.last().Env.Param)
	assert.Contains(t, f.last().Env.Param, `"redirectUrl":"https://www.google.com/"`, "URLs are not HTML-escaped")
}

func TestWebPaymentCreateDecodesResult(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", wpCreatePath, wpPaymentData)
	res, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
	require.NoError(t, err)

	assert.Equal(t, "CCP20220428011068111", res.MchOrderID)
	assert.Equal(t, "PHP20240719141447123", res.TransactionID)
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus, "COMPLETE is normalised")
	assert.Equal(t, CountryPH, res.CountryCode)
	assert.Equal(t, CurrencyPHP, res.Currency)
	assert.Equal(t, WebPaymentChannelTypeEWallet, res.ChannelType)
	assert.Equal(t, WebPaymentChannelCodeGCashURL, res.ChannelCode)
	assert.Equal(t, Amount(50000), res.Amount, "amount sent as a string")
	assert.Equal(t, "https://pay.paycools.test/gcash/abc?x=1&y=2", res.PayData)
	assert.True(t, res.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)), "zone-less time is UTC+8: %v", res.CreateTime)
	assert.True(t, res.ReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 20, 1)), "ISO time: %v", res.ReturnTime)
	assert.Equal(t, "", res.Remark)
	assert.Equal(t, "user01", res.CustomerName)
	assert.Equal(t, "Platform@gmail.com", res.Email)
	assert.Equal(t, "09123456789", res.Mobile)
	assert.Equal(t, "Demo Shop", res.AppName)
	assert.Equal(t, "https://test.com/cb", res.NotifyURL, "callbackUrl is read when notifyUrl is absent")
	assert.JSONEq(t, wpPaymentData, string(res.Raw))
	assert.Equal(t, "https://pay.paycools.test/gcash/abc?x=1&y=2", res.PaymentURL())
}

func TestWebPaymentDecodeToleratesFieldTrouble(t *testing.T) {
	// A field that cannot be decoded stays zero; the others and Raw survive (docs/envelope.md §7).
	f := newFakeAPI(t)
	data := `{"mchOrderId":123456,"transactionId":"T9","amount":"not-a-number","transactionStatus":"pending","notifyUrl":"https://n.test","callbackUrl":"https://other.test","createTime":1721369687}`
	f.replyData("POST", wpGetPath, data)
	res, err := f.Client.WebPayments.Get(context.Background(), &WebPaymentGetParams{TransactionID: "T9", CountryCode: CountryPH})
	require.NoError(t, err)
	assert.Equal(t, "123456", res.MchOrderID, "a number where a string belongs keeps its text")
	assert.Equal(t, "T9", res.TransactionID)
	assert.Equal(t, Amount(0), res.Amount)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus, "status decoding is case-insensitive")
	assert.Equal(t, "https://n.test", res.NotifyURL, "notifyUrl wins over callbackUrl")
	assert.Equal(t, int64(1721369687), res.CreateTime.Unix(), "epoch seconds")
	assert.JSONEq(t, data, string(res.Raw))
}

func TestWebPaymentPaymentURL(t *testing.T) {
	cases := []struct {
		payData, redirect, want string
	}{
		{"https://pay.test/a", "https://page.test/b", "https://pay.test/a"},
		{"HTTP://pay.test/a", "", "HTTP://pay.test/a"},
		{"00020101021228760011ph.ppmi.p2m0111GCASH", "https://page.test/b", "https://page.test/b"},
		{"", "https://page.test/b", "https://page.test/b"},
		{"8888000012345678", "", ""},
		{"", "ftp://x", ""},
	}
	for _, c := range cases {
		p := &WebPayment{PayData: c.payData, RedirectURL: c.redirect}
		assert.Equal(t, c.want, p.PaymentURL(), "payData %q redirect %q", c.payData, c.redirect)
	}
	var nilPayment *WebPayment
	assert.Equal(t, "", nilPayment.PaymentURL())
}

func TestWebPaymentCreateValidation(t *testing.T) {
	cases := []struct {
		name  string
		field string
		edit  func(p *WebPaymentCreateParams)
	}{
		{"mchOrderId missing", "mchOrderId", func(p *WebPaymentCreateParams) { p.MchOrderID = "" }},
		{"mchOrderId too long", "mchOrderId", func(p *WebPaymentCreateParams) { p.MchOrderID = strings.Repeat("A", 33) }},
		{"mchOrderId not alnum", "mchOrderId", func(p *WebPaymentCreateParams) { p.MchOrderID = "ORDER_1" }},
		{"amount missing", "amount", func(p *WebPaymentCreateParams) { p.Amount = 0 }},
		{"amount negative", "amount", func(p *WebPaymentCreateParams) { p.Amount = -100 }},
		{"amount under PHP 1.00", "amount", func(p *WebPaymentCreateParams) { p.Amount = 99 }},
		{"amount over PHP 50,000.00", "amount", func(p *WebPaymentCreateParams) { p.Amount = 5000001 }},
		{"countryCode missing", "countryCode", func(p *WebPaymentCreateParams) { p.CountryCode = "" }},
		{"countryCode unknown", "countryCode", func(p *WebPaymentCreateParams) { p.CountryCode = "SG" }},
		{"currency missing", "currency", func(p *WebPaymentCreateParams) { p.Currency = "" }},
		{"currency unknown", "currency", func(p *WebPaymentCreateParams) { p.Currency = "USD" }},
		{"channelType missing", "channelType", func(p *WebPaymentCreateParams) { p.ChannelType = "" }},
		{"channelType unknown", "channelType", func(p *WebPaymentCreateParams) { p.ChannelType = "URL" }},
		{"channelCode missing", "channelCode", func(p *WebPaymentCreateParams) { p.ChannelCode = "" }},
		{"payToken missing for DIRECT_DEBIT", "payToken", func(p *WebPaymentCreateParams) {
			p.ChannelType, p.PayToken = WebPaymentChannelTypeDirectDebit, ""
		}},
		{"customerName missing", "customerName", func(p *WebPaymentCreateParams) { p.CustomerName = "" }},
		{"customerName too long", "customerName", func(p *WebPaymentCreateParams) { p.CustomerName = strings.Repeat("n", 129) }},
		{"email missing", "email", func(p *WebPaymentCreateParams) { p.Email = "" }},
		{"email too long", "email", func(p *WebPaymentCreateParams) { p.Email = strings.Repeat("e", 120) + "@mail.com" }},
		{"mobile missing", "mobile", func(p *WebPaymentCreateParams) { p.Mobile = "" }},
		{"mobile too short", "mobile", func(p *WebPaymentCreateParams) { p.Mobile = "091234567" }},
		{"mobile too long", "mobile", func(p *WebPaymentCreateParams) { p.Mobile = "091234567890123" }},
		{"terminalType missing", "terminalType", func(p *WebPaymentCreateParams) { p.TerminalType = "" }},
		{"terminalType unknown", "terminalType", func(p *WebPaymentCreateParams) { p.TerminalType = "PC" }},
		{"osType unknown", "osType", func(p *WebPaymentCreateParams) { p.OsType = "WINDOWS" }},
		{"notifyUrl missing", "notifyUrl", func(p *WebPaymentCreateParams) { p.NotifyURL = "" }},
		{"notifyUrl not absolute", "notifyUrl", func(p *WebPaymentCreateParams) { p.NotifyURL = "/notify" }},
		{"notifyUrl too long", "notifyUrl", func(p *WebPaymentCreateParams) { p.NotifyURL = "https://n.test/" + strings.Repeat("a", 242) }},
		{"redirectUrl missing for EWALLET", "redirectUrl", func(p *WebPaymentCreateParams) { p.RedirectURL = "" }},
		{"redirectUrl missing for ONLINE_BANKING", "redirectUrl", func(p *WebPaymentCreateParams) {
			p.ChannelType, p.RedirectURL = WebPaymentChannelTypeOnlineBanking, ""
		}},
		{"redirectUrl missing for CARD", "redirectUrl", func(p *WebPaymentCreateParams) {
			p.ChannelType, p.RedirectURL = WebPaymentChannelTypeCard, ""
		}},
		{"redirectUrl missing for PAYLATER", "redirectUrl", func(p *WebPaymentCreateParams) {
			p.ChannelType, p.RedirectURL = WebPaymentChannelTypePayLater, ""
			p.Extra = map[string]any{"goodsDetails": []any{map[string]any{"name": "x"}}}
		}},
		{"redirectUrl not a URL", "redirectUrl", func(p *WebPaymentCreateParams) { p.RedirectURL = "www.google.com" }},
		{"redirectUrl too long", "redirectUrl", func(p *WebPaymentCreateParams) { p.RedirectURL = "https://r.test/" + strings.Repeat("a", 498) }},
		{"remark too long", "remark", func(p *WebPaymentCreateParams) { p.Remark = strings.Repeat("r", 257) }},
		{"goodsDetails missing for PAYLATER", "goodsDetails", func(p *WebPaymentCreateParams) { p.ChannelType = WebPaymentChannelTypePayLater }},
		{"goodsDetails empty for PAYLATER", "goodsDetails", func(p *WebPaymentCreateParams) {
			p.ChannelType = WebPaymentChannelTypePayLater
			p.Extra = map[string]any{"goodsDetails": []any{}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", wpCreatePath, `{}`)
			p := wpCreateParams()
			c.edit(p)
			res, err := f.Client.WebPayments.Create(context.Background(), p)
			assert.Nil(t, res)
			ve := requireInvalid(t, f, err, c.field)
			assert.Len(t, ve.Fields, 1, "only the broken field is reported: %v", ve.Fields)
		})
	}
}

func TestWebPaymentCreateValidationListsEveryProblem(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.Client.WebPayments.Create(context.Background(), &WebPaymentCreateParams{ChannelType: WebPaymentChannelTypeEWallet})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	for _, field := range []string{"mchOrderId", "amount", "countryCode", "currency", "channelCode", "customerName",
		"email", "mobile", "terminalType", "notifyUrl", "redirectUrl"} {
		assert.True(t, ve.Has(field), "missing %s in %v", field, ve.Fields)
	}
	assert.False(t, ve.Has("payToken"))

	_, err = f.Client.WebPayments.Create(context.Background(), nil)
	requireInvalid(t, f, err, "params")
}

func TestWebPaymentCreateConditionalFieldsAccepted(t *testing.T) {
	t.Run("direct debit needs only the pay token", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", wpCreatePath, `{"transactionStatus":"PENDING"}`)
		_, err := f.Client.WebPayments.Create(context.Background(), &WebPaymentCreateParams{
			MchOrderID: "DD1", Amount: 100, CountryCode: CountryPH, Currency: CurrencyPHP,
			ChannelType: WebPaymentChannelTypeDirectDebit, ChannelCode: "PH_GCASH_DIRECT_DEBIT",
			PayToken: "tok", NotifyURL: "https://n.test/x",
		})
		require.NoError(t, err)
		assert.Equal(t, sortedNames("timestamp", "mchOrderId", "amount", "countryCode", "currency", "channelType",
			"channelCode", "payToken", "notifyUrl"), paramKeys(f.last()), "empty optional fields are left out")
	})
	t.Run("QR needs no redirect URL; PHP bounds are inclusive", func(t *testing.T) {
		for _, amt := range []Amount{100, 5000000} {
			f := newFakeAPI(t)
			f.replyData("POST", wpCreatePath, `{}`)
			p := wpCreateParams()
			p.ChannelType, p.ChannelCode, p.RedirectURL, p.Amount = WebPaymentChannelTypeQR, WebPaymentChannelCodeQRPHDynamic, "", amt
			_, err := f.Client.WebPayments.Create(context.Background(), p)
			require.NoError(t, err, "amount %d", amt)
			assert.Len(t, f.requests(), 1)
		}
	})
	t.Run("the PHP range does not apply to IDR", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", wpCreatePath, `{}`)
		p := wpCreateParams()
		p.CountryCode, p.Currency, p.Amount = CountryID, CurrencyIDR, 10000000
		_, err := f.Client.WebPayments.Create(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, json.Number("10000000"), f.last().Param["amount"])
	})
	t.Run("pay later with goodsDetails in Extra", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", wpCreatePath, `{}`)
		p := wpCreateParams()
		p.ChannelType = WebPaymentChannelTypePayLater
		p.OsType = OSTypeOther
		p.Extra = map[string]any{"goodsDetails": []map[string]any{{"name": "Shoes", "price": 50000, "quantity": 1}}}
		_, err := f.Client.WebPayments.Create(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, "OTHER", f.last().Param["osType"])
		assert.Equal(t, []any{map[string]any{"name": "Shoes", "price": json.Number("50000"), "quantity": json.Number("1")}},
			f.last().Param["goodsDetails"])
	})
}

func TestWebPaymentCreateExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", wpCreatePath, `{}`)
	p := wpCreateParams()
	for _, k := range []string{"remark", "timestamp"} {
		p.Extra = map[string]any{k: "from Extra", "wechatpay": map[string]any{"openId": "o1"}}
		_, err := f.Client.WebPayments.Create(context.Background(), p)
		requireExtraRefused(t, f, err, k)
	}
	p.Extra = map[string]any{"wechatpay": map[string]any{"openId": "o1"}}
	p.Timestamp = 1700000000000
	_, err := f.Client.WebPayments.Create(context.Background(), p)
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, map[string]any{"openId": "o1"}, r.Param["wechatpay"])
	assert.Equal(t, json.Number("1700000000000"), r.Param["timestamp"])
	assert.Equal(t, 1, strings.Count(r.Env.Param, `"remark"`), "no duplicate keys")
}

func TestWebPaymentCreateLogValueMasks(t *testing.T) {
	p := wpCreateParams()
	out := logJSON(p) + logJSON(*p) // by pointer and by value
	assert.NotContains(t, out, "09123456789")
	assert.NotContains(t, out, "tok_9f8e7d6c")
	assert.Contains(t, out, "*******6789")
	assert.Contains(t, out, "CCP20220428011068111", "other fields are still logged")
	assert.Equal(t, "09123456789", p.Mobile, "logging does not modify the params")
}

func TestWebPaymentGet(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", wpGetPath, wpPaymentData)
	_, err := f.Client.WebPayments.Get(context.Background(), &WebPaymentGetParams{
		MchOrderID: "CCP20220428011068111", TransactionID: "PHP20240719141447123", CountryCode: CountryPH,
		RequestFields: RequestFields{Extra: map[string]any{"countryCode": "ID"}},
	})
	requireExtraRefused(t, f, err, "countryCode")
	res, err := f.Client.WebPayments.Get(context.Background(), &WebPaymentGetParams{
		MchOrderID: "CCP20220428011068111", TransactionID: "PHP20240719141447123", CountryCode: CountryPH,
	})
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, wpGetPath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "transactionId", "countryCode"), paramKeys(r))
	assert.Equal(t, "PH", r.Param["countryCode"])
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
	assert.Equal(t, "https://test.com/cb", res.NotifyURL)
	assert.JSONEq(t, wpPaymentData, string(res.Raw))

	// The doc example: only mchOrderId and countryCode.
	f = newFakeAPI(t)
	f.replyData("POST", wpGetPath, `{"mchOrderId":"10e051066810618100","transactionStatus":"PENDING"}`)
	_, err = f.Client.WebPayments.Get(context.Background(), &WebPaymentGetParams{MchOrderID: "10e051066810618100", CountryCode: CountryPH, RequestFields: RequestFields{Timestamp: 1677133173758}})
	require.NoError(t, err)
	assert.JSONEq(t, `{ "mchOrderId": "10e051066810618100", "countryCode": "PH", "timestamp": 1677133173758 }`, f.last().Env.Param)
}

func TestWebPaymentGetValidation(t *testing.T) {
	cases := []struct {
		name  string
		field string
		p     *WebPaymentGetParams
	}{
		{"no id", "mchOrderId", &WebPaymentGetParams{CountryCode: CountryPH}},
		{"mchOrderId too long", "mchOrderId", &WebPaymentGetParams{MchOrderID: strings.Repeat("1", 33), CountryCode: CountryPH}},
		{"transactionId too long", "transactionId", &WebPaymentGetParams{TransactionID: strings.Repeat("1", 33), CountryCode: CountryPH}},
		{"countryCode missing", "countryCode", &WebPaymentGetParams{MchOrderID: "A1"}},
		{"countryCode unknown", "countryCode", &WebPaymentGetParams{MchOrderID: "A1", CountryCode: "ph"}},
		{"nil", "params", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", wpGetPath, `{}`)
			_, err := f.Client.WebPayments.Get(context.Background(), c.p)
			requireInvalid(t, f, err, c.field)
		})
	}
}

func TestWebPaymentGetNotFound(t *testing.T) {
	for _, c := range []struct {
		code int
		msg  string
	}{{21006, "Merchant transaction not found"}, {21010, "transaction not found"}, {1008, "transaction not found"}} {
		f := newFakeAPI(t)
		f.replyCode("POST", wpGetPath, c.code, c.msg)
		res, err := f.Client.WebPayments.Get(context.Background(), &WebPaymentGetParams{MchOrderID: "X1", CountryCode: CountryPH})
		assert.Nil(t, res)
		assert.ErrorIs(t, err, ErrTransactionNotFound, "code %d", c.code)
		assert.Len(t, f.requests(), 1, "not retried")
	}
}

func TestWebPaymentChannels(t *testing.T) {
	object := `{"list":[{"channelType":"EWALLET","channelCode":"PH_GCASH_URL","countryCode":"PH","currency":"PHP"},{"channelType":"QR","channelCode":"PH_QRPH_DYNAMIC","countryCode":"PH","currency":"PHP"}]}`
	bare := `[{"channelType":"QR","channelCode":"PH_GCASH_QR","countryCode":"PH","currency":"PHP"}]`

	f := newFakeAPI(t)
	f.replyData("POST", wpChannelsPath, object)
	res, err := f.Client.WebPayments.Channels(context.Background(), &WebPaymentChannelsParams{CountryCode: CountryPH, RequestFields: RequestFields{Extra: map[string]any{"lang": "en"}}})
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, wpChannelsPath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "countryCode", "lang"), paramKeys(r))
	require.Len(t, res.List, 2)
	assert.Equal(t, WebPaymentChannel{ChannelType: WebPaymentChannelTypeEWallet, ChannelCode: WebPaymentChannelCodeGCashURL, CountryCode: CountryPH, Currency: CurrencyPHP}, res.List[0])
	assert.Equal(t, WebPaymentChannelCodeQRPHDynamic, res.List[1].ChannelCode)
	assert.JSONEq(t, object, string(res.Raw))

	f = newFakeAPI(t)
	f.replyData("POST", wpChannelsPath, bare)
	res, err = f.Client.WebPayments.Channels(context.Background(), &WebPaymentChannelsParams{CountryCode: CountryPH})
	require.NoError(t, err)
	require.Len(t, res.List, 1, "a bare array is accepted")
	assert.Equal(t, WebPaymentChannelCodeGCashQR, res.List[0].ChannelCode)
	assert.Equal(t, WebPaymentChannelTypeQR, res.List[0].ChannelType)
	assert.JSONEq(t, bare, string(res.Raw), "Raw keeps the data as received")

	// data as a JSON string holding JSON, and a bad element field: the rest survives.
	f = newFakeAPI(t)
	f.replyData("POST", wpChannelsPath, `"[{\"channelType\":\"EWALLET\",\"channelCode\":\"PH_GCASH_URL\",\"countryCode\":\"PH\",\"currency\":{}}]"`)
	res, err = f.Client.WebPayments.Channels(context.Background(), &WebPaymentChannelsParams{CountryCode: CountryPH})
	require.NoError(t, err)
	require.Len(t, res.List, 1)
	assert.Equal(t, WebPaymentChannelCodeGCashURL, res.List[0].ChannelCode)
	assert.Equal(t, Currency(""), res.List[0].Currency)

	for _, p := range []*WebPaymentChannelsParams{nil, {}, {CountryCode: "XX"}} {
		f = newFakeAPI(t)
		_, err = f.Client.WebPayments.Channels(context.Background(), p)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		if p != nil {
			assert.True(t, ve.Has("countryCode"))
		}
		assert.Empty(t, f.requests())
	}
}

func TestWebPaymentNotification(t *testing.T) {
	for _, name := range []string{EventH5PaymentSuccess, EventH5PaymentFailed} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			param := `{"eventName":"` + name + `","mchOrderId":"CCP20220428011068111","transactionId":"PHP20240719141447123","amount":"50000","transactionStatus":"FAILED","createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:20:01+08:00","channelCode":"GCASH_URL","remark":"gcash payment","failedCode":"10004","failedMessage":"insufficient balance"}`
			n, err := f.Client.ParseNotification(signedCallback(t, param))
			require.NoError(t, err)
			assert.Equal(t, name, n.EventName)
			ev, ok := n.Event.(*WebPaymentNotification)
			require.True(t, ok, "event type %T", n.Event)
			assert.Equal(t, name, ev.EventName)
			assert.Equal(t, "CCP20220428011068111", ev.MchOrderID)
			assert.Equal(t, "PHP20240719141447123", ev.TransactionID)
			assert.Equal(t, Amount(50000), ev.Amount)
			assert.Equal(t, TransactionStatusFailed, ev.TransactionStatus)
			assert.True(t, ev.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
			assert.True(t, ev.ReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 20, 1)))
			assert.Equal(t, WebPaymentChannelCode("GCASH_URL"), ev.ChannelCode)
			assert.Equal(t, "gcash payment", ev.Remark)
			assert.Equal(t, 10004, ev.FailedCode, "failedCode sent as a string")
			assert.Equal(t, "insufficient balance", ev.FailedMessage)
			assert.Equal(t, param, string(ev.Raw))
		})
	}
}

func TestWebPaymentWaitPollsUntilFinal(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", wpGetPath,
		okData(`{"mchOrderId":"A1","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"A1","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"A1","transactionStatus":"COMPLETED","amount":50000}`),
		okData(`{"mchOrderId":"A1","transactionStatus":"FAILED"}`))
	res, err := f.Client.WebPayments.Wait(waitCtx(t), &WebPaymentGetParams{MchOrderID: "A1", CountryCode: CountryPH})
	require.NoError(t, err)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
	assert.Equal(t, Amount(50000), res.Amount)
	for _, r := range f.requests() {
		assert.Equal(t, "A1", r.Param["mchOrderId"])
		assert.Equal(t, "PH", r.Param["countryCode"])
	}
}

func TestWebPaymentWaitStopsOnFailedAndOnTransientErrors(t *testing.T) {
	f := newFakeAPI(t, WithRetries(0)) // the retryable error reaches Wait itself
	calls := f.script("POST", wpGetPath,
		codeAnswer(21000, "Server error, Please try again later."),
		okData(`{"mchOrderId":"A1","transactionStatus":"FAIL"}`))
	res, err := f.Client.WebPayments.Wait(waitCtx(t), &WebPaymentGetParams{MchOrderID: "A1", CountryCode: CountryPH})
	require.NoError(t, err)
	assert.Equal(t, TransactionStatusFailed, res.TransactionStatus)
	assert.Equal(t, int32(2), calls.Load(), "a retryable error does not end the wait")
}

func TestWebPaymentWaitEndsWithContext(t *testing.T) {
	f := newFakeAPI(t)
	// The context ends on the third poll (counted, not timed: the same on a loaded machine).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := f.scriptHook("POST", wpGetPath, cancelOn(3, cancel), okData(`{"mchOrderId":"A1","transactionId":"T1","transactionStatus":"PENDING"}`))
	res, err := f.Client.WebPayments.Wait(ctx, &WebPaymentGetParams{MchOrderID: "A1", CountryCode: CountryPH})
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res, "the last result seen is returned")
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.Equal(t, "T1", res.TransactionID)
	assert.Equal(t, int32(3), calls.Load(), "no poll after the context ended")
}

func TestWebPaymentWaitStopsOnPermanentError(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", wpGetPath, codeAnswer(21006, "Merchant transaction not found"))
	res, err := f.Client.WebPayments.Wait(waitCtx(t), &WebPaymentGetParams{MchOrderID: "A1", CountryCode: CountryPH})
	assert.Nil(t, res)
	assert.ErrorIs(t, err, ErrTransactionNotFound)
	assert.Equal(t, int32(1), calls.Load())

	_, err = f.Client.WebPayments.Wait(waitCtx(t), &WebPaymentGetParams{CountryCode: CountryPH})
	requireInvalid(t, nil, err, "mchOrderId") // f holds the poll above; calls is checked below
	assert.Equal(t, int32(1), calls.Load())
}

func TestWebPaymentCreateResolve(t *testing.T) {
	found := `{"mchOrderId":"CCP20220428011068111","transactionId":"T77","transactionStatus":"PENDING","payData":"https://pay.test/found"}`
	created := `{"mchOrderId":"CCP20220428011068111","transactionId":"T88","transactionStatus":"PENDING","payData":"https://pay.test/new"}`

	t.Run("found", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", wpCreatePath, badGateway)
		gets := f.script("POST", wpGetPath, okData(found))
		res, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		require.NoError(t, err)
		assert.Equal(t, "T77", res.TransactionID)
		assert.Equal(t, "https://pay.test/found", res.PaymentURL())
		assert.JSONEq(t, found, string(res.Raw))
		assert.Equal(t, int32(1), creates.Load(), "a write with an unknown outcome is not resent blindly")
		assert.Equal(t, int32(1), gets.Load())
		rs := f.requests()
		require.Len(t, rs, 2)
		assert.Equal(t, wpGetPath, rs[1].Path)
		assert.Equal(t, map[string]any{"mchOrderId": "CCP20220428011068111", "countryCode": "PH", "timestamp": json.Number("1726139239000")}, rs[1].Param,
			"the lookup is by the create's mchOrderId and countryCode")
	})

	t.Run("not found, then resent", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", wpCreatePath, badGateway, okData(created))
		f.script("POST", wpGetPath, codeAnswer(21006, "Merchant transaction not found"))
		res, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		require.NoError(t, err)
		assert.Equal(t, "T88", res.TransactionID)
		assert.Equal(t, int32(2), creates.Load())
		rs := f.requests()
		require.Len(t, rs, 3)
		assert.Equal(t, []string{wpCreatePath, wpGetPath, wpCreatePath}, []string{rs[0].Path, rs[1].Path, rs[2].Path})
		assert.Equal(t, rs[0].Param, rs[2].Param, "the create is resent with the same mchOrderId and fields")
	})

	t.Run("not found, resent, duplicate, found on the second lookup", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", wpCreatePath, badGateway, codeAnswer(21007, "Duplicate merchant order id"))
		gets := f.script("POST", wpGetPath, codeAnswer(21006, "Merchant transaction not found"), okData(found))
		res, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		require.NoError(t, err)
		assert.Equal(t, "T77", res.TransactionID)
		assert.Equal(t, int32(2), creates.Load())
		assert.Equal(t, int32(2), gets.Load())
	})

	t.Run("lookup fails: the original unknown outcome", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", wpCreatePath, badGateway)
		f.script("POST", wpGetPath, codeAnswer(21001, "Request sign error"))
		res, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		assert.Nil(t, res)
		assert.True(t, IsOutcomeUnknown(err), "still unknown: %v", err)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
		assert.Equal(t, int32(1), creates.Load())
	})

	t.Run("resend fails with another error", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", wpCreatePath, badGateway, codeAnswer(21005, "Merchant channel is unavailable"))
		f.script("POST", wpGetPath, codeAnswer(21006, "Merchant transaction not found"))
		_, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 21005, ae.Code, "the resend's answer is definite")
		assert.False(t, IsOutcomeUnknown(err))
	})

	t.Run("definite errors are not resolved", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", wpCreatePath, codeAnswer(21007, "Duplicate merchant order id"))
		gets := f.script("POST", wpGetPath, okData(found))
		_, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		assert.ErrorIs(t, err, ErrDuplicateOrder)
		assert.Equal(t, int32(0), gets.Load())
	})

	t.Run("outcome resolution switched off", func(t *testing.T) {
		f := newFakeAPI(t, WithResolveOutcome(false))
		f.script("POST", wpCreatePath, badGateway)
		gets := f.script("POST", wpGetPath, okData(found))
		_, err := f.Client.WebPayments.Create(context.Background(), wpCreateParams())
		assert.True(t, IsOutcomeUnknown(err))
		assert.Equal(t, int32(0), gets.Load())
	})
}

func TestWebPaymentEventsRegistered(t *testing.T) {
	for _, name := range []string{EventH5PaymentSuccess, EventH5PaymentFailed} {
		mk, ok := eventRegistry[name]
		require.True(t, ok, name)
		_, isWP := mk().(*WebPaymentNotification)
		assert.True(t, isWP, name)
	}
	// payment.success / payment.failed belong to the bills-payment family, not here.
	if mk, ok := eventRegistry["payment.success"]; ok {
		_, isWP := mk().(*WebPaymentNotification)
		assert.False(t, isWP)
	}
}
