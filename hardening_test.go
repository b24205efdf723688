package paycools

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Codes that do not prove "nothing created" leave a money-moving create unknown, and the create
// is resolved: here the lookup finds the payout, so the call succeeds with it.
func TestCreateCodesThatProveNothingAreResolved(t *testing.T) {
	for _, code := range []int{21000, 21011, 21022, 21023, 1018, 1503, 29999} {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, codeAnswer(code, "something"))
		lookups := f.script("POST", pathPayoutGet, okData(`{"mchOrderId":"TestMchOrderIdD0001","transactionId":"DU7","amount":50010,"transactionStatus":"PENDING"}`))
		p, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		require.NoError(t, err, "code %d", code)
		assert.Equal(t, "DU7", p.TransactionID, "code %d: the payout the lookup found", code)
		assert.Equal(t, int32(1), creates.Load(), "code %d", code)
		assert.Equal(t, int32(1), lookups.Load(), "code %d: resolved by merchant order id", code)
	}
	// Without outcome resolution the error says so.
	f := newFakeAPI(t, WithResolveOutcome(false))
	f.script("POST", pathPayoutCreate, codeAnswer(21023, "Transaction create failed"))
	_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.ErrorIs(t, err, ErrCreateFailed)
	assert.True(t, IsOutcomeUnknown(err))
	assert.Contains(t, err.Error(), "outcome unknown")
	// A code that proves nothing was created is a plain failure, and not resolved.
	f = newFakeAPI(t)
	f.script("POST", pathPayoutCreate, codeAnswer(21007, "Duplicate mchOrderId"))
	_, err = f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.ErrorIs(t, err, ErrDuplicateOrder)
	assert.False(t, IsOutcomeUnknown(err))
	// On a query, 21000 is just an error.
	f = newFakeAPI(t, WithRetries(0))
	f.script("POST", pathPayoutGet, codeAnswer(21000, "Server error"))
	_, err = f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	require.ErrorIs(t, err, ErrServer)
	assert.False(t, IsOutcomeUnknown(err))
}

// Only JSON-integer success codes, 1 only on the checkout path family, and no repeated
// envelope names: anything else is an *HTTPError, outcome unknown on writes.
func TestSuccessCodesAreStrict(t *testing.T) {
	for _, body := range []string{
		`{"code":"10000","message":"Success","data":{}}`,
		`{"code":"0001","message":"Success","data":{}}`,
		`{"code":"+10000","message":"Success","data":{}}`,
		`{"code":1000.000,"message":"Success","data":{}}`,
		`{"code":1e4,"message":"Success","data":{}}`,
		`{"code":21002,"message":"Request param error","code":10000}`,
		`{"code":21002,"message":"Request param error","Code":10000}`,
		`{"code":10000,"data":{"x":1},"DATA":{"x":2}}`,
	} {
		f := newFakeAPI(t, WithRetries(0), WithResolveOutcome(false))
		f.reply("POST", pathPayoutCreate, 200, body)
		_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		var he *HTTPError
		require.ErrorAs(t, err, &he, body)
		assert.True(t, IsOutcomeUnknown(err), "a write that got no readable envelope: %s", body)
	}
	// Code 1 is success only on /api/v2/checkout/*: a payout answered 1 failed.
	f := newFakeAPI(t, WithRetries(0), WithResolveOutcome(false))
	f.reply("POST", pathPayoutCreate, 200, `{"code":1,"message":"Insufficient balance"}`)
	_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1, ae.Code)
	// The names inside data may repeat envelope names without harm.
	f = newFakeAPI(t)
	f.replyData("POST", pathPayoutCreate, `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","transactionStatus":"PENDING","code":"x","data":{"code":1,"msg":"y"}}`)
	p, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.NoError(t, err)
	assert.Equal(t, "D1", p.TransactionID)
	assert.False(t, repeatsEnvelopeName([]byte(`{"code":10000,"message":"a","data":{"code":"code","message":"message"}}`)))
	assert.True(t, repeatsEnvelopeName([]byte(`{"code":10000,"message":"a"} {"code":1}`)))
}

// A panic in the callback function answers 500 and releases the claim at once: the next
// delivery runs the function again (not 24 h later).
func TestCallbackPanicReleasesTheClaim(t *testing.T) {
	var logs bytes.Buffer
	c := newFakeAPI(t, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil)))).Client
	var calls atomic.Int32
	h := c.NotificationHandler(func(context.Context, *Notification) error {
		if calls.Add(1) == 1 {
			panic("merchant bug 09171234567")
		}
		return nil
	})
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DUP1","transactionStatus":"COMPLETED","returnTime":"2024-09-12 19:00:00"}`)
	rec := serveCallback(h, "POST", body)
	assert.Equal(t, 500, rec.Code)
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code, "redelivered at once, handled")
	assert.EqualValues(t, 2, calls.Load())
	assert.Contains(t, logs.String(), "panicked")
	assert.NotContains(t, logs.String(), "09171234567", "the panic value is redacted")

	// http.ErrAbortHandler is re-raised, as net/http expects, after the claim is released.
	abort := c.NotificationHandler(func(context.Context, *Notification) error { panic(http.ErrAbortHandler) })
	b2 := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DUP2","transactionStatus":"COMPLETED","returnTime":"2024-09-12 19:00:00"}`)
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { serveCallback(abort, "POST", b2) })
	assert.Equal(t, 200, serveCallback(h, "POST", b2).Code, "the claim was released")
}

func TestRepaymentVerificationPanicAndTypedNilRefusal(t *testing.T) {
	clock := WithClock(func() time.Time { return phTimeOf(2024, 7, 19, 15, 0, 0) })
	c := newFakeAPI(t, clock).Client
	h := c.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) { panic("boom") })
	rec := serveCallback(h, "POST", signedCallback(t, vaQuestionParam))
	assert.Equal(t, 500, rec.Code, "a panic gets an answer")
	assert.JSONEq(t, `{"code":21000,"message":"Server error, Please try again later."}`, rec.Body.String())

	var refusal *RepaymentRefusal // typed nil
	h2 := newFakeAPI(t, clock).Client.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) {
		return true, refusal
	})
	rec = serveCallback(h2, "POST", signedCallback(t, vaQuestionParam))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"code":1000,"message":"Failed","data":{}}`, rec.Body.String(), "a typed-nil refusal refuses")
	assert.Equal(t, "paycools: repayment refused", refusal.Error())
}

// A question is decided once and only within the replay window: asked again it gets the same
// answer without asking the function again; an old one is refused without asking the function.
func TestRepaymentVerificationReplay(t *testing.T) {
	now := phTimeOf(2024, 7, 19, 15, 0, 0)
	c := newFakeAPI(t, WithClock(func() time.Time { return now })).Client
	var calls int
	h := c.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) { calls++; return true, nil })
	body := signedCallback(t, vaQuestionParam)
	assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, serveCallback(h, "POST", body).Body.String())
	assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, serveCallback(h, "POST", body).Body.String(), "asked again: the same decision")
	assert.Equal(t, 1, calls)
	// Another payment into the same account is another question.
	other := strings.Replace(vaQuestionParam, `"amount":"50010"`, `"amount":"70000"`, 1)
	assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, serveCallback(h, "POST", signedCallback(t, other)).Body.String())
	assert.Equal(t, 2, calls)
	// Two days later a fresh client (a restart forgot the store) still refuses it, by its age.
	now = now.Add(48 * time.Hour)
	h = newFakeAPI(t, WithClock(func() time.Time { return now })).Client.RepaymentVerificationHandler(
		func(context.Context, *RepaymentVerification) (bool, error) { calls++; return true, nil })
	assert.Equal(t, 401, serveCallback(h, "POST", body).Code)
	assert.Equal(t, 2, calls)
}

// The default replay window equals the default store's memory: a callback replayed after a
// restart and more than 24 h later is refused; one from the future is refused when a max age
// is set; an event without a time passes by default but not with WithNotificationMaxAge.
func TestReplayWindow(t *testing.T) {
	now := phTimeOf(2024, 9, 12, 19, 0, 0)
	clock := WithClock(func() time.Time { return now })
	var calls int
	fn := func(context.Context, *Notification) error { calls++; return nil }
	old := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DR1","transactionStatus":"COMPLETED","returnTime":"2024-09-11 18:00:00"}`)
	assert.Equal(t, 401, serveCallback(newFakeAPI(t, clock).Client.NotificationHandler(fn), "POST", old).Code)
	future := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DR2","transactionStatus":"COMPLETED","returnTime":"2024-09-12 19:10:00"}`)
	assert.Equal(t, 401, serveCallback(newFakeAPI(t, clock, WithNotificationMaxAge(time.Hour)).Client.NotificationHandler(fn), "POST", future).Code)
	noTime := signedCallback(t, `{"eventName":"token.create.success","requestId":"Q1","tokenStatus":"ACTIVED"}`)
	assert.Equal(t, 200, serveCallback(newFakeAPI(t, clock).Client.NotificationHandler(fn), "POST", noTime).Code)
	assert.Equal(t, 401, serveCallback(newFakeAPI(t, clock, WithNotificationMaxAge(time.Hour)).Client.NotificationHandler(fn), "POST", noTime).Code)
	assert.Equal(t, 1, calls)
	_, err := NewClient(testAppID, testMerchantKey(t), WithNotificationMaxAge(-time.Second))
	assert.Error(t, err)
}

// A verified callback whose amount or status cannot be read is not acknowledged.
func TestUnreadableMoneyFieldIsNotHandled(t *testing.T) {
	c := newFakeAPI(t).Client
	var calls int
	h := c.NotificationHandler(func(context.Context, *Notification) error { calls++; return nil })
	for _, amount := range []string{`"500.101"`, `50010.555`, `"5e4"`, `5.0e4`, `"50,010"`, `"500.1x"`} {
		body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DA1","amount":`+amount+`,"transactionStatus":"COMPLETED","returnTime":"2024-09-12 19:00:00"}`)
		assert.Equal(t, 500, serveCallback(h, "POST", body).Code, amount)
	}
	assert.Zero(t, calls)
	// An unreadable remark is only listed.
	var got *Notification
	h = c.NotificationHandler(func(_ context.Context, n *Notification) error { got = n; return nil })
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DA2","amount":50010,"remark":{"x":1},"transactionStatus":"COMPLETED","returnTime":"2024-09-12 19:00:00"}`)
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
	require.NotNil(t, got)
	assert.Equal(t, []string{"remark"}, got.Unreadable)
}

func TestSecretsStayOutOfFmtAndJSON(t *testing.T) {
	kp, err := GenerateKeyPair(2048)
	require.NoError(t, err)
	der := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(kp.PrivateKey))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("kp", "kp", kp, "v", *kp)
	j, err := json.Marshal(kp)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(kp), fmt.Sprintf("%v %+v %s %#v", kp, *kp, kp, kp), string(j), logs.String()} {
		assert.NotContains(t, s, "PRIVATE KEY")
		assert.NotContains(t, s, der[len(der)-120:len(der)-80], "the CRT values at the end of the private DER")
		assert.NotContains(t, s, kp.PrivateKey.D.String()[:20])
		assert.Contains(t, s, kp.PublicKeyBase64[:20])
	}

	p := &PayoutCreateParams{MchOrderID: "M1", AccountNo: "09171234567", AccountName: "Juan"}
	for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%v %+v %s %#v %q", p, *p, p, p, p), p.String()} {
		assert.NotContains(t, s, "09171234567")
		assert.Contains(t, s, "*******4567")
	}
	n := &Notification{EventName: "transfer.payment.success", Form: NotificationFormEnvelope,
		Event: &BankTransferPaymentNotification{PaymentAccount: "1234567890123"}, Param: json.RawMessage(`{"paymentAccount":"1234567890123"}`)}
	var nl bytes.Buffer
	slog.New(slog.NewJSONHandler(&nl, nil)).Info("n", "n", n)
	for _, s := range []string{nl.String(), fmt.Sprintf("%v %+v", n, *n)} {
		assert.NotContains(t, s, "1234567890123")
		assert.Contains(t, s, "*********0123")
	}
	q := RepaymentVerification{Mobile: "09123456789"}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", q, q, &q), "09123456789")

	// A signer's error text is redacted.
	_, err = signParam(leakySigner{kp.PrivateKey}, []byte("x"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "09171234567")
	assert.NotContains(t, err.Error(), "BEGIN")
	assert.ErrorIs(t, err, errLeaky)
}

var errLeaky = errors.New("hsm refused key -----BEGIN RSA PRIVATE KEY----- abc -----END RSA PRIVATE KEY----- for account 09171234567")

type leakySigner struct{ crypto.Signer }

func (leakySigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errLeaky }

func TestPublicKeyExponent(t *testing.T) {
	pub := testPlatformKey(t).PublicKey
	for _, e := range []int{1, 2, 65536} {
		k := pub
		k.E = e
		_, err := NewClient(testAppID, testMerchantKey(t), WithPlatformPublicKey(&k))
		require.Error(t, err, "exponent %d", e)
		assert.Contains(t, err.Error(), "exponent", "exponent %d", e)
		der, err := x509.MarshalPKIXPublicKey(&k)
		require.NoError(t, err)
		_, err = ParsePublicKey([]byte(base64.StdEncoding.EncodeToString(der)))
		assert.ErrorContains(t, err, "odd and at least 3")
	}
}

// An outcome resolution that finds another transaction under the merchant order id never reports it as
// this call's result.
func TestResolveMismatchIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name, found string
		fields      []string
	}{
		{"amount", `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"DU9","amount":100,"transactionStatus":"PENDING"}`, []string{"amount"}},
		{"account and idempotency", `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"DU9","amount":50010,"accountNo":"09998887777","idempotencyId":"OTHER000001","transactionStatus":"PENDING"}`, []string{"account", "idempotencyId"}},
	} {
		f := newFakeAPI(t)
		f.script("POST", pathPayoutCreate, badGateway)
		f.script("POST", pathPayoutGet, okData(tc.found))
		p, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		assert.Nil(t, p, tc.name)
		var me *OrderMismatchError
		require.ErrorAs(t, err, &me, tc.name)
		assert.Equal(t, tc.fields, me.Fields, tc.name)
		assert.Equal(t, "DU9", me.TransactionID)
		assert.Equal(t, "TestMchOrderIdD0001", me.MchOrderID)
		assert.NotContains(t, err.Error(), "09998887777", "accounts are masked")
		assert.False(t, IsOutcomeUnknown(err), "the order id is taken: this call's create did not happen under it")
	}
	// Refunds compare refundAmount; web payments the currency.
	f := newFakeAPI(t)
	f.script("POST", "/open-api/payment/refund", badGateway)
	f.script("POST", "/open-api/refund/payments", okData(`[{"mchRefundOrderId":"RF0001","refundTransactionId":"RT1","originalTransactionId":"P1","refundAmount":999,"refundStatus":"PENDING"}]`))
	_, err := f.Client.Refunds.Create(context.Background(), &RefundCreateParams{MchRefundOrderID: "RF0001", OriginalTransactionID: "P1",
		RefundAmount: 5000, RefundCallbackURL: "https://m.example/r"})
	var me *OrderMismatchError
	if assert.ErrorAs(t, err, &me) {
		assert.Equal(t, []string{"amount"}, me.Fields)
		assert.Equal(t, "RT1", me.TransactionID)
	}
}

func TestModuleVersionFollowsTheBuildInfo(t *testing.T) {
	assert.Equal(t, Version, moduleVersionOf(nil, false), "no build info")
	bi := &debug.BuildInfo{Main: debug.Module{Path: "example.com/shop", Version: "(devel)"},
		Deps: []*debug.Module{{Path: modulePath, Version: "v0.2.1"}}}
	assert.Equal(t, "0.2.1", moduleVersionOf(bi, true), "what go version -m shows for the dependency")
	bi.Deps[0].Replace = &debug.Module{Path: "../paycools-go", Version: ""}
	assert.Equal(t, Version, moduleVersionOf(bi, true), "a replaced local copy: the source's Version")
	bi = &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}
	assert.Equal(t, Version, moduleVersionOf(bi, true))
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutGet, `{"mchOrderId":"M1","transactionId":"D1","transactionStatus":"PENDING"}`)
	_, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	require.NoError(t, err)
	assert.Equal(t, "paycools-go/"+ModuleVersion(), f.last().Header.Get("User-Agent"))
}

// A nil or unusable key is a typed error, never a panic.
func TestNilKeysAreTypedErrors(t *testing.T) {
	var nilKey *rsa.PrivateKey
	for name, s := range map[string]crypto.Signer{"nil interface": nil, "typed nil": nilKey, "empty key": &rsa.PrivateKey{},
		"panicking signer": panickySigner{}} {
		var c *Client
		var err error
		require.NotPanics(t, func() { c, err = NewClient(testAppID, s) }, name)
		assert.Nil(t, c, name)
		var se *SignatureError
		assert.ErrorAs(t, err, &se, name)
	}
	_, err := NewClient(testAppID, testMerchantKey(t), WithPlatformPublicKey(nil))
	var se *SignatureError
	assert.ErrorAs(t, err, &se)
	_, err = SignParam(nilKey, []byte("x"))
	assert.ErrorAs(t, err, &se)
}

type panickySigner struct{ crypto.Signer }

func (panickySigner) Public() crypto.PublicKey { panic("not initialised") }

func TestAPIErrorRemediesAndMetadata(t *testing.T) {
	f := newFakeAPI(t, WithRetries(0))
	f.Transport.RegisterResponder("POST", "https://pc.test"+pathPayoutGet, func(*http.Request) (*http.Response, error) {
		resp := httpmockJSON(200, `{"code":21009,"message":"Request timestamp expired"}`)
		resp.Header.Set("Date", fixedNow.Add(-90*time.Second).UTC().Format(http.TimeFormat))
		resp.Header.Set("X-Request-Id", "req-42")
		return resp, nil
	})
	_, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 90*time.Second, ae.ClockSkew)
	assert.Contains(t, err.Error(), "1m30s off PayCools'")
	require.NotNil(t, ae.Response)
	assert.Equal(t, "req-42", ae.Response.RequestID)
	assert.Equal(t, 1, ae.Response.Attempts)
	for code, want := range map[int]string{21001: "paycools doctor", 1003: "paycools doctor", 21003: "appId", 21016: "allow-list", 21007: "Get by MchOrderID"} {
		assert.Contains(t, (&APIError{Code: code}).Error(), want, "code %d", code)
	}
	assert.NotContains(t, (&APIError{Code: 21002}).Error(), "Remedy")

	// Results carry the metadata of the answer.
	f = newFakeAPI(t)
	f.replyData("POST", pathPayoutGet, `{"mchOrderId":"M1","transactionId":"D1","transactionStatus":"PENDING"}`)
	p, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	require.NoError(t, err)
	require.NotNil(t, p.Response)
	assert.Equal(t, 200, p.Response.StatusCode)

	// An HTTP error too.
	f = newFakeAPI(t, WithRetries(0))
	f.reply("POST", pathPayoutGet, 418, "teapot")
	_, err = f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	require.NotNil(t, he.Response)
	assert.Equal(t, 418, he.Response.StatusCode)
}

func TestValidationMessagesNameBoundsUnitsAndRules(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.Client.Payouts.Create(context.Background(), &PayoutCreateParams{MchOrderID: "ABC", AccountNo: "1", AccountName: "x",
		PayMethodCode: PayMethodBank, TransferCode: "BDO"})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "idempotencyId: is required: 10–30 characters; Create fills it from MchOrderID only when that is 10–30 characters long")
	assert.Contains(t, err.Error(), "amount: is required")
	assert.Contains(t, err.Error(), "minor units (PHP 500.10 is 50010)")
}

func httpmockJSON(status int, body string) *http.Response {
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("Content-Type", "application/json")
	return resp
}

func TestAttemptAndWaitObservers(t *testing.T) {
	var mu sync.Mutex
	var attempts []Attempt
	var polls []WaitProgress
	f := newFakeAPI(t, WithRetries(1), WithAttemptObserver(func(_ context.Context, a Attempt) {
		mu.Lock()
		attempts = append(attempts, a)
		mu.Unlock()
	}), WithWaitObserver(func(_ context.Context, p WaitProgress) { polls = append(polls, p) }))
	f.script("POST", pathPayoutGet, badGateway,
		okData(`{"mchOrderId":"M1","transactionId":"D1","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"M1","transactionId":"D1","transactionStatus":"COMPLETED"}`))
	p, err := f.Client.Payouts.Wait(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	require.NoError(t, err)
	assert.Equal(t, TransactionStatusCompleted, p.TransactionStatus)
	require.Len(t, attempts, 3)
	assert.Equal(t, OpPayoutGet, attempts[0].Operation)
	assert.Equal(t, 502, attempts[0].HTTPStatus)
	assert.Error(t, attempts[0].Err)
	assert.Equal(t, 2, attempts[1].Attempt, "the retry")
	assert.Equal(t, 10000, attempts[1].Code)
	assert.NoError(t, attempts[2].Err)
	require.Len(t, polls, 2)
	assert.False(t, polls[0].Final)
	assert.Equal(t, TransactionStatusPending, polls[0].Last.(*Payout).TransactionStatus)
	assert.True(t, polls[1].Final)
	assert.Equal(t, 2, polls[1].Poll)
}

func TestPlainHTTPProductionHostIsRefused(t *testing.T) {
	for _, u := range []string{"http://openapi.paycools.com", "http://api.paycools.com.ph/", "http://API.PayCools.com", "http://x.paycools.co.id"} {
		_, err := NewClient(testAppID, testMerchantKey(t), WithBaseURL(u))
		assert.ErrorContains(t, err, "plain http", u)
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost", "http://api-uat.paycools.com", "http://globalapi-dev.paycools.com:8902",
		"https://openapi.paycools.com", "http://proxy.internal:3128"} {
		_, err := NewClient(testAppID, testMerchantKey(t), WithBaseURL(u))
		assert.NoError(t, err, u)
	}
}
