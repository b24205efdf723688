package paycoolstest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	webCreatePath = "/open-api/payment/generate"
	webGetPath    = "/open-api/payment/query"
	refundPath    = "/open-api/payment/refund"
	refundList    = "/open-api/refund/payments"
	coCreatePath  = "/open-api/payment/checkout/generate"
	coGetPath     = "/open-api/payment/checkout/query"
	coClosePath   = "/open-api/payment/checkout/close"
	ddAuthPath    = "/open-api/direct/debit/token/apply"
	ddTokensPath  = "/open-api/direct/debit/token/query"
	ddCancelPath  = "/open-api/direct/debit/token/cancel"
	ddPayPath     = "/open-api/direct/debit/pay"
	ddDetailPath  = "/open-api/direct/debit/detail"
)

func webFields(id, notify string) map[string]any {
	return map[string]any{
		"mchOrderId": id, "amount": 50000, "countryCode": "PH", "currency": "PHP",
		"channelType": "EWALLET", "channelCode": "PH_GCASH_URL", "customerName": "user01",
		"email": "user@example.com", "mobile": "09123456789", "terminalType": "WEB",
		"notifyUrl": notify, "redirectUrl": "https://merchant.example/back", "remark": "gcash",
	}
}

func TestWebPaymentAndRefundFlowRaw(t *testing.T) {
	s := newTestServer(t, WithBalance(0))
	m := newMerchant(t)
	r := ok(t, do(t, s, webCreatePath, webFields("WP1", m.URL)))
	require.Equal(t, "PENDING", r.str(t, "transactionStatus"))
	require.Contains(t, r.str(t, "payData"), s.URL())
	tx := r.str(t, "transactionId")
	refused(t, do(t, s, webCreatePath, webFields("WP1", m.URL)), 21007)

	// a refund of a payment that is not completed
	rf := map[string]any{"mchRefundOrderId": "RF1", "originalTransactionId": tx, "refundAmount": 20000, "refundCallbackUrl": m.URL}
	refused(t, do(t, s, refundPath, rf), 21408)

	res, err := s.CompleteWebPayment("WP1")
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "h5.payment.success", ev["eventName"])
	require.Equal(t, tx, ev["transactionId"])
	require.EqualValues(t, 50000, s.Balance())
	g := ok(t, do(t, s, webGetPath, map[string]any{"mchOrderId": "WP1", "countryCode": "PH"}))
	require.Equal(t, "COMPLETED", g.str(t, "transactionStatus"))
	ok(t, do(t, s, webGetPath, map[string]any{"transactionId": tx, "countryCode": "PH"}))
	refused(t, do(t, s, webGetPath, map[string]any{"mchOrderId": "NOPE", "countryCode": "PH"}), 21006)
	_, err = s.FailWebPayment("WP1", -10004, "x")
	require.ErrorIs(t, err, ErrState)

	// refunds
	created := ok(t, do(t, s, refundPath, rf))
	require.Equal(t, "PENDING", created.str(t, "refundStatus"))
	rtx := created.str(t, "refundTransactionId")
	refused(t, do(t, s, refundPath, rf), 21407)
	rf2 := map[string]any{"mchRefundOrderId": "RF2", "originalTransactionId": tx, "refundAmount": 100, "refundCallbackUrl": m.URL}
	refused(t, do(t, s, refundPath, rf2), 21409)
	res, err = s.CompleteRefund("RF1")
	require.NoError(t, err)
	ev = event(t, s, res)
	require.Equal(t, "payment.refund.success", ev["eventName"])
	require.Equal(t, "COMPLETE", ev["refundStatus"])
	require.EqualValues(t, 30000, s.Balance())
	rf2["refundAmount"] = 30001
	refused(t, do(t, s, refundPath, rf2), 21406)
	rf2["refundAmount"] = 30000
	ok(t, do(t, s, refundPath, rf2))
	res, err = s.FailRefund("RF2", -10009, "Channel Refund Failed")
	require.NoError(t, err)
	require.Equal(t, "payment.refund.failed", event(t, s, res)["eventName"])

	l := ok(t, do(t, s, refundList, map[string]any{"originalTransactionId": tx})).list(t)
	require.Len(t, l, 2)
	require.Equal(t, "RF1", l[0]["mchRefundOrderId"])
	require.Equal(t, "FAILED", l[1]["refundStatus"])
	require.EqualValues(t, -10009, l[1]["failedCode"])
	one := ok(t, do(t, s, refundList, map[string]any{"refundTransactionId": rtx})).list(t)
	require.Len(t, one, 1)
	refused(t, do(t, s, refundList, map[string]any{"originalTransactionId": "C404"}), 21006)
	refused(t, do(t, s, refundList, map[string]any{}), 21002)
	refused(t, do(t, s, refundPath, map[string]any{"mchRefundOrderId": "RF3", "originalTransactionId": "C404", "refundAmount": 1, "refundCallbackUrl": m.URL}), 21006)

	// payment statement: the web payment, by creation day
	st := ok(t, do(t, s, "/api/v1/record/paymentList", map[string]any{"createDate": wireDate(s.now()), "page": 1, "status": "COMPLETE"}))
	var recs struct {
		Records []map[string]any `json:"records"`
	}
	require.NoError(t, json.Unmarshal(st.Data, &recs))
	require.Len(t, recs.Records, 1)
	require.Equal(t, "Web Payment", recs.Records[0]["paymentMethod"])
	require.Equal(t, "500.00", jsonNumber(t, st.Data, "amount"))
}

func TestWebPaymentRules(t *testing.T) {
	s := newTestServer(t)
	for name, tc := range map[string]struct {
		change func(map[string]any)
		code   int
	}{
		"amount over limit":        {func(p map[string]any) { p["amount"] = 5_000_001 }, 21010},
		"amount under minimum":     {func(p map[string]any) { p["amount"] = 99 }, 21002},
		"no redirect for EWALLET":  {func(p map[string]any) { delete(p, "redirectUrl") }, 21002},
		"no email":                 {func(p map[string]any) { delete(p, "email") }, 21002},
		"channelType unknown":      {func(p map[string]any) { p["channelType"] = "CASH" }, 21002},
		"paylater without goods":   {func(p map[string]any) { p["channelType"] = "PAYLATER" }, 21002},
		"direct debit no token":    {func(p map[string]any) { p["channelType"] = "DIRECT_DEBIT" }, 21002},
		"direct debit wrong token": {func(p map[string]any) { p["channelType"], p["payToken"] = "DIRECT_DEBIT", "TKX" }, 21024},
		"order id with underscore": {func(p map[string]any) { p["mchOrderId"] = "A_B" }, 21002},
	} {
		t.Run(name, func(t *testing.T) {
			p := webFields("WR1", "https://merchant.example/n")
			tc.change(p)
			refused(t, do(t, s, webCreatePath, p), tc.code)
		})
	}
	p := webFields("WR2", "https://merchant.example/n")
	p["channelType"], p["goodsDetails"] = "PAYLATER", []any{map[string]any{"name": "shoe"}}
	ok(t, do(t, s, webCreatePath, p))
}

func TestCheckoutFlowRaw(t *testing.T) {
	clock := &fixedClock{t: time.Now()}
	s := newTestServer(t, WithClock(clock.now))
	m := newMerchant(t)
	ch := ok(t, do(t, s, "/open-api/payment/checkout/channel", map[string]any{"countryCode": "PH"}))
	var list struct {
		List []map[string]any `json:"list"`
	}
	require.NoError(t, json.Unmarshal(ch.Data, &list))
	require.NotEmpty(t, list.List)

	co := map[string]any{
		"mchOrderId": "CO1", "countryCode": "PH", "currency": "PHP", "settlementCurrency": "PHP",
		"channelTypeList": []string{"EWALLET", "QR"}, "channelCodeList": []string{"PH_GCASH_QR"},
		"amount": 50000, "customerName": "Juan Dela Cruz", "email": "juan@example.com", "mobile": "09171234567",
		"expireSeconds": 3600, "notifyUrl": m.URL, "redirectUrl": "https://merchant.example/o/CO1",
	}
	r := ok(t, do(t, s, coCreatePath, co))
	require.Equal(t, "PENDING", r.str(t, "status"))
	require.Contains(t, r.str(t, "checkoutUrl"), s.URL())
	cid := r.str(t, "checkoutId")
	refused(t, do(t, s, coCreatePath, co), 21007)

	res, err := s.PayCheckout("CO1")
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "checkout.payment.success", ev["eventName"])
	require.Equal(t, cid, ev["checkoutId"])
	require.Equal(t, "PH_GCASH_QR", ev["channelCode"])
	g := ok(t, do(t, s, coGetPath, map[string]any{"checkoutId": cid}))
	require.Equal(t, "COMPLETED", g.str(t, "transactionStatus"))
	refused(t, do(t, s, coClosePath, map[string]any{"mchOrderId": "CO1"}), 21028)
	refused(t, do(t, s, coGetPath, map[string]any{"mchOrderId": "NOPE"}), 21006)

	co["mchOrderId"] = "CO2"
	ok(t, do(t, s, coCreatePath, co))
	cl := ok(t, do(t, s, coClosePath, map[string]any{"mchOrderId": "CO2"}))
	require.Equal(t, "CLOSED", cl.str(t, "status"))
	_, err = s.PayCheckout("CO2")
	require.ErrorIs(t, err, ErrState)

	co["mchOrderId"], co["expireSeconds"] = "CO3", 60
	ok(t, do(t, s, coCreatePath, co))
	clock.add(2 * time.Minute)
	_, err = s.PayCheckout("CO3")
	require.ErrorIs(t, err, ErrState)

	co["mchOrderId"], co["channelTypeList"] = "CO4", []string{"PAYLATER"}
	refused(t, do(t, s, coCreatePath, co), 21002)
	co["channelTypeList"] = []string{"BARTER"}
	refused(t, do(t, s, coCreatePath, co), 21002)
}

func TestDirectDebitFlowRaw(t *testing.T) {
	s := newTestServer(t, WithBalance(0))
	m := newMerchant(t)
	auth := map[string]any{
		"requestId": "REQ1", "userId": "u0009", "channelCode": "PH_GCASH_DIRECT_DEBIT", "countryCode": "PH",
		"terminalType": "WAP", "osType": "ANDROID", "notifyUrl": m.URL, "redirectUrl": "https://merchant.example/back",
	}
	r := ok(t, do(t, s, ddAuthPath, auth))
	require.Contains(t, r.str(t, "authUrl"), s.URL())
	refused(t, do(t, s, ddAuthPath, auth), 21007)
	delete(auth, "osType")
	auth["requestId"] = "REQ2"
	refused(t, do(t, s, ddAuthPath, auth), 21002)

	res, err := s.ApproveAuthorization("REQ1")
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "token.create.success", ev["eventName"])
	require.Equal(t, "ACTIVED", ev["tokenStatus"])
	tok := ev["paytoken"].(string)
	require.Equal(t, tok, s.PayToken("REQ1"))
	_, err = s.RejectAuthorization("REQ1")
	require.ErrorIs(t, err, ErrState)

	tl := ok(t, do(t, s, ddTokensPath, map[string]any{"userId": "u0009"}))
	var tokens struct {
		List []map[string]any `json:"tokenList"`
	}
	require.NoError(t, json.Unmarshal(tl.Data, &tokens))
	require.Len(t, tokens.List, 1)
	require.Equal(t, tok, tokens.List[0]["payToken"])

	pay := map[string]any{"mchOrderId": "DD1", "amount": 10000, "channelCode": "PH_GCASH_DIRECT_DEBIT", "payToken": tok, "notifyUrl": m.URL, "mobile": "09123456789"}
	pr := ok(t, do(t, s, ddPayPath, pay))
	require.Equal(t, "PENDING", pr.str(t, "transactionStatus"))
	refused(t, do(t, s, ddPayPath, pay), 21007)
	res, err = s.CompleteDirectDebitPayment("DD1")
	require.NoError(t, err)
	require.Equal(t, "direct.debit.success", event(t, s, res)["eventName"])
	d := ok(t, do(t, s, ddDetailPath, map[string]any{"mchOrderId": "DD1"}))
	require.Equal(t, "COMPLETED", d.str(t, "transactionStatus"))
	require.EqualValues(t, 10000, s.Balance())
	refused(t, do(t, s, ddDetailPath, map[string]any{"mchOrderId": "NOPE"}), 21006)

	// cancel the token: answered, then token.cancel.success follows; the token no longer pays
	c := ok(t, do(t, s, ddCancelPath, map[string]any{"userId": "u0009", "payToken": tok}))
	require.Equal(t, "INACTIVED", c.str(t, "tokenStatus"))
	require.Equal(t, "MCH_CANCEL", c.str(t, "inactiveType"))
	require.Eventually(t, func() bool {
		for _, cb := range s.Callbacks() {
			if cb.EventName == "token.cancel.success" && cb.Acknowledged() {
				return true
			}
		}
		return false
	}, 2*time.Second, 10*time.Millisecond)
	refused(t, do(t, s, ddCancelPath, map[string]any{"userId": "u0009", "payToken": tok}), 21025)
	refused(t, do(t, s, ddCancelPath, map[string]any{"userId": "other", "payToken": tok}), 21024)
	pay["mchOrderId"] = "DD2"
	refused(t, do(t, s, ddPayPath, pay), 21024)

	ok(t, do(t, s, ddAuthPath, map[string]any{
		"requestId": "REQ3", "userId": "u0010", "channelCode": "PH_GCASH_DIRECT_DEBIT", "countryCode": "PH",
		"terminalType": "WEB", "notifyUrl": m.URL, "redirectUrl": "https://merchant.example/back",
	}))
	res, err = s.RejectAuthorization("REQ3")
	require.NoError(t, err)
	require.Equal(t, "token.create.failed", event(t, s, res)["eventName"])
	require.Empty(t, s.PayToken("REQ3"))
}

func TestEKYCFlowRaw(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	start := map[string]any{"requestId": "K1", "userId": "u1", "channelCode": "EXAMPLE_EKYC_CHANNEL", "notifyUrl": m.URL, "redirectUrl": "https://merchant.example/kyc"}
	r := ok(t, do(t, s, "/open-api/ekyc/init", start))
	require.Contains(t, r.str(t, "ekycUrl"), s.URL())
	refused(t, do(t, s, "/open-api/ekyc/init", start), 21007)
	q := ok(t, do(t, s, "/open-api/ekyc/query", map[string]any{"requestId": "K1"}))
	require.Equal(t, "PENDING", q.str(t, "kycStatus"))
	res, err := s.CompleteEKYC("K1")
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "ekyc.success", ev["eventName"])
	require.Equal(t, "APPROVED", ev["kycStatus"])
	q = ok(t, do(t, s, "/open-api/ekyc/query", map[string]any{"requestId": "K1", "userId": "u1"}))
	require.Equal(t, "APPROVED", q.str(t, "kycStatus"))
	refused(t, do(t, s, "/open-api/ekyc/query", map[string]any{"requestId": "K1", "userId": "u2"}), 21006)

	start["requestId"] = "K2"
	ok(t, do(t, s, "/open-api/ekyc/init", start))
	res, err = s.RejectEKYC("K2", -10002, "document unreadable")
	require.NoError(t, err)
	require.Equal(t, "ekyc.failed", event(t, s, res)["eventName"])
	q = ok(t, do(t, s, "/open-api/ekyc/query", map[string]any{"requestId": "K2"}))
	require.Equal(t, "REJECTED", q.str(t, "kycStatus"))
}

func TestCallbackDeliveryProblems(t *testing.T) {
	s := newTestServer(t)
	// no URL at all
	ok(t, do(t, s, payoutPath, payoutFields("CB1")))
	res, err := s.CompletePayout("CB1")
	require.NoError(t, err)
	require.Error(t, res.Err)
	require.False(t, res.Acknowledged())
	// a merchant answering 500
	m := newMerchant(t)
	m.set(500, `{"code":21000,"message":"Server error, Please try again later."}`)
	s.SetCallbackURL(m.URL)
	ok(t, do(t, s, payoutPath, payoutFields("CB2")))
	res, err = s.CompletePayout("CB2")
	require.NoError(t, err)
	require.NoError(t, res.Err)
	require.Equal(t, 500, res.Status)
	require.False(t, res.Acknowledged())
	// a merchant that is gone
	m.Close()
	ok(t, do(t, s, payoutPath, payoutFields("CB3")))
	res, err = s.CompletePayout("CB3")
	require.NoError(t, err)
	require.Error(t, res.Err)
	require.Len(t, s.Callbacks(), 3)
}
