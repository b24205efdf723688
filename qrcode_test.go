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

func fullQRCodeCreateParams() *QRCodeCreateParams {
	return &QRCodeCreateParams{
		ChannelCode:   QRChannelCodeQRPHDynamicQR,
		MchOrderID:    "CCP20220428011068111",
		Amount:        50010,
		NotifyURL:     "https://example.com/notify?a=1&b=2",
		CustomerName:  "Juan Dela Cruz",
		Email:         "raja@example.com",
		Mobile:        "09171234567",
		Remark:        "example",
		ExpireSeconds: 300,
	}
}

// qrCodeData is a realistic QRCode answer: integers sent as strings, both time formats, the
// PH status spellings.
const qrCodeData = `{
	"mchOrderId": "CCP20220428011068111",
	"qrCodeId": "QR1175676368800878371",
	"transactionId": "C1175676368800878371",
	"qrCodeContent": "00020101021228760011ph.ppmi.p2m0111PAPHPHM1XXX",
	"channelCode": "QRPH_DYNAMIC_QR",
	"notifyUrl": "https://example.com/notify",
	"remark": "example",
	"qrStatus": "active",
	"transactionStatus": "COMPLETE",
	"transactionCreateTime": "2024-07-19 14:14:47",
	"transactionReturnTime": "2024-07-19T14:15:47+08:00",
	"qrLink": "https://a.api-dev.paycools.com/qr/abc?x=1&y=2",
	"createTime": "2024-07-19 14:14:40",
	"updateTime": "2024-07-19T06:14:41Z",
	"expiresTime": "2024-07-19 14:19:40",
	"amount": "50010",
	"fee": 500,
	"totalAmount": "50510",
	"businessType": "JT"
}`

func TestQRCodeCreateRequestAndDecode(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/qr/generate", qrCodeData)
	res, err := f.Client.QRCodes.Create(context.Background(), fullQRCodeCreateParams())
	require.NoError(t, err)

	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/open-api/qr/generate", got.Path)
	assert.Equal(t, sortedNames("timestamp", "channelCode", "mchOrderId", "amount", "notifyUrl",
		"customerName", "email", "mobile", "remark", "expireSeconds"), paramKeys(got))
	assert.Equal(t, json.Number("50010"), got.Param["amount"])
	assert.Equal(t, json.Number("300"), got.Param["expireSeconds"])
	assert.Equal(t, "QRPH_DYNAMIC_QR", got.Param["channelCode"])
	assert.Equal(t, json.Number("1726139239000"), got.Param["timestamp"])
	assert.Contains(t, got.Env.Param, `"notifyUrl":"https://example.com/notify?a=1&b=2"`, "no HTML escaping")

	assert.Equal(t, "CCP20220428011068111", res.MchOrderID)
	assert.Equal(t, "QR1175676368800878371", res.QRCodeID)
	assert.Equal(t, "C1175676368800878371", res.TransactionID)
	assert.Equal(t, "00020101021228760011ph.ppmi.p2m0111PAPHPHM1XXX", res.QRCodeContent)
	assert.Equal(t, QRChannelCodeQRPHDynamicQR, res.ChannelCode)
	assert.Equal(t, "https://example.com/notify", res.NotifyURL)
	assert.Equal(t, "example", res.Remark)
	assert.Equal(t, QRStatusActive, res.Status)
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
	assert.True(t, res.TransactionCreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.True(t, res.TransactionReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 15, 47)))
	assert.Equal(t, "https://a.api-dev.paycools.com/qr/abc?x=1&y=2", res.QRLink)
	assert.True(t, res.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 40)))
	assert.True(t, res.UpdateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 41)))
	assert.True(t, res.ExpiresTime.Equal(phTimeOf(2024, 7, 19, 14, 19, 40)))
	assert.Equal(t, Amount(50010), res.Amount)
	assert.Equal(t, Amount(500), res.Fee)
	assert.Equal(t, Amount(50510), res.TotalAmount)
	assert.JSONEq(t, qrCodeData, string(res.Raw))
}

// The 5.1 doc example: the param sent holds exactly the doc's names and values.
func TestQRCodeCreateDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/qr/generate", `{"mchOrderId":"CCP20220428011068111"}`)
	_, err := f.Client.QRCodes.Create(context.Background(), &QRCodeCreateParams{
		RequestFields: RequestFields{Timestamp: 1676017834369},
		ChannelCode:   QRChannelCodeQRPHDynamicQR,
		MchOrderID:    "CCP20220428011068111",
		Amount:        50010,
		NotifyURL:     "https://example.com/",
		CustomerName:  "Raja",
		Email:         "raja@example.com",
		Remark:        "example",
		ExpireSeconds: 300,
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"timestamp": 1676017834369,
		"channelCode": "QRPH_DYNAMIC_QR",
		"mchOrderId": "CCP20220428011068111",
		"amount": 50010,
		"notifyUrl": "https://example.com/",
		"customerName": "Raja",
		"email": "raja@example.com",
		"remark": "example",
		"expireSeconds": 300
	}`, f.last().Env.Param)
}

func TestQRCodeCreateStaticAndOtherChannels(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/qr/generate", `{"mchOrderId":"S1","qrcodeId":"Q9","qrcodeContent":"000201","callbackUrl":"https://cb.example/","status":"CANCEL"}`)

	// A static QR: no amount; nothing but the required fields.
	res, err := f.Client.QRCodes.Create(context.Background(), &QRCodeCreateParams{
		ChannelCode: QRChannelCodeQRPHStaticQR, MchOrderID: "S1", NotifyURL: "https://example.com/", CustomerName: "Raja",
	})
	require.NoError(t, err)
	assert.Equal(t, sortedNames("timestamp", "channelCode", "mchOrderId", "notifyUrl", "customerName"), paramKeys(f.last()))
	// Older spellings of the result names.
	assert.Equal(t, "Q9", res.QRCodeID)
	assert.Equal(t, "000201", res.QRCodeContent)
	assert.Equal(t, "https://cb.example/", res.NotifyURL)
	assert.Equal(t, QRStatusCancelled, res.Status)
	assert.True(t, res.Status.Closed())

	// The dynamic minimum is 2000 exactly.
	p := fullQRCodeCreateParams()
	p.Amount = 2000
	_, err = f.Client.QRCodes.Create(context.Background(), p)
	require.NoError(t, err)

	// Another edition's channel: amount required but no 2000 minimum, no customerName needed,
	// and the general expireSeconds bound 30–3600.
	_, err = f.Client.QRCodes.Create(context.Background(), &QRCodeCreateParams{
		ChannelCode: "DUITNOW_DYNAMIC_QR", MchOrderID: "M1", Amount: 100, NotifyURL: "https://example.com/", ExpireSeconds: 30,
	})
	require.NoError(t, err)
	assert.Equal(t, "DUITNOW_DYNAMIC_QR", f.last().Param["channelCode"])
	assert.Len(t, f.requests(), 3)
}

func TestQRCodeCreateValidation(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(p *QRCodeCreateParams)
		field string
	}{
		{"channelCode missing", func(p *QRCodeCreateParams) { p.ChannelCode = "" }, "channelCode"},
		{"mchOrderId missing", func(p *QRCodeCreateParams) { p.MchOrderID = "" }, "mchOrderId"},
		{"mchOrderId too long", func(p *QRCodeCreateParams) { p.MchOrderID = strings.Repeat("A", 33) }, "mchOrderId"},
		{"mchOrderId not alnum", func(p *QRCodeCreateParams) { p.MchOrderID = "A-1" }, "mchOrderId"},
		{"amount missing (dynamic)", func(p *QRCodeCreateParams) { p.Amount = 0 }, "amount"},
		{"amount missing (hybrid)", func(p *QRCodeCreateParams) { p.ChannelCode, p.Amount = QRChannelCodeQRPHHybridQR, 0 }, "amount"},
		{"amount below 2000 (dynamic)", func(p *QRCodeCreateParams) { p.Amount = 1999 }, "amount"},
		{"amount below 2000 (hybrid)", func(p *QRCodeCreateParams) { p.ChannelCode, p.Amount = QRChannelCodeQRPHHybridQR, 1999 }, "amount"},
		{"amount negative", func(p *QRCodeCreateParams) { p.Amount = -5000 }, "amount"},
		{"amount on a static QR", func(p *QRCodeCreateParams) { p.ChannelCode = QRChannelCodeQRPHStaticQR }, "amount"},
		{"amount missing (other channel)", func(p *QRCodeCreateParams) { p.ChannelCode, p.Amount = "THAI_DYNAMIC_QR", 0 }, "amount"},
		{"notifyUrl missing", func(p *QRCodeCreateParams) { p.NotifyURL = "" }, "notifyUrl"},
		{"notifyUrl not a URL", func(p *QRCodeCreateParams) { p.NotifyURL = "example.com/cb" }, "notifyUrl"},
		{"notifyUrl too long", func(p *QRCodeCreateParams) { p.NotifyURL = "https://e.com/" + strings.Repeat("a", 243) }, "notifyUrl"},
		{"customerName missing (QRPH)", func(p *QRCodeCreateParams) { p.CustomerName = "" }, "customerName"},
		{"customerName missing (QRPH static)", func(p *QRCodeCreateParams) {
			p.ChannelCode, p.Amount, p.CustomerName = QRChannelCodeQRPHStaticQR, 0, ""
		}, "customerName"},
		{"customerName too long", func(p *QRCodeCreateParams) { p.CustomerName = strings.Repeat("a", 129) }, "customerName"},
		{"email too long", func(p *QRCodeCreateParams) { p.Email = strings.Repeat("a", 120) + "@test.com" }, "email"},
		{"mobile too short", func(p *QRCodeCreateParams) { p.Mobile = "091712345" }, "mobile"},
		{"mobile too long", func(p *QRCodeCreateParams) { p.Mobile = "091712345678" }, "mobile"},
		{"remark too long", func(p *QRCodeCreateParams) { p.Remark = strings.Repeat("r", 257) }, "remark"},
		{"expireSeconds below 30", func(p *QRCodeCreateParams) {
			p.ChannelCode, p.CustomerName, p.ExpireSeconds = "THAI_DYNAMIC_QR", "", 29
		}, "expireSeconds"},
		{"expireSeconds above 3600", func(p *QRCodeCreateParams) { p.ExpireSeconds = 3601 }, "expireSeconds"},
		{"expireSeconds below 60 (QRPH)", func(p *QRCodeCreateParams) { p.ExpireSeconds = 59 }, "expireSeconds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", "/open-api/qr/generate", `{}`)
			p := fullQRCodeCreateParams()
			tc.edit(p)
			_, err := f.Client.QRCodes.Create(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}

	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.QRCodes.Create(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
	t.Run("every problem at once", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.QRCodes.Create(context.Background(), &QRCodeCreateParams{ChannelCode: QRChannelCodeQRPHDynamicQR, Mobile: "1"})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		for _, field := range []string{"mchOrderId", "amount", "notifyUrl", "customerName", "mobile"} {
			assert.True(t, ve.Has(field), field)
		}
		assert.Empty(t, f.requests())
	})
}

func TestQRCodeCreateExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/qr/generate", `{}`)
	p := fullQRCodeCreateParams()
	p.Extra = map[string]any{"appName": "My Shop", "remark": "from extra", "callbackUrl": "https://cb.example/"}
	_, err := f.Client.QRCodes.Create(context.Background(), p)
	requireExtraRefused(t, f, err, "remark")
	p.Extra = map[string]any{"appName": "My Shop", "callbackUrl": "https://cb.example/"}
	_, err = f.Client.QRCodes.Create(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "My Shop", got.Param["appName"])
	assert.Equal(t, "example", got.Param["remark"])
	assert.Equal(t, "https://cb.example/", got.Param["callbackUrl"])
}

func TestQRCodeCreateLogValueMasksMobile(t *testing.T) {
	p := fullQRCodeCreateParams()
	p.Extra = map[string]any{"secretThing": "09998887777"}
	out := logJSON(p) + logJSON(*p) // by pointer and by value
	assert.NotContains(t, out, "09171234567")
	assert.NotContains(t, out, "09998887777", "Extra values are not logged")
	assert.Contains(t, out, `"mobile":"*******4567"`)
	assert.Contains(t, out, `"mchOrderId":"CCP20220428011068111"`)
	assert.Contains(t, out, "secretThing")
}

func TestQRCodeGet(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/v2/jt/qrcode/detail", qrCodeData)
	_, err := f.Client.QRCodes.Get(context.Background(), &QRCodeGetParams{MchOrderID: "PC880001", RequestFields: RequestFields{Extra: map[string]any{"MchOrderId": "PC880002", "x": 1}}})
	requireExtraRefused(t, f, err, "MchOrderId")
	res, err := f.Client.QRCodes.Get(context.Background(), &QRCodeGetParams{MchOrderID: "PC880001", RequestFields: RequestFields{Extra: map[string]any{"x": 1}}})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/open-api/v2/jt/qrcode/detail", got.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "x"), paramKeys(got))
	assert.Equal(t, "PC880001", got.Param["mchOrderId"])
	assert.Equal(t, QRStatusActive, res.Status)
	assert.Equal(t, Amount(50010), res.Amount)
	assert.JSONEq(t, qrCodeData, string(res.Raw))

	for name, p := range map[string]*QRCodeGetParams{
		"missing":   {},
		"too long":  {MchOrderID: strings.Repeat("1", 33)},
		"not alnum": {MchOrderID: "PC 1"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			_, err := f.Client.QRCodes.Get(context.Background(), p)
			requireInvalid(t, f, err, "mchOrderId")
		})
	}
}

func TestQRCodeCancel(t *testing.T) {
	f := newFakeAPI(t)
	data := `{"mchOrderId":"E34302809202827219113","qrStatus":"INACTIVE","channelCode":"QRPH_STATIC_QR","updateTime":"2024-07-19T14:14:47+08:00"}`
	f.replyData("POST", "/api/v1/qrcode/cancel", data)
	res, err := f.Client.QRCodes.Cancel(context.Background(), &QRCodeCancelParams{MchOrderID: "E34302809202827219113", RequestFields: RequestFields{Extra: map[string]any{"appName": "Shop"}}})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/api/v1/qrcode/cancel", got.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "appName"), paramKeys(got))
	assert.Equal(t, QRStatusInactive, res.Status)
	assert.True(t, res.Status.Closed())
	assert.False(t, QRStatusActive.Closed())
	assert.Equal(t, QRChannelCodeQRPHStaticQR, res.ChannelCode)
	assert.True(t, res.UpdateTime.Equal(time.Date(2024, 7, 19, 6, 14, 47, 0, time.UTC)))
	assert.JSONEq(t, data, string(res.Raw))

	for name, p := range map[string]*QRCodeCancelParams{
		"missing":   {},
		"too long":  {MchOrderID: strings.Repeat("1", 33)},
		"not alnum": {MchOrderID: "E_1"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			_, err := f.Client.QRCodes.Cancel(context.Background(), p)
			requireInvalid(t, f, err, "mchOrderId")
		})
	}
}

func fullQRCodeUpdateParams() *QRCodeUpdateParams {
	return &QRCodeUpdateParams{
		MchOrderID:   "CCP20220428011068111",
		CustomerName: "Customer Name",
		CallbackURL:  "https://www.paycools.com.ph",
		Email:        "pay@paycools.com",
		Remark:       "test static qrcode",
	}
}

func TestQRCodeUpdate(t *testing.T) {
	f := newFakeAPI(t)
	data := `{"mchOrderId":"CCP20220428011068111","callbackUrl":"https://www.paycools.com.ph","remark":"test static qrcode","status":"ACTIVE","amount":null,"createTime":""}`
	f.replyData("POST", "/api/v1/qrcode/update", data)
	p := fullQRCodeUpdateParams()
	p.Timestamp = 1676017834369
	p.Extra = map[string]any{"customerName": "Other Name"}
	_, err := f.Client.QRCodes.Update(context.Background(), p)
	requireExtraRefused(t, f, err, "customerName")
	p.Extra = nil
	res, err := f.Client.QRCodes.Update(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/api/v1/qrcode/update", got.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "customerName", "callbackUrl", "email", "remark"), paramKeys(got))
	assert.Equal(t, json.Number("1676017834369"), got.Param["timestamp"])
	assert.Equal(t, p.CustomerName, got.Param["customerName"])
	assert.Equal(t, "https://www.paycools.com.ph", res.NotifyURL, "callbackUrl read into NotifyURL")
	assert.Equal(t, QRStatusActive, res.Status, "status read into Status")
	assert.Zero(t, res.Amount)
	assert.True(t, res.CreateTime.IsZero())
	assert.JSONEq(t, data, string(res.Raw))

	cases := []struct {
		name  string
		edit  func(p *QRCodeUpdateParams)
		field string
	}{
		{"mchOrderId missing", func(p *QRCodeUpdateParams) { p.MchOrderID = "" }, "mchOrderId"},
		{"mchOrderId too long", func(p *QRCodeUpdateParams) { p.MchOrderID = strings.Repeat("a", 33) }, "mchOrderId"},
		{"customerName missing", func(p *QRCodeUpdateParams) { p.CustomerName = "" }, "customerName"},
		{"customerName too long", func(p *QRCodeUpdateParams) { p.CustomerName = strings.Repeat("a", 101) }, "customerName"},
		{"callbackUrl not a URL", func(p *QRCodeUpdateParams) { p.CallbackURL = "ftp://x.example/" }, "callbackUrl"},
		{"callbackUrl too long", func(p *QRCodeUpdateParams) { p.CallbackURL = "https://e.com/" + strings.Repeat("a", 243) }, "callbackUrl"},
		{"email too long", func(p *QRCodeUpdateParams) { p.Email = strings.Repeat("a", 42) + "@test.com" }, "email"},
		{"remark too long", func(p *QRCodeUpdateParams) { p.Remark = strings.Repeat("r", 257) }, "remark"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			p := fullQRCodeUpdateParams()
			tc.edit(p)
			_, err := f.Client.QRCodes.Update(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("optional fields left out", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", "/api/v1/qrcode/update", `{}`)
		_, err := f.Client.QRCodes.Update(context.Background(), &QRCodeUpdateParams{MchOrderID: "A1", CustomerName: "Ana"})
		require.NoError(t, err)
		assert.Equal(t, sortedNames("timestamp", "mchOrderId", "customerName"), paramKeys(f.last()))
	})
}

const qrPaymentsData = `[
	{"transactionId":"T1","mchOrderId":"PC880001","channelCode":"QRPH_STATIC_QR","transactionStatus":"complete",
	 "amount":"10000","fee":"150","totalAmount":10150,"transactionCreateTime":"2022-11-02 10:00:00",
	 "transactionReturnTime":"2022-11-02T10:00:05+08:00","remark":null},
	{"transactionId":"T2","mchOrderId":"PC880001","channelCode":"QRPH_STATIC_QR","transactionStatus":"FAILED",
	 "transactionAmount":"2500","transactionCreateTime":"2022-11-03 11:00:00","remark":"second"}
]`

func TestQRCodeListPayments(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/v2/jt/qrcode/payments", qrPaymentsData)
	res, err := f.Client.QRCodes.ListPayments(context.Background(), &QRCodeListPaymentsParams{
		MchOrderID: "PC880001", StartDate: "2022-11-01", EndDate: "2022-11-28", RequestFields: RequestFields{Extra: map[string]any{"subOrderId": "W1"}},
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/open-api/v2/jt/qrcode/payments", got.Path)
	assert.Equal(t, sortedNames("timestamp", "mchOrderId", "startDate", "endDate", "subOrderId"), paramKeys(got))
	assert.Equal(t, "2022-11-01", got.Param["startDate"])

	require.Len(t, res.Payments, 2)
	p0, p1 := res.Payments[0], res.Payments[1]
	assert.Equal(t, "T1", p0.TransactionID)
	assert.Equal(t, "PC880001", p0.MchOrderID)
	assert.Equal(t, QRChannelCodeQRPHStaticQR, p0.ChannelCode)
	assert.Equal(t, TransactionStatusCompleted, p0.TransactionStatus)
	assert.Equal(t, Amount(10000), p0.Amount)
	assert.Equal(t, Amount(150), p0.Fee)
	assert.Equal(t, Amount(10150), p0.TotalAmount)
	assert.True(t, p0.TransactionCreateTime.Equal(phTimeOf(2022, 11, 2, 10, 0, 0)))
	assert.True(t, p0.TransactionReturnTime.Equal(phTimeOf(2022, 11, 2, 10, 0, 5)))
	assert.Equal(t, "", p0.Remark)
	assert.Contains(t, string(p0.Raw), `"transactionId":"T1"`)
	assert.NotContains(t, string(p0.Raw), `"T2"`, "each element keeps its own Raw")
	assert.Equal(t, TransactionStatusFailed, p1.TransactionStatus)
	assert.Equal(t, Amount(2500), p1.Amount, "transactionAmount read into Amount")
	assert.Equal(t, "second", p1.Remark)
	assert.JSONEq(t, qrPaymentsData, string(res.Raw))

	cases := []struct {
		name  string
		p     QRCodeListPaymentsParams
		field string
	}{
		{"mchOrderId missing", QRCodeListPaymentsParams{StartDate: "2022-11-01", EndDate: "2022-11-02"}, "mchOrderId"},
		{"mchOrderId too long", QRCodeListPaymentsParams{MchOrderID: strings.Repeat("a", 33), StartDate: "2022-11-01", EndDate: "2022-11-02"}, "mchOrderId"},
		{"startDate missing", QRCodeListPaymentsParams{MchOrderID: "A", EndDate: "2022-11-02"}, "startDate"},
		{"endDate missing", QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022-11-01"}, "endDate"},
		{"startDate format", QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022/11/01", EndDate: "2022-11-02"}, "startDate"},
		{"endDate format", QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022-11-01", EndDate: "2022-11-02 10:00:00"}, "endDate"},
		{"startDate not a day", QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022-02-30", EndDate: "2022-03-02"}, "startDate"},
		{"endDate before startDate", QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022-11-02", EndDate: "2022-11-01"}, "endDate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			p := tc.p
			_, err := f.Client.QRCodes.ListPayments(context.Background(), &p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("one day", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", "/open-api/v2/jt/qrcode/payments", `[]`)
		res, err := f.Client.QRCodes.ListPayments(context.Background(), &QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022-11-01", EndDate: "2022-11-01"})
		require.NoError(t, err)
		assert.Empty(t, res.Payments)
	})
}

func TestQRCodeListPaymentsGETOverride(t *testing.T) {
	f := newFakeAPI(t, WithEndpoint(OpQRCodeListPayments, "GET", "/api/v1/qrcode/{mchOrderId}/payments"))
	f.replyData("GET", "/api/v1/qrcode/PC880001/payments", `[{"transactionId":"T1","amount":100}]`)
	res, err := f.Client.QRCodes.ListPayments(context.Background(), &QRCodeListPaymentsParams{MchOrderID: "PC880001", StartDate: "2022-11-01", EndDate: "2022-11-28"})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "GET", got.Method)
	assert.Equal(t, "PC880001", got.Param["mchOrderId"], "the placeholder field stays in param")
	require.Len(t, res.Payments, 1)
	assert.Equal(t, Amount(100), res.Payments[0].Amount)
}

func TestQRCodePaymentListNotAnArray(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/v2/jt/qrcode/payments", `{"unexpected":true}`)
	res, err := f.Client.QRCodes.ListPayments(context.Background(), &QRCodeListPaymentsParams{MchOrderID: "A", StartDate: "2022-11-01", EndDate: "2022-11-01"})
	require.NoError(t, err, "a success is never turned into an error by decoding trouble")
	assert.Empty(t, res.Payments)
	assert.JSONEq(t, `{"unexpected":true}`, string(res.Raw))
}

func TestQRCodePaymentNotification(t *testing.T) {
	f := newFakeAPI(t)

	success := `{"eventName":"qrcode.payment.success","mchOrderId":"PC880001","transactionId":"T1","amount":"50010","fee":100,"totalAmount":"50110","transactionStatus":"COMPLETE","createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:15:00+08:00","channelCode":"QRPH_DYNAMIC_QR","remark":"r1"}`
	n, err := f.Client.ParseNotification(signedCallback(t, success))
	require.NoError(t, err)
	assert.Equal(t, EventQRCodePaymentSuccess, n.EventName)
	ev, ok := n.Event.(*QRCodePaymentNotification)
	require.True(t, ok, "got %T", n.Event)
	assert.Equal(t, EventQRCodePaymentSuccess, ev.EventName)
	assert.Equal(t, "PC880001", ev.MchOrderID)
	assert.Equal(t, "T1", ev.TransactionID)
	assert.Equal(t, Amount(50010), ev.Amount)
	assert.Equal(t, Amount(100), ev.Fee)
	assert.Equal(t, Amount(50110), ev.TotalAmount)
	assert.Equal(t, TransactionStatusCompleted, ev.TransactionStatus)
	assert.True(t, ev.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.True(t, ev.ReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 15, 0)))
	assert.Equal(t, QRChannelCodeQRPHDynamicQR, ev.ChannelCode)
	assert.Equal(t, "r1", ev.Remark)
	assert.Equal(t, success, string(ev.Raw))

	failed := `{"event_name":"qrcode.payment.failed","transactionId":"T2","amount":2500,"transactionStatus":"FAILED","createTime":"2024-07-19 14:14:47","channelCode":"QRPH_DYNAMIC_QR","failedCode":"-10004","failedMessage":"Channel rejected"}`
	n, err = f.Client.ParseNotification(signedCallback(t, failed))
	require.NoError(t, err)
	assert.Equal(t, EventQRCodePaymentFailed, n.EventName)
	ev, ok = n.Event.(*QRCodePaymentNotification)
	require.True(t, ok, "got %T", n.Event)
	assert.Equal(t, TransactionStatusFailed, ev.TransactionStatus)
	assert.Equal(t, FailedCodeChannelRejected, ev.FailedCode)
	assert.Equal(t, "Channel rejected", ev.FailedMessage)
	assert.Equal(t, Amount(2500), ev.Amount)
}

func TestQRCodeCreateDuplicate(t *testing.T) {
	f := newFakeAPI(t)
	f.replyCode("POST", "/open-api/qr/generate", 21007, "Duplicate merchant order id")
	res, err := f.Client.QRCodes.Create(context.Background(), fullQRCodeCreateParams())
	assert.Nil(t, res)
	assert.ErrorIs(t, err, ErrDuplicateOrder)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, OpQRCodeCreate, ae.Operation)
	assert.Len(t, f.requests(), 1, "a refused write is not resent")
}
