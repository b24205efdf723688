package paycoolstest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	vaCreatePath = "/open-api/philippines/static/payment/generate"
	vaBatchPath  = "/api/v1/batch/paymentCode"
	vaListPath   = "/open-api/static/payment/code/payments"
	vaCancelPath = "/open-api/philippines/static/code/cancel"
	qrCreatePath = "/open-api/qr/generate"
	qrGetPath    = "/open-api/v2/jt/qrcode/detail"
	qrListPath   = "/open-api/v2/jt/qrcode/payments"
	btCreatePath = "/api/v1/batch/paymentAccount"
)

func vaFields(id, notify string) map[string]any {
	return map[string]any{
		"mchOrderId": id, "customerName": "Juan Dela Cruz", "channelCode": "GCASH_STATIC_VA",
		"notifyUrl": notify, "email": "juan@example.com", "mobile": "09123456789", "remark": "loan 42",
	}
}

func dates(id string) map[string]any {
	return map[string]any{"mchOrderId": id, "startDate": "2000-01-01", "endDate": "2099-12-31"}
}

func TestVirtualAccountFlowRaw(t *testing.T) {
	s := newTestServer(t, WithBalance(0))
	m := newMerchant(t)
	ask := newMerchant(t)
	s.SetRepaymentVerificationURL(ask.URL)

	r := ok(t, do(t, s, vaCreatePath, vaFields("VA1", m.URL)))
	require.Equal(t, "GCASH_STATIC_VA", r.str(t, "channelCode"))
	require.Equal(t, "ACTIVE", r.str(t, "status"))
	ref := r.str(t, "referenceNumber")
	require.NotEmpty(t, ref)
	require.Equal(t, ref, r.str(t, "payData"))
	refused(t, do(t, s, vaCreatePath, vaFields("VA1", m.URL)), 21007)
	other := vaFields("VA1", m.URL)
	other["channelCode"] = "PAYMAYA_STATIC_VA"
	ok(t, do(t, s, vaCreatePath, other)) // one VA per channel

	// The merchant refuses: nothing is collected.
	ask.set(200, `{"code":1001,"message":"unknown reference","data":{}}`)
	res, err := s.PayVirtualAccount("VA1", 25000)
	require.ErrorIs(t, err, ErrRefused)
	q := event(t, s, res)
	require.Equal(t, "payment.verification", q["eventName"])
	require.Equal(t, ref, q["referenceNumber"])
	require.EqualValues(t, 25000, q["amount"])
	require.Equal(t, 1001, res.ReplyCode())
	require.Empty(t, m.bodies)
	require.Empty(t, ok(t, do(t, s, vaListPath, dates("VA1"))).list(t))

	// The merchant accepts: collected, credited, notified.
	ask.set(200, `{"code":2000,"message":"Success","data":{}}`)
	res, err = s.PayVirtualAccount("VA1", 25000)
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	ev := event(t, s, res)
	require.Equal(t, "payment.success", ev["eventName"])
	require.Equal(t, "COMPLETED", ev["transactionStatus"])
	require.Equal(t, "GCASH_STATIC_VA", ev["channelCode"])
	require.EqualValues(t, 25000, s.Balance())
	require.Len(t, s.Callbacks(), 3) // refused question, accepted question, payment.success

	pays := ok(t, do(t, s, vaListPath, dates("VA1"))).list(t)
	require.Len(t, pays, 1)
	require.Equal(t, ev["transactionId"], pays[0]["transactionId"])
	require.EqualValues(t, 25000, pays[0]["transactionAmount"])
	refused(t, do(t, s, vaListPath, dates("NOPE")), 21006)
	bad := dates("VA1")
	bad["endDate"] = "1999-01-01"
	refused(t, do(t, s, vaListPath, bad), 21002)

	// Cancel one channel; paying that channel is then refused by the gateway.
	c := ok(t, do(t, s, vaCancelPath, map[string]any{"mchOrderId": "VA1", "channelCode": "GCASH_STATIC_VA"}))
	require.Equal(t, "INACTIVE", c.str(t, "status"))
	refused(t, do(t, s, vaCancelPath, map[string]any{"mchOrderId": "VA1", "channelCode": "GCASH_STATIC_VA"}), 21025)
	_, err = s.PayVirtualAccountChannel("VA1", "GCASH_STATIC_VA", 100)
	require.ErrorIs(t, err, ErrState)
	_, err = s.PayVirtualAccount("VA1", 100) // the PayMaya VA is still active
	require.NoError(t, err)

	for name, change := range map[string]func(map[string]any){
		"mobile":    func(p map[string]any) { p["mobile"] = "12345678901" },
		"email":     func(p map[string]any) { p["email"] = "juan" },
		"notifyUrl": func(p map[string]any) { p["notifyUrl"] = "/relative" },
		"missing":   func(p map[string]any) { delete(p, "customerName") },
	} {
		p := vaFields("VA2", m.URL)
		change(p)
		refused(t, do(t, s, vaCreatePath, p), 21002)
		_ = name
	}
}

func TestVirtualAccountBatchRaw(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	s.SetCallbackURL(m.URL)
	batch := map[string]any{
		"appName": "Sandbox App", "mchOrderId": "GRP2", "channelCode": "GCASH_STATIC_VA,PAYMAYA_STATIC_VA",
		"customerName": "Juan", "email": "juan@example.com", "minAmount": 20000, "maxAmount": 5000000,
		"expireTime": "2099-12-31",
	}
	r := ok(t, do(t, s, vaBatchPath, batch))
	require.Contains(t, r.str(t, "shortLink"), s.URL())
	var b struct {
		List []map[string]any `json:"paymentVaList"`
	}
	require.NoError(t, json.Unmarshal(r.Data, &b))
	require.Len(t, b.List, 2)
	refused(t, do(t, s, vaBatchPath, batch), 21007)

	// update replaces the channel set
	u := ok(t, do(t, s, "/api/v1/batch/paymentCode/GRP2/update", map[string]any{"mchOrderId": "GRP2", "channelCode": "PAYMAYA_STATIC_VA,7ELEVEN_STATIC_VA"}))
	require.NoError(t, json.Unmarshal(u.Data, &b))
	require.Len(t, b.List, 2)
	require.Equal(t, "PAYMAYA_STATIC_VA", b.List[0]["channelCode"])
	require.Equal(t, "7ELEVEN_STATIC_VA", b.List[1]["channelCode"])
	refused(t, do(t, s, "/api/v1/batch/paymentCode/NOPE/update", map[string]any{"mchOrderId": "NOPE", "channelCode": "PAYMAYA_STATIC_VA"}), 21006)

	cu := ok(t, do(t, s, "/api/v1/paymentCode/cashier", map[string]any{"mchOrderId": "GRP2"}))
	require.Equal(t, r.str(t, "shortLink"), cu.str(t, "shortLink"))

	// min/max bound payments; batch-made VAs notify the dashboard URL
	_, err := s.PayVirtualAccount("GRP2", 100)
	require.ErrorIs(t, err, ErrState)
	res, err := s.PayVirtualAccount("GRP2", 20000)
	require.NoError(t, err)
	require.Equal(t, m.URL, res.URL)
	require.True(t, res.Acknowledged())

	bad := map[string]any{}
	for k, v := range batch {
		bad[k] = v
	}
	bad["mchOrderId"], bad["minAmount"] = "GRP3", 9000000
	refused(t, do(t, s, vaBatchPath, bad), 21002)
	bad["minAmount"], bad["channelCode"] = 1, "A, B"
	refused(t, do(t, s, vaBatchPath, bad), 21002)
	bad["channelCode"], bad["mchOrderId"] = "A", "GRP_3"
	refused(t, do(t, s, vaBatchPath, bad), 21002)
}

func TestQRCodeFlowRaw(t *testing.T) {
	clock := &fixedClock{t: time.Now()}
	s := newTestServer(t, WithClock(clock.now))
	m := newMerchant(t)
	dyn := map[string]any{
		"channelCode": "QRPH_DYNAMIC_QR", "mchOrderId": "QR1", "amount": 50010, "notifyUrl": m.URL,
		"customerName": "Raja", "email": "raja@example.com", "remark": "example", "expireSeconds": 300,
	}
	r := ok(t, do(t, s, qrCreatePath, dyn))
	require.Equal(t, "ACTIVE", r.str(t, "qrStatus"))
	require.Equal(t, "PENDING", r.str(t, "transactionStatus"))
	require.NotEmpty(t, r.str(t, "qrCodeContent"))
	require.NotEmpty(t, r.str(t, "expiresTime"))
	refused(t, do(t, s, qrCreatePath, dyn), 21007)

	res, err := s.PayQRCode("QR1", 0)
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "qrcode.payment.success", ev["eventName"])
	require.EqualValues(t, 50010, ev["amount"])
	require.Equal(t, r.str(t, "transactionId"), ev["transactionId"])
	_, err = s.PayQRCode("QR1", 0)
	require.ErrorIs(t, err, ErrState, "a dynamic QR is paid once")
	g := ok(t, do(t, s, qrGetPath, map[string]any{"mchOrderId": "QR1"}))
	require.Equal(t, "COMPLETED", g.str(t, "transactionStatus"))

	// static: open amount, paid many times, listed
	st := map[string]any{"channelCode": "QRPH_STATIC_QR", "mchOrderId": "QR2", "notifyUrl": m.URL, "customerName": "Raja"}
	ok(t, do(t, s, qrCreatePath, st))
	for _, a := range []int{1000, 2500} {
		_, err := s.PayQRCode("QR2", paycoolsAmount(a))
		require.NoError(t, err)
	}
	require.Len(t, ok(t, do(t, s, qrListPath, dates("QR2"))).list(t), 2)

	// update the callback URL, then cancel
	m2 := newMerchant(t)
	ok(t, do(t, s, "/api/v1/qrcode/update", map[string]any{"mchOrderId": "QR2", "customerName": "New Name", "callbackUrl": m2.URL}))
	res, err = s.PayQRCode("QR2", 300)
	require.NoError(t, err)
	require.Equal(t, m2.URL, res.URL)
	c := ok(t, do(t, s, "/api/v1/qrcode/cancel", map[string]any{"mchOrderId": "QR2"}))
	require.Equal(t, "INACTIVE", c.str(t, "qrStatus"))
	refused(t, do(t, s, "/api/v1/qrcode/cancel", map[string]any{"mchOrderId": "QR2"}), 21025)
	refused(t, do(t, s, "/api/v1/qrcode/update", map[string]any{"mchOrderId": "QR2", "customerName": "X"}), 21028)
	_, err = s.PayQRCode("QR2", 300)
	require.ErrorIs(t, err, ErrState)
	refused(t, do(t, s, qrGetPath, map[string]any{"mchOrderId": "NOPE"}), 21006)

	// expiry
	dyn["mchOrderId"], dyn["expireSeconds"] = "QR3", 60
	ok(t, do(t, s, qrCreatePath, dyn))
	clock.add(2 * time.Minute)
	_, err = s.PayQRCode("QR3", 0)
	require.ErrorIs(t, err, ErrState)

	// amount rules
	dyn["mchOrderId"], dyn["amount"] = "QR4", 1999
	refused(t, do(t, s, qrCreatePath, dyn), 21002)
	delete(dyn, "amount")
	refused(t, do(t, s, qrCreatePath, dyn), 21002)
	dyn["amount"], dyn["expireSeconds"] = 5000, 45
	refused(t, do(t, s, qrCreatePath, dyn), 21002)
	dyn["expireSeconds"] = 60
	delete(dyn, "customerName")
	refused(t, do(t, s, qrCreatePath, dyn), 21002)
}

func TestBankTransferFlowRaw(t *testing.T) {
	s := newTestServer(t, WithBalance(0))
	m := newMerchant(t)
	s.SetCallbackURL(m.URL)
	p := map[string]any{
		"appName": "PayCools", "mchOrderId": "BT1", "channelCode": "INSTA_TRANSFER_ACC",
		"customerName": "Customer Name", "minAmount": 20000, "maxAmount": 5000000, "mobile": "09123456789",
	}
	r := ok(t, do(t, s, btCreatePath, p))
	var b struct {
		List []map[string]any `json:"paymentAccountList"`
	}
	require.NoError(t, json.Unmarshal(r.Data, &b))
	require.Len(t, b.List, 1)
	require.Equal(t, "AllBank", b.List[0]["receivingBank"])
	account := b.List[0]["accountNumber"].(string)
	refused(t, do(t, s, btCreatePath, p), 21007)

	res, err := s.PayBankTransfer("BT1", 30000)
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "transfer.payment.success", ev["eventName"])
	require.Equal(t, account, ev["paymentAccount"])
	require.EqualValues(t, 30000, s.Balance())
	_, err = s.PayBankTransfer("BT1", 100)
	require.ErrorIs(t, err, ErrState)

	l := ok(t, get(t, s, "/api/v1/paymentAccount/BT1/payments", dates("BT1"))).list(t)
	require.Len(t, l, 1)
	require.EqualValues(t, 30000, l[0]["transactionAmount"])
	f := dates("BT1")
	f["channelCode"] = "OTHER_ACC"
	require.Empty(t, ok(t, get(t, s, "/api/v1/paymentAccount/BT1/payments", f)).list(t))
	refused(t, get(t, s, "/api/v1/paymentAccount/NOPE/payments", dates("NOPE")), 21006)

	u := ok(t, do(t, s, "/api/v1/batch/paymentAccount/BT1/update", map[string]any{"mchOrderId": "BT1", "channelCode": "INSTA_TRANSFER_ACC,OTHER_ACC"}))
	require.NoError(t, json.Unmarshal(u.Data, &b))
	require.Len(t, b.List, 2)
}
