package paycools

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phWire is an httpmock PH host: it records each request's method, path, raw query and raw
// body, and answers with a scripted body.
type phWire struct {
	t      testing.TB
	mt     *httpmock.MockTransport
	mu     sync.Mutex
	method []string
	path   []string
	query  []string
	body   [][]byte
}

func newPHClient(t testing.TB, opts ...Option) (*Client, *phWire) {
	t.Helper()
	w := &phWire{t: t, mt: httpmock.NewMockTransport()}
	base := []Option{
		WithBaseURL("https://api-uat.paycools.com"),
		WithHTTPClient(&http.Client{Transport: w.mt}),
		WithClock(func() time.Time { return fixedNow }),
		WithPlatformPublicKey(&testPlatformKey(t).PublicKey),
		WithCallbackSecret("xxxxxxx"),
		WithAppName("Test"),
		WithBackoff(time.Millisecond, 2*time.Millisecond),
	}
	c, err := NewClient(testAppID, testMerchantKey(t), append(base, opts...)...)
	require.NoError(t, err)
	return c, w
}

func (w *phWire) answer(method, path, body string) {
	w.mt.RegisterResponder(method, "https://api-uat.paycools.com"+path, func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		w.mu.Lock()
		w.method = append(w.method, req.Method)
		w.path = append(w.path, req.URL.Path)
		w.query = append(w.query, req.URL.RawQuery)
		w.body = append(w.body, b)
		w.mu.Unlock()
		return httpmock.NewStringResponse(200, body), nil
	})
}

func (w *phWire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.body)
}

// flatSigned splits a flat body into the other fields and sign, checks that sign verifies
// (merchant key, SHA256withRSA) over want, and returns the fields.
func flatSigned(t *testing.T, body []byte, want string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &m), "body %s", body)
	var sign string
	require.NoError(t, json.Unmarshal(m["sign"], &sign))
	verifyMerchantSign(t, []byte(want), sign)
	delete(m, "sign")
	return m
}

func verifyMerchantSign(t *testing.T, msg []byte, sign string) {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(sign)
	require.NoError(t, err)
	sum := sha256.Sum256(msg)
	require.NoError(t, rsa.VerifyPKCS1v15(&testMerchantKey(t).PublicKey, crypto.SHA256, sum[:], sig),
		"sign does not verify over %q", msg)
}

// The golden canonical strings of docs/dialects.md §4.2.
func TestCanonicalFlatStringGolden(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"version":"1.0","appId":"f90addc4861540ef9312e87d8f360e08","amount":100.00}`,
			`amount=100.00&appId=f90addc4861540ef9312e87d8f360e08&version=1.0`},
		{`{"mchOrderId":"CCP20220428011068111","appId":"f90addc4861540ef9312e87d8f360e08"}`,
			`appId=f90addc4861540ef9312e87d8f360e08&mchOrderId=CCP20220428011068111`},
		{`{"appId":"f90addc4861540ef9312e87d8f360e08","flag":true,"items":[ {"a": 1} ],"note":"a&b=c","empty":"","nothing":null,"sign":"x"}`,
			`appId=f90addc4861540ef9312e87d8f360e08&flag=true&items=[{"a":1}]&note=a&b=c`},
		{`{"b":"\u00e9\n","a":"x"}`, "a=x&b=\u00e9\n"},
		{`{"appName":"n","appId":"i","Zed":"z"}`, `Zed=z&appId=i&appName=n`},
	}
	for _, tc := range cases {
		got, err := CanonicalFlatString([]byte(tc.body))
		require.NoError(t, err, tc.body)
		assert.Equal(t, tc.want, got, tc.body)
	}
	for _, bad := range []string{`{"a":"1","a":"2"}`, `[1]`, `{"a":1} {}`, `"x"`, `{"a":}`} {
		_, err := CanonicalFlatString([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestDialectFollowsTheBaseURL(t *testing.T) {
	key := testMerchantKey(t)
	for base, want := range map[string]Dialect{
		"https://api-uat.paycools.com":         DialectPH,
		"https://API.paycools.com.ph:443":      DialectPH,
		"https://api.paycools.com":             DialectPH,
		"https://tenant.paycools.com.ph/x":     DialectPH,
		BaseURLTest:                            DialectOpenAPI,
		BaseURLProduction:                      DialectOpenAPI,
		"http://127.0.0.1:8080":                DialectOpenAPI,
		"https://paycools.com.ph.attacker.net": DialectOpenAPI,
	} {
		c, err := NewClient(testAppID, key, WithBaseURL(base))
		require.NoError(t, err)
		assert.Equal(t, want, c.Dialect(), base)
		wantSigning := EnvelopeSignsParam
		if want == DialectPH {
			wantSigning = EnvelopeSignsAppIDAndParam
		}
		assert.Equal(t, wantSigning, c.EnvelopeSigning(), base)
	}
	// No base URL: the dialect's own test host.
	c, err := NewClient(testAppID, key, WithDialect(DialectPH))
	require.NoError(t, err)
	assert.Equal(t, BaseURLPhilippinesUAT, c.BaseURL())
	c, err = NewClient(testAppID, key)
	require.NoError(t, err)
	assert.Equal(t, BaseURLTest, c.BaseURL())
	assert.Equal(t, DialectOpenAPI, c.Dialect())

	// An explicit dialect wins over the host, with one Warn line.
	var logs bytes.Buffer
	c, err = NewClient(testAppID, key, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		WithDialect(DialectOpenAPI), WithBaseURL(BaseURLPhilippinesUAT), WithEnvelopeSigning(EnvelopeSignsParam))
	require.NoError(t, err)
	assert.Equal(t, DialectOpenAPI, c.Dialect())
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), logs.String())
	_, p, _ := c.Endpoint(OpPayoutCreate)
	assert.Equal(t, "/open-api/philippines/disbursement/transfer", p)

	_, err = NewClient(testAppID, key, WithDialect(0))
	assert.Error(t, err)
	_, err = NewClient(testAppID, key, WithEnvelopeSigning(7))
	assert.Error(t, err)
	_, err = NewClient(testAppID, key, WithCallbackSecret(""))
	assert.Error(t, err)
	for _, s := range []string{"ph", "PH", "open-api", "openapi"} {
		_, err := ParseDialect(s)
		assert.NoError(t, err, s)
	}
	_, err = ParseDialect("legacy")
	assert.Error(t, err)
}

// WithEndpoint replaces the route of the active dialect, whichever order the options come in.
func TestWithEndpointAppliesToTheActiveDialect(t *testing.T) {
	c, err := NewClient(testAppID, testMerchantKey(t), WithEndpoint(OpPayoutGet, "post", "/api/v1/payout/query"), WithDialect(DialectPH))
	require.NoError(t, err)
	m, p, ok := c.Endpoint(OpPayoutGet)
	require.True(t, ok)
	assert.Equal(t, "POST", m)
	assert.Equal(t, "/api/v1/payout/query", p)
	assert.Equal(t, FormFlat, c.endpoints[OpPayoutGet].form, "the row's form is kept")
	assert.Equal(t, "/api/v1/payout", OperationsOf(DialectPH)[OpPayoutCreate].Path)
}

func TestUnsupportedOperationNamesTheFix(t *testing.T) {
	c, w := newPHClient(t)
	// A dialect without a route for an operation: none exists in the tables today, so make one.
	ep := c.endpoints[OpEKYCInit]
	ep.path = ""
	c.endpoints[OpEKYCInit] = ep
	_, err := c.EKYC.Init(context.Background(), &EKYCInitParams{})
	var ue *UnsupportedOperationError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, OpEKYCInit, ue.Operation)
	assert.Equal(t, DialectPH, ue.Dialect)
	assert.Contains(t, err.Error(), "WithEndpoint")
	assert.Contains(t, err.Error(), "ph dialect")
	assert.Zero(t, w.count())
}

// 5.1 in the PH dialect: notifyUrl goes out as callbackUrl, appName from WithAppName, no
// timestamp; the body is flat and signed over the golden string of §4.2.
func TestPHQRCodeCreateIsFlat(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("POST", "/api/v1/qrcode", `{"code":1000,"message":"success","data":{"mchOrderId":"CCP20220428011068111","qrcodeId":"Q1","qrcodeContent":"000201","status":"ACTIVE"}}`)
	qr, err := c.QRCodes.Create(context.Background(), &QRCodeCreateParams{
		ChannelCode:   "QRPH_DYNAMIC_QR",
		MchOrderID:    "CCP20220428011068111",
		Amount:        50010,
		NotifyURL:     "https://example.com/paycools/notify",
		CustomerName:  "Juan Dela Cruz",
		RequestFields: RequestFields{Timestamp: 1234},
	})
	require.NoError(t, err)
	assert.Equal(t, "Q1", qr.QRCodeID)
	require.Equal(t, 1, w.count())
	golden := `amount=50010&appId=f90addc4861540ef9312e87d8f360e08&appName=Test&callbackUrl=https://example.com/paycools/notify&channelCode=QRPH_DYNAMIC_QR&customerName=Juan Dela Cruz&mchOrderId=CCP20220428011068111`
	fields := flatSigned(t, w.body[0], golden)
	assert.ElementsMatch(t, []string{"amount", "appId", "appName", "callbackUrl", "channelCode", "customerName", "mchOrderId"}, keysOf(fields))
	assert.Equal(t, `50010`, string(fields["amount"]), "amounts are integer centavos")
	assert.True(t, bytes.HasPrefix(w.body[0], []byte(`{"amount":50010,"appId":`)), "sorted, compact: %s", w.body[0])
}

// 10.1, the example of the PH documentation: timestamp is listed, so it is sent and signed.
func TestPHDirectDebitLinkGolden(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("POST", "/api/direct/debit/token/apply", `{"code":1000,"message":"success","data":{"authUrl":"https://pay.example/a"}}`)
	_, err := c.DirectDebit.CreateAuthorizationLink(context.Background(), &DirectDebitAuthorizationLinkCreateParams{
		RequestID: "CCP20220428011068119", UserID: "Penn09", ChannelCode: "ALIPAY_DIRECT_DEBIT",
		NotifyURL: "https://webhook.site/8c90197f-76c7-4844-b0e0-404c92d67fee", RedirectURL: "https://www.baidu.com/",
		TerminalType: TerminalTypeWeb, OsType: "ANDROID", RequestFields: RequestFields{Timestamp: 1774408328286},
	})
	require.NoError(t, err, "countryCode is not sent in PH, so it is not required either")
	// Without a Timestamp the client's clock fills it.
	_, err = c.DirectDebit.CreateAuthorizationLink(context.Background(), &DirectDebitAuthorizationLinkCreateParams{
		RequestID: "R2", UserID: "Penn09", ChannelCode: "ALIPAY_DIRECT_DEBIT", NotifyURL: "https://a.example/n",
		RedirectURL: "https://a.example/r", TerminalType: TerminalTypeWeb,
	})
	require.NoError(t, err)
	flatSigned(t, w.body[1], `appId=f90addc4861540ef9312e87d8f360e08&channelCode=ALIPAY_DIRECT_DEBIT&notifyUrl=https://a.example/n&redirectUrl=https://a.example/r&requestId=R2&terminalType=WEB&timestamp=`+itoa(int(fixedNow.UnixMilli()))+`&userId=Penn09`)
	flatSigned(t, w.body[0], `appId=f90addc4861540ef9312e87d8f360e08&channelCode=ALIPAY_DIRECT_DEBIT&notifyUrl=https://webhook.site/8c90197f-76c7-4844-b0e0-404c92d67fee&osType=ANDROID&redirectUrl=https://www.baidu.com/&requestId=CCP20220428011068119&terminalType=WEB&timestamp=1774408328286&userId=Penn09`)
}

// 3.2 is a GET: the flat names go in the query, the string is signed over the unencoded values.
func TestPHPayoutGetIsAFlatGET(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("GET", "/api/v1/payout/check", `{"code":1000,"message":"success","data":{"mchOrderId":"CCP20220428011068111","transactionStatus":"COMPLETE"}}`)
	po, err := c.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "CCP20220428011068111"})
	require.NoError(t, err)
	assert.Equal(t, TransactionStatusCompleted, po.TransactionStatus, "PH COMPLETE")
	assert.Empty(t, w.body[0])
	q, err := parseQueryStrict(w.query[0])
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"appId", "mchOrderId", "sign"}, keysOfStrings(q))
	verifyMerchantSign(t, []byte(`appId=f90addc4861540ef9312e87d8f360e08&mchOrderId=CCP20220428011068111`), q["sign"])

	// PH queries the payout by merchant order id only.
	_, err = c.Payouts.Get(context.Background(), &PayoutGetParams{TransactionID: "D1"})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("mchOrderId"))
	assert.Equal(t, 1, w.count(), "nothing sent")
}

// 3.1: transferCode goes out as bankCode or ewalletCode, appName is added, idempotencyId kept.
func TestPHPayoutCreateNames(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("POST", "/api/v1/payout", `{"code":1000,"message":"success","data":{"mchOrderId":"ORDER-000001","transactionId":"D1","transactionStatus":"PENDING"}}`)
	p := &PayoutCreateParams{MchOrderID: "ORDER-000001", Amount: 10000, AccountNo: "1234567890", AccountName: "Juan Cruz",
		PayMethodCode: PayMethodBank, TransferCode: "BDO"}
	_, err := c.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
	fields := flatSigned(t, w.body[0], `accountName=Juan Cruz&accountNo=1234567890&amount=10000&appId=f90addc4861540ef9312e87d8f360e08&appName=Test&bankCode=BDO&idempotencyId=ORDER-000001&mchOrderId=ORDER-000001&payMethodCode=BANK`)
	assert.NotContains(t, fields, "transferCode")

	p.PayMethodCode, p.TransferCode, p.AccountNo = PayMethodEWallet, "GCASH", "09171234567"
	_, err = c.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
	fields = flatSigned(t, w.body[1], `accountName=Juan Cruz&accountNo=09171234567&amount=10000&appId=f90addc4861540ef9312e87d8f360e08&appName=Test&ewalletCode=GCASH&idempotencyId=ORDER-000001&mchOrderId=ORDER-000001&payMethodCode=EWALLET`)
	assert.NotContains(t, fields, "bankCode")

	// SCANQR: no code is sent, and none is required.
	p.PayMethodCode, p.TransferCode, p.AccountNo = PayMethodScanQR, "", "000201010211"
	_, err = c.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
	fields = flatSigned(t, w.body[2], `accountName=Juan Cruz&accountNo=000201010211&amount=10000&appId=f90addc4861540ef9312e87d8f360e08&appName=Test&idempotencyId=ORDER-000001&mchOrderId=ORDER-000001&payMethodCode=SCANQR`)
	assert.NotContains(t, fields, "bankCode")
	assert.NotContains(t, fields, "ewalletCode")

	// BANK without a bank code is refused before sending.
	p.PayMethodCode = PayMethodBank
	_, err = c.Payouts.Create(context.Background(), p)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("transferCode"), err.Error())
	assert.Equal(t, 3, w.count())
}

func TestPHValidationRules(t *testing.T) {
	c, w := newPHClient(t)
	// 4.7: a channel code would silently widen into "cancel every channel".
	_, err := c.BillsPayment.CancelVirtualAccount(context.Background(), &VirtualAccountCancelParams{MchOrderID: "VA1", ChannelCode: "BPI"})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("channelCode"))

	// appName is required by 3.1 in PH: a client without WithAppName and params without it.
	c2, _ := newPHClient(t)
	c2.appName = ""
	_, err = c2.Payouts.Create(context.Background(), &PayoutCreateParams{MchOrderID: "ORDER-000001", Amount: 10000,
		AccountNo: "1", AccountName: "Juan", PayMethodCode: PayMethodBank, TransferCode: "BDO"})
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("appName"))
	assert.Contains(t, err.Error(), "WithAppName")

	// PH bounds of their own: accountName is 1–30 on the PH payout page.
	_, err = c.Payouts.Create(context.Background(), &PayoutCreateParams{MchOrderID: "ORDER-000001", Amount: 10000,
		AccountNo: "1", AccountName: strings.Repeat("Juan ", 7), PayMethodCode: PayMethodBank, TransferCode: "BDO"})
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("accountName"), err.Error())

	// Extra may not set appId or sign of a flat body.
	_, err = c.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M", RequestFields: RequestFields{Extra: map[string]any{"sign": "x"}}})
	require.ErrorAs(t, err, &ve)
	assert.Zero(t, w.count())
}

// Envelope operations on the PH host: /api/v2/checkout, signed over appId&param by default.
func TestPHCheckoutEnvelopeSigning(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		msg  func(param string) string
	}{
		{nil, func(p string) string { return "appId=" + testAppID + "&param=" + p }},
		{[]Option{WithEnvelopeSigning(EnvelopeSignsParam)}, func(p string) string { return p }},
	} {
		c, w := newPHClient(t, tc.opts...)
		w.answer("POST", "/api/v2/checkout/query", `{"code":1,"message":"success","data":{"checkoutId":"CH1","mchOrderId":"M1"}}`)
		d, err := c.Checkout.Get(context.Background(), &CheckoutGetParams{MchOrderID: "M1"})
		require.NoError(t, err, "code 1 is success on /api/v2/checkout/")
		assert.Equal(t, "CH1", d.CheckoutID)
		var env struct{ AppID, Param, Sign string }
		require.NoError(t, json.Unmarshal(w.body[0], &env))
		assert.Equal(t, testAppID, env.AppID)
		assert.Equal(t, `{"mchOrderId":"M1","timestamp":`+itoa(int(fixedNow.UnixMilli()))+`}`, env.Param)
		verifyMerchantSign(t, []byte(tc.msg(env.Param)), env.Sign)
	}
}

// PH error codes are the same sentinels as their open-api twins.
func TestPHCodesMapToSentinels(t *testing.T) {
	c, w := newPHClient(t)
	w.answer("GET", "/api/v1/payout/check", `{"code":1008,"message":"Transaction Not Found"}`)
	_, err := c.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M"})
	assert.ErrorIs(t, err, ErrTransactionNotFound)
	w.answer("GET", "/api/v1/payout/check", `{"code":1,"message":"Insufficient balance"}`)
	_, err = c.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M"})
	var ae *APIError
	require.ErrorAs(t, err, &ae, "code 1 is not success outside /api/v2/checkout/")
}

func keysOf(m map[string]json.RawMessage) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

func keysOfStrings(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

// parseQueryStrict decodes a query in which every name occurs once.
func parseQueryStrict(raw string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		if v, err = url.QueryUnescape(v); err != nil {
			return nil, err
		}
		if _, dup := out[k]; dup {
			return nil, errors.New("duplicate " + k)
		}
		out[k] = v
	}
	return out, nil
}

// ---- callbacks ----

// flatCallback builds a flat callback body: fields in the given order, then sign.
func flatCallback(fields [][2]string, sign string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, f := range fields {
		b.Write(mustJSONString(f[0]))
		b.WriteByte(':')
		b.WriteString(f[1])
		b.WriteByte(',')
	}
	b.WriteString(`"sign":`)
	b.Write(mustJSONString(sign))
	b.WriteByte('}')
	return b.Bytes()
}

func mustJSONString(s string) []byte { b, _ := json.Marshal(s); return b }

func sha1Sign(canonical, secret string) string {
	sum := sha1.Sum([]byte(canonical + "&secret=" + secret))
	return hex.EncodeToString(sum[:])
}

// The DOC 5.5 QR payment success callback, in the order PayCools' page shows it.
var qrSuccessFields = [][2]string{
	{"eventName", `"qrcode.payment.success"`},
	{"mchOrderId", `"CCVA1653350151938813"`},
	{"transactionId", `"C1032653961085706055"`},
	{"channelCode", `"QRPH_STATIC_QR"`},
	{"amount", `503700`},
	{"transactionStatus", `"COMPLETE"`},
	{"remark", `"qrcode payment"`},
	{"createTime", `"2022-05-31 09:38:06"`},
	{"returnTime", `"2022-05-31 09:38:06"`},
}

// The golden F1 vectors of docs/dialects.md §10.1 verify, and decode into the typed event.
func TestFlatSHA1CallbackGolden(t *testing.T) {
	assert.Equal(t, "c3a0899eec806b0ed2a0b139a1f50ae3ac06b98a",
		sha1Sign("amount=100.00&appId=f90addc4861540ef9312e87d8f360e08&version=1.0", "xxxxxxx"))
	c, _ := newPHClient(t, WithClock(func() time.Time { return phTimeOf(2022, 5, 31, 10, 0, 0) }))
	body := flatCallback(qrSuccessFields, "4ac0208ac66f4ccea6983c5af30d2364f79ff711")
	n, err := c.ParseNotification(body)
	require.NoError(t, err)
	assert.Equal(t, NotificationFormFlatSHA1, n.Form)
	assert.Equal(t, "qrcode.payment.success", n.EventName)
	assert.Equal(t, `{"amount":503700,"channelCode":"QRPH_STATIC_QR","createTime":"2022-05-31 09:38:06","eventName":"qrcode.payment.success",`+
		`"mchOrderId":"CCVA1653350151938813","remark":"qrcode payment","returnTime":"2022-05-31 09:38:06","transactionId":"C1032653961085706055",`+
		`"transactionStatus":"COMPLETE"}`, string(n.Param), "Param is the signed members, sorted, without sign")
	require.NotNil(t, n.Event)
	ev, ok := n.Event.(*QRCodePaymentNotification)
	require.True(t, ok, "%T", n.Event)
	assert.Equal(t, Amount(503700), ev.Amount)
	assert.Equal(t, TransactionStatusCompleted, ev.TransactionStatus)

	// Upper-case hex is the same signature.
	_, err = c.ParseNotification(flatCallback(qrSuccessFields, strings.ToUpper("4ac0208ac66f4ccea6983c5af30d2364f79ff711")))
	require.NoError(t, err)

	// The 4.6 question of the same page set, through the verification handler: flat reply.
	q := [][2]string{{"eventName", `"payment.verification"`}, {"mchOrderId", `"CCVA1653350151938813"`}, {"referenceNumber", `"PCLAC1000000001"`},
		{"amount", `503700`}, {"mobile", `"0912345678"`}, {"createTime", `"2022-05-31 09:38:06"`}}
	h := c.RepaymentVerificationHandler(func(_ context.Context, v *RepaymentVerification) (bool, error) {
		return v.Amount == 503700 && v.ReferenceNumber == "PCLAC1000000001", nil
	})
	rec := serveCallback(h, "POST", flatCallback(q, "a81d16b3240666943c0579b9ffd07c5864f4d59f"))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"code":2000,"msg":"Success"}`, rec.Body.String())
}

func TestFlatCallbacksRefused(t *testing.T) {
	c, _ := newPHClient(t)
	good := "4ac0208ac66f4ccea6983c5af30d2364f79ff711"
	tampered := append([][2]string(nil), qrSuccessFields...)
	tampered[4] = [2]string{"amount", `503701`}
	reordered := append([][2]string(nil), qrSuccessFields...)
	reordered[1], reordered[2] = [2]string{"mchOrderId", `"C1032653961085706055"`}, [2]string{"transactionId", `"CCVA1653350151938813"`}
	dup := append(append([][2]string(nil), qrSuccessFields...), [2]string{"amount", `503700`})
	added := append(append([][2]string(nil), qrSuccessFields...), [2]string{"fee", `1`})
	cases := map[string][]byte{
		"tampered amount":          flatCallback(tampered, good),
		"values swapped":           flatCallback(reordered, good),
		"duplicate key":            flatCallback(dup, good),
		"field added":              flatCallback(added, good),
		"amount as decimal":        flatCallback(append([][2]string{{"amount", `5037.00`}}, qrSuccessFields[:4]...), good),
		"wrong secret":             flatCallback(qrSuccessFields, sha1Sign("amount=503700", "other")),
		"flat RSA with wrong key":  flatCallback(qrSuccessFields, base64.StdEncoding.EncodeToString(make([]byte, 256))),
		"sign missing":             []byte(`{"eventName":"qrcode.payment.success","amount":1}`),
		"param not a string":       []byte(`{"param":{"eventName":"x"},"sign":"` + good + `"}`),
		"not an object":            []byte(`["x"]`),
		"two objects":              append(flatCallback(qrSuccessFields, good), '{', '}'),
		"sign in the wrong format": flatCallback(qrSuccessFields, "not base64!"),
	}
	h := c.NotificationHandler(func(context.Context, *Notification) error {
		t.Error("the function must not run for a refused callback")
		return nil
	})
	for name, body := range cases {
		_, err := c.ParseNotification(body)
		var se *SignatureError
		assert.ErrorAs(t, err, &se, name)
		rec := serveCallback(h, "POST", body)
		assert.Contains(t, []int{400, 401}, rec.Code, name)
	}

	// Fail closed: without the secret a flat SHA-1 callback is refused, and the log says why.
	var logs bytes.Buffer
	noSecret, err := NewClient(testAppID, testMerchantKey(t), WithDialect(DialectPH), WithPlatformPublicKey(&testPlatformKey(t).PublicKey),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	rec := serveCallback(noSecret.NotificationHandler(func(context.Context, *Notification) error { return nil }), "POST", flatCallback(qrSuccessFields, good))
	assert.Equal(t, 401, rec.Code)
	assert.Contains(t, logs.String(), "WithCallbackSecret")
	assert.NotContains(t, logs.String(), "xxxxxxx")

	// The open-api dialect takes only the envelope.
	oa := newFakeAPI(t, WithCallbackSecret("xxxxxxx")).Client
	_, err = oa.ParseNotification(flatCallback(qrSuccessFields, good))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the flat callback form is not accepted in the open-api dialect (set WithDialect(DialectPH) if PayCools sends flat callbacks)", "the hint names the dialects that take the form, from their specs")

	// A PH client with neither key nor secret cannot serve callbacks.
	bare, err := NewClient(testAppID, testMerchantKey(t), WithDialect(DialectPH))
	require.NoError(t, err)
	assert.Panics(t, func() { bare.NotificationHandler(func(context.Context, *Notification) error { return nil }) })
}

// All three forms through one PH handler: each verified, handled once, answered in its form.
func TestPHHandlerAcceptsEveryForm(t *testing.T) {
	// The clock of the golden vectors' day: the default 24 h replay window applies.
	c, _ := newPHClient(t, WithClock(func() time.Time { return phTimeOf(2022, 5, 31, 10, 0, 0) }))
	var got []NotificationForm
	h := c.NotificationHandler(func(_ context.Context, n *Notification) error {
		got = append(got, n.Form)
		return nil
	})
	canonical, err := CanonicalFlatString(flatCallback(qrSuccessFields, "x"))
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(canonical))
	sig, err := rsa.SignPKCS1v15(rand.Reader, testPlatformKey(t), crypto.SHA256, sum[:])
	require.NoError(t, err)
	rsaBody := flatCallback(qrSuccessFields, base64.StdEncoding.EncodeToString(sig))
	sha1Body := flatCallback(qrSuccessFields[:5], sha1Sign(mustCanonical(t, flatCallback(qrSuccessFields[:5], "x")), "xxxxxxx"))
	env := signedCallback(t, `{"eventName":"qrcode.payment.success","mchOrderId":"E1","transactionId":"T9","amount":100,"transactionStatus":"COMPLETED"}`)
	for _, tc := range []struct {
		body  []byte
		reply string
	}{
		{rsaBody, `{"code":1,"msg":"success","data":{}}`},
		{sha1Body, `{"code":1,"msg":"success","data":{}}`},
		{env, `{"code":10000,"message":"Success"}`},
	} {
		rec := serveCallback(h, "POST", tc.body)
		assert.Equal(t, 200, rec.Code, rec.Body.String())
		assert.JSONEq(t, tc.reply, rec.Body.String())
		// A redelivery is acknowledged in its form without running the function again.
		rec = serveCallback(h, "POST", tc.body)
		assert.JSONEq(t, tc.reply, rec.Body.String())
	}
	assert.Equal(t, []NotificationForm{NotificationFormFlatRSA, NotificationFormFlatSHA1, NotificationFormEnvelope}, got)
}

func mustCanonical(t *testing.T, body []byte) string {
	t.Helper()
	s, err := CanonicalFlatString(body)
	require.NoError(t, err)
	return s
}

// FuzzCanonicalFlat feeds any body to the flat canonicalizer and compares what it accepts with
// a reference built another way: encoding/json into a map (which also finds no second copy of
// a name: a body with one is refused), the names sorted, each value rendered by its JSON kind.
func FuzzCanonicalFlat(f *testing.F) {
	for _, s := range []string{
		`{"version":"1.0","appId":"f90addc4861540ef9312e87d8f360e08","amount":100.00}`,
		`{"appId":"a","flag":true,"items":[ {"a": 1} ],"note":"a&b=c","empty":"","nothing":null,"sign":"x"}`,
		`{"b":"\u00e9\n","a":"x","a2":-0.5e3}`,
		`{"a":"1","a":"2"}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// repeatsName, the envelope's check, agrees with parseFlatObject.
		_, perr := parseFlatObject(body)
		if rn := repeatsName(body); perr == nil && rn || errors.Is(perr, errDuplicateName) && !rn {
			t.Fatalf("repeatsName %v, parseFlatObject %v: %q", rn, perr, body)
		}
		got, err := CanonicalFlatString(body)
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("accepted a body encoding/json refuses: %q", body)
		}
		pairs, err := parseFlatObject(body)
		if err != nil || len(pairs) != len(m) {
			t.Fatalf("pairs %d, map %d: a repeated name was accepted in %q", len(pairs), len(m), body)
		}
		names := make([]string, 0, len(m))
		for k := range m {
			if k != "sign" {
				names = append(names, k)
			}
		}
		slices.Sort(names)
		var want []string
		for _, k := range names {
			raw := bytes.TrimSpace(m[k])
			var text string
			switch raw[0] {
			case '"':
				if err := json.Unmarshal(raw, &text); err != nil {
					t.Fatal(err)
				}
				if text == "" {
					continue
				}
			case 'n':
				continue
			case '{', '[':
				var b bytes.Buffer
				if err := json.Compact(&b, raw); err != nil {
					t.Fatal(err)
				}
				text = b.String()
			default:
				text = string(raw)
			}
			want = append(want, k+"="+text)
		}
		if w := strings.Join(want, "&"); got != w {
			t.Fatalf("canonical %q, reference %q, body %q", got, w, body)
		}
	})
}

// FuzzParseFlatNotification feeds any body to a PH client. A flat SHA-1 body it accepts must
// carry the SHA-1 of the reference canonical string with the secret, computed here; an RSA
// form cannot be forged by a fuzzer, so any accepted RSA body is one of the seeds.
func FuzzParseFlatNotification(f *testing.F) {
	f.Add(flatCallback(qrSuccessFields, "4ac0208ac66f4ccea6983c5af30d2364f79ff711"))
	f.Add(flatCallback(qrSuccessFields[:3], sha1Sign(mustCanonical(&testing.T{}, flatCallback(qrSuccessFields[:3], "x")), "xxxxxxx")))
	f.Add([]byte(`{"eventName":"payment.verification","amount":"1","sign":"00"}`))
	f.Add(signedCallback(f, `{"eventName":"qrcode.payment.success","amount":1}`))
	c, _ := newPHClient(f, WithNotificationStore(nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := c.ParseNotification(body)
		if err != nil {
			var se *SignatureError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *SignatureError", err)
			}
			return
		}
		if n.Form != NotificationFormFlatSHA1 {
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			t.Fatalf("accepted a body that is not a JSON object: %q", body)
		}
		var sign string
		if json.Unmarshal(m["sign"], &sign) != nil {
			t.Fatalf("accepted without a string sign: %q", body)
		}
		canonical, err := CanonicalFlatString(body)
		if err != nil || !strings.EqualFold(sign, sha1Sign(canonical, "xxxxxxx")) {
			t.Fatalf("accepted a flat body whose sign is not the SHA-1 with the secret: %q", body)
		}
		// Param is the signed members: its own canonical string is the one that was signed.
		pairs, perr := parseFlatObject(n.Param)
		_, hasSign := findPair(pairs, "sign")
		if again, err := CanonicalFlatString(n.Param); perr != nil || err != nil || again != canonical || hasSign {
			t.Fatalf("Param %q is not the signed members of %q (%v)", n.Param, body, err)
		}
	})
}

// scanCompactObject splits what encoding/json writes exactly as parseFlatObject does.
func TestScanCompactObject(t *testing.T) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":"x,}\"y","b":[1,{"c":"]"}],"d":{"e":[]},"f":true,"g":null,"h":-1.5e3}`} {
		got, ok := scanCompactObject([]byte(s))
		require.True(t, ok, s)
		want, err := parseFlatObject([]byte(s))
		require.NoError(t, err)
		require.Equal(t, len(want), len(got), s)
		for i := range want {
			assert.Equal(t, want[i].name, got[i].name)
			assert.Equal(t, string(want[i].raw), string(got[i].raw))
		}
	}
	for _, s := range []string{`{"a":1`, `{"a" :1}`, `{"a":1,}`, `["a"]`, `{"\u0061":1}`} {
		_, ok := scanCompactObject([]byte(s))
		assert.False(t, ok, s)
	}
}

// The PH length bounds of a row are checked in the row's order, so that the problems of one
// set of params always read the same (they were a map once).
func TestPHLengthBoundsInRowOrder(t *testing.T) {
	c, w := newPHClient(t)
	p := &PayoutCreateParams{MchOrderID: "ORDER-000001", Amount: 10000, AccountNo: "1234567890",
		AccountName: strings.Repeat("J", 31), Remark: strings.Repeat("r", 201),
		PayMethodCode: PayMethodBank, TransferCode: "BDO"}
	var first []FieldError
	for i := 0; i < 50; i++ {
		_, err := c.Payouts.Create(context.Background(), p)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		if i == 0 {
			first = ve.Fields
			require.Len(t, first, 2)
			assert.Equal(t, "accountName", first[0].Field)
			assert.Contains(t, first[0].Problem, "outside 1–30 characters in the ph dialect")
			assert.Equal(t, "remark", first[1].Field)
			assert.Contains(t, first[1].Problem, "outside 1–200 characters in the ph dialect")
		}
		assert.Equal(t, first, ve.Fields, "the same problems in the same order on every call")
	}
	assert.Equal(t, 0, w.count(), "nothing sent")
}
