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
	coChannelsPath = "/open-api/payment/checkout/channel"
	coCreatePath   = "/open-api/payment/checkout/generate"
	coGetPath      = "/open-api/payment/checkout/query"
	coClosePath    = "/open-api/payment/checkout/close"
)

// coCreateParams is a complete, valid 9.2 request: the spec's example plus every optional
// field, nested values included.
func coCreateParams() *CheckoutCreateParams {
	return &CheckoutCreateParams{
		MchOrderID:         "CCP20220428011068111",
		MerchantLogo:       "https://merchant.example.com/logo.png",
		Language:           CheckoutLanguageEN,
		CountryCode:        CountryPH,
		Currency:           CurrencyPHP,
		SettlementCurrency: CurrencyPHP,
		ChannelTypeList:    []CheckoutChannelType{CheckoutChannelTypeEWallet, CheckoutChannelTypeQR, CheckoutChannelTypePayLater},
		ChannelCodeList:    []string{"PH_GCASH_URL", "PH_QRPH_DYNAMIC"},
		Amount:             50000,
		CustomerName:       "Juan Dela Cruz",
		Email:              "juan@example.com",
		Mobile:             "09171234567",
		ExpireSeconds:      3600,
		NotifyURL:          "https://merchant.example.com/paycools/notify",
		RedirectURL:        "https://merchant.example.com/orders/CCP20220428011068111?a=1&b=2",
		Remark:             "test pay",
		VirtualAccountName: "Juan's Store",
		GoodsDetails: []CheckoutGoodsDetail{
			{Name: "Shoes", Price: 30000, Quantity: 1, Sku: "SH-1", URL: "https://merchant.example.com/p/sh-1", Category: "apparel"},
			{Name: "Socks", Price: 10000, Quantity: 2},
		},
		BillingAddress: &CheckoutAddress{
			Name: "Juan Dela Cruz", CustomerName: "Juan Dela Cruz", AddressLine1: "1 Ayala Ave", AddressLine2: "Unit 2",
			City: "Makati", Province: "Metro Manila", PostCode: "1226", Email: "juan@example.com",
			Mobile: "09998887777", CountryCode: CountryPH, RedirectURL: "https://merchant.example.com/back",
		},
	}
}

// coOrderData is the recorded UAT answer of 9.2 (no mchOrderId in it).
const coOrderData = `{"checkoutId":"CH1826543000123456789","checkoutUrl":"https://checkout.paycools.test/CH1826543000123456789?lang=EN&x=1","status":"PENDING","expiresTime":"2024-07-19T12:51:54.949+00:00"}`

// coDetailData is a realistic 9.3 answer: integers as strings, both time formats, the older
// COMPLETE spelling.
const coDetailData = `{
	"mchOrderId": "CCP20220428011068111",
	"checkoutId": "CH1826543000123456789",
	"transactionId": "PHP20240719141447123",
	"amount": "50000",
	"currency": "PHP",
	"settlementCurrency": "PHP",
	"countryCode": "PH",
	"transactionStatus": "complete",
	"channelCode": "PH_GCASH_URL",
	"createTime": "2024-07-19 14:14:47",
	"returnTime": "2024-07-19T14:20:01+08:00",
	"remark": "test pay",
	"failedCode": "0",
	"failedMessage": null,
	"appName": "Demo Shop",
	"callbackUrl": "https://merchant.example.com/paycools/notify"
}`

func TestCheckoutChannels(t *testing.T) {
	object := `{"list":[{"channelType":"QR","channelCode":"PH_GCASH_QR","countryCode":"PH","currency":"PHP"},{"channelType":"QR","channelCode":"PH_QRPH_DYNAMIC","countryCode":"PH","currency":"PHP"},{"channelType":"EWALLET","channelCode":"PH_GCASH_URL","countryCode":"PH","currency":"PHP"}]}`
	f := newFakeAPI(t)
	f.replyData("POST", coChannelsPath, object)
	res, err := f.Client.Checkout.Channels(context.Background(), &CheckoutChannelsParams{CountryCode: CountryPH})
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, coChannelsPath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "countryCode"), paramKeys(r))
	require.Len(t, res.List, 3)
	assert.Equal(t, CheckoutChannel{ChannelType: CheckoutChannelTypeEWallet, ChannelCode: "PH_GCASH_URL", CountryCode: CountryPH, Currency: CurrencyPHP}, res.List[2])
	assert.Equal(t, CheckoutChannelTypeQR, res.List[0].ChannelType)
	assert.JSONEq(t, object, string(res.Raw))

	// The doc's example param, timestamp as printed.
	f = newFakeAPI(t)
	f.replyData("POST", coChannelsPath, `[{"channelType":"ONLINE_BANKING","channelCode":"PH_BPI","countryCode":"PH","currency":"PHP"}]`)
	res, err = f.Client.Checkout.Channels(context.Background(), &CheckoutChannelsParams{CountryCode: CountryPH, RequestFields: RequestFields{Timestamp: 1715595802}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"timestamp": 1715595802, "countryCode": "PH"}`, f.last().Env.Param)
	require.Len(t, res.List, 1, "a bare array is accepted")
	assert.Equal(t, CheckoutChannelTypeOnlineBanking, res.List[0].ChannelType)
	assert.Equal(t, "PH_BPI", res.List[0].ChannelCode)

	// Empty data is still a success.
	f = newFakeAPI(t)
	f.replyData("POST", coChannelsPath, `null`)
	res, err = f.Client.Checkout.Channels(context.Background(), &CheckoutChannelsParams{CountryCode: CountryTH})
	require.NoError(t, err)
	assert.Empty(t, res.List)

	for _, p := range []*CheckoutChannelsParams{{}, {CountryCode: CountryRU}, nil} {
		f = newFakeAPI(t)
		_, err = f.Client.Checkout.Channels(context.Background(), p)
		if p == nil {
			requireInvalid(t, f, err, "params")
		} else {
			requireInvalid(t, f, err, "countryCode")
		}
	}
}

func TestCheckoutCreateSendsEveryField(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", coCreatePath, coOrderData)
	p := coCreateParams()
	res, err := f.Client.Checkout.Create(context.Background(), p)
	require.NoError(t, err)

	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, coCreatePath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "merchantLogo", "language", "countryCode", "currency",
		"settlementCurrency", "channelTypeList", "channelCodeList", "amount", "customerName", "email", "mobile",
		"expireSeconds", "notifyUrl", "redirectUrl", "remark", "virtualAccountName", "goodsDetails", "billingAddress"), paramKeys(r))
	assert.Equal(t, json.Number("50000"), r.Param["amount"])
	assert.Equal(t, json.Number("3600"), r.Param["expireSeconds"])
	assert.Equal(t, []any{"EWALLET", "QR", "PAYLATER"}, r.Param["channelTypeList"])
	assert.Equal(t, []any{"PH_GCASH_URL", "PH_QRPH_DYNAMIC"}, r.Param["channelCodeList"])
	assert.Equal(t, []any{
		map[string]any{"name": "Shoes", "price": json.Number("30000"), "quantity": json.Number("1"), "sku": "SH-1", "url": "https://merchant.example.com/p/sh-1", "category": "apparel"},
		map[string]any{"name": "Socks", "price": json.Number("10000"), "quantity": json.Number("2")},
	}, r.Param["goodsDetails"])
	assert.Equal(t, map[string]any{
		"name": "Juan Dela Cruz", "customerName": "Juan Dela Cruz", "addressLine1": "1 Ayala Ave", "addressLine2": "Unit 2",
		"city": "Makati", "province": "Metro Manila", "postCode": "1226", "email": "juan@example.com",
		"mobile": "09998887777", "countryCode": "PH", "redirectUrl": "https://merchant.example.com/back",
	}, r.Param["billingAddress"])
	assert.Contains(t, r.Env.Param, `?a=1&b=2`, "no HTML escaping")

	assert.Equal(t, "CH1826543000123456789", res.CheckoutID)
	assert.Equal(t, "https://checkout.paycools.test/CH1826543000123456789?lang=EN&x=1", res.CheckoutURL)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.True(t, res.ExpiresTime.Equal(time.Date(2024, 7, 19, 12, 51, 54, 949e6, time.UTC)), "%v", res.ExpiresTime)
	assert.Equal(t, "CCP20220428011068111", res.MchOrderID, "copied from the params when absent")
	assert.JSONEq(t, coOrderData, string(res.Raw))
}

func TestCheckoutCreateDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", coCreatePath, `{"checkoutId":"CH1","mchOrderId":"FROM-PAYCOOLS","status":"pending","expiresTime":"2024-07-19 14:14:47"}`)
	res, err := f.Client.Checkout.Create(context.Background(), &CheckoutCreateParams{
		RequestFields:      RequestFields{Timestamp: 1677495496979},
		MchOrderID:         "CCP20220428011068111",
		CountryCode:        CountryPH,
		Currency:           CurrencyPHP,
		SettlementCurrency: CurrencyPHP,
		ChannelTypeList:    []CheckoutChannelType{CheckoutChannelTypeEWallet, CheckoutChannelTypeQR},
		Amount:             50000,
		CustomerName:       "Juan Dela Cruz",
		Email:              "juan@example.com",
		Mobile:             "09171234567",
		ExpireSeconds:      3600,
		NotifyURL:          "https://merchant.example.com/paycools/notify",
		RedirectURL:        "https://merchant.example.com/orders/CCP20220428011068111",
		Remark:             "test pay",
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{
	  "timestamp": 1677495496979,
	  "mchOrderId": "CCP20220428011068111",
	  "countryCode": "PH",
	  "currency": "PHP",
	  "settlementCurrency": "PHP",
	  "channelTypeList": ["EWALLET", "QR"],
	  "amount": 50000,
	  "customerName": "Juan Dela Cruz",
	  "email": "juan@example.com",
	  "mobile": "09171234567",
	  "expireSeconds": 3600,
	  "notifyUrl": "https://merchant.example.com/paycools/notify",
	  "redirectUrl": "https://merchant.example.com/orders/CCP20220428011068111",
	  "remark": "test pay"
	}`, f.last().Env.Param)
	assert.Equal(t, "FROM-PAYCOOLS", res.MchOrderID, "PayCools' value is kept when present")
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus, "case-insensitive")
	assert.True(t, res.ExpiresTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
}

func TestCheckoutCreateHostSuccessCode(t *testing.T) {
	// The PH host answers checkout creates on /api/v2/checkout/ with code 1 (docs/dialects.md
	// §6): success there, and only there.
	f := newFakeAPI(t, WithDialect(DialectPH), WithEnvelopeSigning(EnvelopeSignsParam))
	f.reply("POST", "/api/v2/checkout/generate", 200, `{"code":1,"message":"success","data":`+coOrderData+`}`)
	res, err := f.Client.Checkout.Create(context.Background(), coCreateParams())
	require.NoError(t, err)
	assert.Equal(t, "CH1826543000123456789", res.CheckoutID)

	// The open-api checkout path does not take code 1 as success.
	f = newFakeAPI(t)
	f.reply("POST", coCreatePath, 200, `{"code":1,"message":"success","data":`+coOrderData+`}`)
	_, err = f.Client.Checkout.Create(context.Background(), coCreateParams())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1, ae.Code)
}

func TestCheckoutCreateValidation(t *testing.T) {
	cases := []struct {
		name  string
		field string
		edit  func(p *CheckoutCreateParams)
	}{
		{"mchOrderId missing", "mchOrderId", func(p *CheckoutCreateParams) { p.MchOrderID = "" }},
		{"mchOrderId too long", "mchOrderId", func(p *CheckoutCreateParams) { p.MchOrderID = strings.Repeat("A", 33) }},
		{"merchantLogo not a URL", "merchantLogo", func(p *CheckoutCreateParams) { p.MerchantLogo = "logo.png" }},
		{"language unknown", "language", func(p *CheckoutCreateParams) { p.Language = "FR" }},
		{"countryCode missing", "countryCode", func(p *CheckoutCreateParams) { p.CountryCode = "" }},
		{"countryCode unknown", "countryCode", func(p *CheckoutCreateParams) { p.CountryCode = CountryRU }},
		{"currency missing", "currency", func(p *CheckoutCreateParams) { p.Currency = "" }},
		{"currency unknown", "currency", func(p *CheckoutCreateParams) { p.Currency = CurrencyRUB }},
		{"settlementCurrency missing", "settlementCurrency", func(p *CheckoutCreateParams) { p.SettlementCurrency = "" }},
		{"settlementCurrency unknown", "settlementCurrency", func(p *CheckoutCreateParams) { p.SettlementCurrency = "USD" }},
		{"channelTypeList element unknown", "channelTypeList[1]", func(p *CheckoutCreateParams) {
			p.ChannelTypeList = []CheckoutChannelType{CheckoutChannelTypeQR, "DIRECT_DEBIT"}
		}},
		{"amount missing", "amount", func(p *CheckoutCreateParams) { p.Amount = 0 }},
		{"amount negative", "amount", func(p *CheckoutCreateParams) { p.Amount = -1 }},
		{"customerName missing", "customerName", func(p *CheckoutCreateParams) { p.CustomerName = "" }},
		{"customerName too long", "customerName", func(p *CheckoutCreateParams) { p.CustomerName = strings.Repeat("ñ", 129) }},
		{"email missing", "email", func(p *CheckoutCreateParams) { p.Email = "" }},
		{"email too long", "email", func(p *CheckoutCreateParams) { p.Email = strings.Repeat("e", 125) + "@x.ph" }},
		{"mobile missing", "mobile", func(p *CheckoutCreateParams) { p.Mobile = "" }},
		{"mobile too short", "mobile", func(p *CheckoutCreateParams) { p.Mobile = "091712345" }},
		{"mobile too long", "mobile", func(p *CheckoutCreateParams) { p.Mobile = "+63917123456789" }},
		{"expireSeconds negative", "expireSeconds", func(p *CheckoutCreateParams) { p.ExpireSeconds = -60 }},
		{"notifyUrl missing", "notifyUrl", func(p *CheckoutCreateParams) { p.NotifyURL = "" }},
		{"notifyUrl not a URL", "notifyUrl", func(p *CheckoutCreateParams) { p.NotifyURL = "merchant.example.com/notify" }},
		{"notifyUrl too long", "notifyUrl", func(p *CheckoutCreateParams) { p.NotifyURL = "https://n.test/" + strings.Repeat("a", 242) }},
		{"redirectUrl missing", "redirectUrl", func(p *CheckoutCreateParams) { p.RedirectURL = "" }},
		{"redirectUrl not a URL", "redirectUrl", func(p *CheckoutCreateParams) { p.RedirectURL = "javascript:alert(1)" }},
		{"redirectUrl too long", "redirectUrl", func(p *CheckoutCreateParams) { p.RedirectURL = "https://r.test/" + strings.Repeat("a", 498) }},
		{"remark too long", "remark", func(p *CheckoutCreateParams) { p.Remark = strings.Repeat("r", 257) }},
		{"goodsDetails missing for PAYLATER", "goodsDetails", func(p *CheckoutCreateParams) { p.GoodsDetails = nil }},
		{"billingAddress missing for PAYLATER", "billingAddress", func(p *CheckoutCreateParams) { p.BillingAddress = nil }},
		{"nested quantity below 1", "goodsDetails[1].quantity", func(p *CheckoutCreateParams) { p.GoodsDetails[1].Quantity = -2 }},
		{"nested url not a URL", "goodsDetails[0].url", func(p *CheckoutCreateParams) { p.GoodsDetails[0].URL = "/p/sh-1" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", coCreatePath, coOrderData)
			p := coCreateParams()
			c.edit(p)
			res, err := f.Client.Checkout.Create(context.Background(), p)
			assert.Nil(t, res)
			ve := requireInvalid(t, f, err, c.field)
			assert.Len(t, ve.Fields, 1, "only the broken field is reported: %v", ve.Fields)
		})
	}

	f := newFakeAPI(t)
	_, err := f.Client.Checkout.Create(context.Background(), nil)
	requireInvalid(t, f, err, "params")
}

func TestCheckoutCreateWithoutPayLaterNeedsNoGoods(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", coCreatePath, coOrderData)
	_, err := f.Client.Checkout.Create(context.Background(), &CheckoutCreateParams{
		MchOrderID: "ORD_2024_0001", CountryCode: CountryID, Currency: CurrencyIDR, SettlementCurrency: CurrencyIDR,
		Amount: 150000, CustomerName: "Budi", Email: "budi@example.id", Mobile: "081234567890",
		NotifyURL: "https://m.test/n", RedirectURL: "https://m.test/r",
	})
	require.NoError(t, err, "an underscore in mchOrderId is not refused for checkout")
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "countryCode", "currency", "settlementCurrency", "amount",
		"customerName", "email", "mobile", "notifyUrl", "redirectUrl"), paramKeys(f.last()), "empty optional fields are left out")
}

func TestCheckoutCreateExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", coCreatePath, coOrderData)
	p := coCreateParams()
	p.Extra = map[string]any{"userId": "u-77", "language": "TH", "shippingAddress": map[string]any{"city": "Makati"}}
	_, err := f.Client.Checkout.Create(context.Background(), p)
	requireExtraRefused(t, f, err, "language")
	p.Extra = map[string]any{"userId": "u-77", "shippingAddress": map[string]any{"city": "Makati"}}
	_, err = f.Client.Checkout.Create(context.Background(), p)
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, "u-77", r.Param["userId"])
	assert.Equal(t, map[string]any{"city": "Makati"}, r.Param["shippingAddress"])
	assert.Equal(t, 1, strings.Count(r.Env.Param, `"language"`))
}

func TestCheckoutCreateLogValueMasks(t *testing.T) {
	p := coCreateParams()
	out := logJSON(p)
	assert.NotContains(t, out, "09171234567")
	assert.NotContains(t, out, "09998887777")
	assert.Contains(t, out, "*******4567")
	assert.Contains(t, out, "*******7777")
	assert.Contains(t, out, "Makati", "the rest of the address is logged")
	assert.Equal(t, "09998887777", p.BillingAddress.Mobile, "logging does not modify the caller's address")
	assert.Equal(t, "09171234567", p.Mobile)
}

func TestCheckoutGet(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", coGetPath, coDetailData)
	res, err := f.Client.Checkout.Get(context.Background(), &CheckoutGetParams{MchOrderID: "CCP20220428011068111", CheckoutID: "CH1826543000123456789"})
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, coGetPath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "checkoutId"), paramKeys(r))

	assert.Equal(t, "CCP20220428011068111", res.MchOrderID)
	assert.Equal(t, "CH1826543000123456789", res.CheckoutID)
	assert.Equal(t, "PHP20240719141447123", res.TransactionID)
	assert.Equal(t, Amount(50000), res.Amount)
	assert.Equal(t, CurrencyPHP, res.Currency)
	assert.Equal(t, CurrencyPHP, res.SettlementCurrency)
	assert.Equal(t, CountryPH, res.CountryCode)
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus, "complete → COMPLETED")
	assert.Equal(t, "PH_GCASH_URL", res.ChannelCode)
	assert.True(t, res.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.True(t, res.ReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 20, 1)))
	assert.Equal(t, "test pay", res.Remark)
	assert.Equal(t, 0, res.FailedCode)
	assert.Equal(t, "", res.FailedMessage)
	assert.Equal(t, "Demo Shop", res.AppName)
	assert.Equal(t, "https://merchant.example.com/paycools/notify", res.CallbackURL)
	assert.JSONEq(t, coDetailData, string(res.Raw))

	// The older edition's example: only mchOrderId; a failed order with its code as a number.
	f = newFakeAPI(t)
	f.replyData("POST", coGetPath, `{"mchOrderId":"CCP20220428011068111","transactionStatus":"FAILED","failedCode":10004,"failedMessage":"expired"}`)
	res, err = f.Client.Checkout.Get(context.Background(), &CheckoutGetParams{MchOrderID: "CCP20220428011068111", RequestFields: RequestFields{Timestamp: 1678356680000, Extra: map[string]any{"appName": "Demo"}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"mchOrderId": "CCP20220428011068111", "timestamp": 1678356680000, "appName": "Demo"}`, f.last().Env.Param)
	assert.Equal(t, TransactionStatusFailed, res.TransactionStatus)
	assert.Equal(t, 10004, res.FailedCode)
	assert.Equal(t, "expired", res.FailedMessage)
}

func TestCheckoutGetValidationAndNotFound(t *testing.T) {
	for _, c := range []struct {
		name, field string
		p           *CheckoutGetParams
	}{
		{"no id", "mchOrderId", &CheckoutGetParams{}},
		{"mchOrderId too long", "mchOrderId", &CheckoutGetParams{MchOrderID: strings.Repeat("9", 33)}},
		{"nil", "params", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeAPI(t)
			_, err := f.Client.Checkout.Get(context.Background(), c.p)
			requireInvalid(t, f, err, c.field)
		})
	}

	f := newFakeAPI(t)
	f.replyData("POST", coGetPath, `{"checkoutId":"CH9","transactionStatus":"PENDING"}`)
	_, err := f.Client.Checkout.Get(context.Background(), &CheckoutGetParams{CheckoutID: "CH9"})
	require.NoError(t, err, "checkoutId alone is enough")
	assert.Equal(t, sortedNames("timestamp", "checkoutId"), paramKeys(f.last()))

	f = newFakeAPI(t)
	f.replyCode("POST", coGetPath, 21006, "Merchant transaction not found")
	_, err = f.Client.Checkout.Get(context.Background(), &CheckoutGetParams{MchOrderID: "NOPE"})
	assert.ErrorIs(t, err, ErrTransactionNotFound)
}

func TestCheckoutStatus(t *testing.T) {
	for _, c := range []struct {
		wire  string
		want  TransactionStatus
		final bool
	}{
		{`"PENDING"`, TransactionStatusPending, false},
		{`"COMPLETED"`, TransactionStatusCompleted, true},
		{`"COMPLETE"`, TransactionStatusCompleted, true},
		{`"Completed"`, TransactionStatusCompleted, true},
		{`"FAILED"`, TransactionStatusFailed, true},
		{`"closed"`, TransactionStatusClosed, true},
		{`"EXPIRED"`, TransactionStatus("EXPIRED"), false},
		{`null`, TransactionStatus(""), false},
	} {
		var s TransactionStatus
		require.NoError(t, json.Unmarshal([]byte(c.wire), &s), c.wire)
		assert.Equal(t, c.want, s, c.wire)
		assert.Equal(t, c.final, s.Final(), c.wire)
	}
}

func TestCheckoutClose(t *testing.T) {
	data := `{"mchOrderId":"CCP20220428011068111","checkoutId":"CH1","transactionId":"","channelCode":"PH_GCASH_URL","status":"CLOSED","closedTime":"2024-07-19 15:00:00"}`
	f := newFakeAPI(t)
	f.replyData("POST", coClosePath, data)
	res, err := f.Client.Checkout.Close(context.Background(), &CheckoutCloseParams{MchOrderID: "CCP20220428011068111", CheckoutID: "CH1", RequestFields: RequestFields{Extra: map[string]any{"countryCode": "PH"}}})
	require.NoError(t, err)
	r := f.last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, coClosePath, r.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "checkoutId", "countryCode"), paramKeys(r))
	assert.Equal(t, "CH1", res.CheckoutID)
	assert.Equal(t, "CCP20220428011068111", res.MchOrderID)
	assert.Equal(t, "PH_GCASH_URL", res.ChannelCode)
	assert.Equal(t, TransactionStatusClosed, res.TransactionStatus)
	assert.True(t, res.ClosedTime.Equal(phTimeOf(2024, 7, 19, 15, 0, 0)))
	assert.JSONEq(t, data, string(res.Raw))

	// No data at all is still a success.
	f = newFakeAPI(t)
	f.reply("POST", coClosePath, 200, `{"code":1000,"message":"success"}`)
	res, err = f.Client.Checkout.Close(context.Background(), &CheckoutCloseParams{MchOrderID: "CCP20220428011068111"})
	require.NoError(t, err)
	require.NotNil(t, res)
	require.NotNil(t, res.Response)
	assert.Equal(t, 200, res.Response.StatusCode)
	res.Response = nil
	assert.Equal(t, CheckoutCloseResult{}, *res)

	// A finished order: an API error, not retried (a write).
	f = newFakeAPI(t)
	f.replyCode("POST", coClosePath, 21025, "Not allowed to cancel")
	_, err = f.Client.Checkout.Close(context.Background(), &CheckoutCloseParams{CheckoutID: "CH1"})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 21025, ae.Code)
	assert.Len(t, f.requests(), 1)

	for _, p := range []*CheckoutCloseParams{{}, {MchOrderID: strings.Repeat("x", 33)}} {
		f = newFakeAPI(t)
		_, err = f.Client.Checkout.Close(context.Background(), p)
		requireInvalid(t, f, err, "mchOrderId")
	}
	_, err = f.Client.Checkout.Close(context.Background(), nil)
	requireInvalid(t, f, err, "params")
}

func TestCheckoutNotification(t *testing.T) {
	for _, name := range []string{EventCheckoutPaymentSuccess, EventCheckoutPaymentFailed} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			param := `{"eventName":"` + name + `","checkoutId":"CH1826543000123456789","countryCode":"PH","currency":"PHP","settlementCurrency":"PHP","mchOrderId":"CCP20220428011068111","transactionId":"PHP20240719141447123","amount":"50000","transactionStatus":"COMPLETE","createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:20:01+08:00","channelCode":"PH_GCASH_URL","remark":"","failedCode":"21023","failedMessage":"create failed"}`
			n, err := f.Client.ParseNotification(signedCallback(t, param))
			require.NoError(t, err)
			assert.Equal(t, name, n.EventName)
			ev, ok := n.Event.(*CheckoutNotification)
			require.True(t, ok, "event type %T", n.Event)
			assert.Equal(t, name, ev.EventName)
			assert.Equal(t, "CH1826543000123456789", ev.CheckoutID)
			assert.Equal(t, CountryPH, ev.CountryCode)
			assert.Equal(t, CurrencyPHP, ev.Currency)
			assert.Equal(t, CurrencyPHP, ev.SettlementCurrency)
			assert.Equal(t, "CCP20220428011068111", ev.MchOrderID)
			assert.Equal(t, "PHP20240719141447123", ev.TransactionID)
			assert.Equal(t, Amount(50000), ev.Amount)
			assert.Equal(t, TransactionStatusCompleted, ev.TransactionStatus)
			assert.True(t, ev.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
			assert.True(t, ev.ReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 20, 1)))
			assert.Equal(t, "PH_GCASH_URL", ev.ChannelCode)
			assert.Equal(t, "", ev.Remark)
			assert.Equal(t, 21023, ev.FailedCode)
			assert.Equal(t, "create failed", ev.FailedMessage)
			assert.Equal(t, param, string(ev.Raw))
		})
	}
}

func TestCheckoutWaitPollsUntilFinal(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", coGetPath,
		okData(`{"checkoutId":"CH1","transactionStatus":"PENDING"}`),
		okData(`{"checkoutId":"CH1","transactionStatus":"PENDING"}`),
		okData(`{"checkoutId":"CH1","transactionStatus":"COMPLETED","transactionId":"T1"}`),
		okData(`{"checkoutId":"CH1","transactionStatus":"CLOSED"}`))
	res, err := f.Client.Checkout.Wait(waitCtx(t), &CheckoutGetParams{CheckoutID: "CH1"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
	assert.Equal(t, "T1", res.TransactionID)
}

func TestCheckoutWaitUnknownStatusKeepsPollingUntilClosed(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", coGetPath,
		okData(`{"transactionStatus":"PROCESSING"}`),
		okData(`{"transactionStatus":"closed"}`))
	res, err := f.Client.Checkout.Wait(waitCtx(t), &CheckoutGetParams{MchOrderID: "M1"})
	require.NoError(t, err)
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, TransactionStatusClosed, res.TransactionStatus)
}

func TestCheckoutWaitEndsWithContext(t *testing.T) {
	f := newFakeAPI(t)
	// The context ends on the third poll (counted, not timed: the same on a loaded machine).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := f.scriptHook("POST", coGetPath, cancelOn(3, cancel), okData(`{"checkoutId":"CH1","transactionStatus":"PENDING"}`))
	res, err := f.Client.Checkout.Wait(ctx, &CheckoutGetParams{CheckoutID: "CH1"})
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.Equal(t, "CH1", res.CheckoutID)
	assert.Equal(t, int32(3), calls.Load(), "no poll after the context ended")
}

func TestCheckoutCreateResolve(t *testing.T) {
	found := `{"mchOrderId":"CCP20220428011068111","checkoutId":"CH55","transactionStatus":"PENDING","amount":50000}`

	t.Run("found", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", coCreatePath, badGateway)
		gets := f.script("POST", coGetPath, okData(found))
		res, err := f.Client.Checkout.Create(context.Background(), coCreateParams())
		require.NoError(t, err)
		assert.Equal(t, "CH55", res.CheckoutID)
		assert.Equal(t, "CCP20220428011068111", res.MchOrderID)
		assert.Equal(t, TransactionStatusPending, res.TransactionStatus, "Status comes from transactionStatus")
		assert.Equal(t, "", res.CheckoutURL, "9.3 has no link")
		assert.Equal(t, Amount(50000), res.Amount, "the resolved order is Get's whole answer, amount included")
		assert.NotNil(t, res.Response, "with the metadata of the answer it came from")
		assert.JSONEq(t, found, string(res.Raw))
		assert.Equal(t, int32(1), creates.Load())
		assert.Equal(t, int32(1), gets.Load())
		assert.Equal(t, map[string]any{"mchOrderId": "CCP20220428011068111", "timestamp": json.Number("1726139239000")}, f.requests()[1].Param)
	})

	// 9.3 documents mchOrderId in its answer: an answer that does not name the order proves
	// nothing, and the outcome stays unknown.
	t.Run("an answer without mchOrderId: still unknown", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", coCreatePath, badGateway)
		f.script("POST", coGetPath, okData(`{"checkoutId":"CH56","transactionStatus":"COMPLETE"}`))
		res, err := f.Client.Checkout.Create(context.Background(), coCreateParams())
		assert.Nil(t, res)
		assert.True(t, IsOutcomeUnknown(err), "%v", err)
		var re *UnresolvedOutcomeError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, re.LookupErr, ErrLookupInconclusive)
		assert.Equal(t, int32(1), creates.Load())
	})

	t.Run("not found, then resent", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", coCreatePath, badGateway, okData(coOrderData))
		f.script("POST", coGetPath, codeAnswer(21010, "transaction not found"))
		res, err := f.Client.Checkout.Create(context.Background(), coCreateParams())
		require.NoError(t, err)
		assert.Equal(t, "https://checkout.paycools.test/CH1826543000123456789?lang=EN&x=1", res.CheckoutURL)
		assert.Equal(t, "CCP20220428011068111", res.MchOrderID)
		assert.Equal(t, int32(2), creates.Load())
		rs := f.requests()
		require.Len(t, rs, 3)
		assert.Equal(t, rs[0].Param, rs[2].Param, "the same order is sent again")
	})

	t.Run("not found, resent, duplicate, found on the second lookup", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", coCreatePath, badGateway, codeAnswer(21007, "Duplicate merchant order id"))
		gets := f.script("POST", coGetPath, codeAnswer(21006, "Merchant transaction not found"), okData(found))
		res, err := f.Client.Checkout.Create(context.Background(), coCreateParams())
		require.NoError(t, err)
		assert.Equal(t, "CH55", res.CheckoutID)
		assert.Equal(t, int32(2), creates.Load())
		assert.Equal(t, int32(2), gets.Load())
	})

	t.Run("lookup fails: the original unknown outcome", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", coCreatePath, badGateway)
		f.script("POST", coGetPath, codeAnswer(21003, "Request appId error"))
		res, err := f.Client.Checkout.Create(context.Background(), coCreateParams())
		assert.Nil(t, res)
		assert.True(t, IsOutcomeUnknown(err))
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
		assert.Equal(t, OpCheckoutCreate, he.Operation)
		assert.Equal(t, int32(1), creates.Load())
	})
}

func TestCheckoutEventsRegistered(t *testing.T) {
	for _, name := range []string{EventCheckoutPaymentSuccess, EventCheckoutPaymentFailed} {
		mk, ok := eventRegistry[name]
		require.True(t, ok, name)
		_, isCO := mk().(*CheckoutNotification)
		assert.True(t, isCO, name)
	}
}
