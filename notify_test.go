package paycools

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const verificationParam = `{"eventName":"payment.verification","mchOrderId":"VA1","channelCode":"GCASH_STATIC_VA","referenceNumber":"PC0000710000024","amount":"50010","mobile":"09123456789","createTime":"2024-07-19 14:14:47"}`

func TestParseNotification(t *testing.T) {
	c := newFakeAPI(t).Client
	param := `{"eventName":"some.unknown.event","x":1}`
	n, err := c.ParseNotification(signedCallback(t, param))
	require.NoError(t, err)
	assert.Equal(t, "some.unknown.event", n.EventName)
	assert.Equal(t, param, string(n.Param))
	assert.Nil(t, n.Event, "unknown events are verified and passed on with a nil Event")

	n, err = c.ParseNotification(signedCallback(t, verificationParam))
	require.NoError(t, err)
	q, ok := n.Event.(*RepaymentVerification)
	require.True(t, ok, "%T", n.Event)
	assert.Equal(t, Amount(50010), q.Amount)
	assert.Equal(t, "PC0000710000024", q.ReferenceNumber)
	assert.Equal(t, 2024, q.CreateTime.Year())
	assert.Equal(t, verificationParam, string(q.Raw))

	// event_name is accepted as well as eventName.
	n, err = c.ParseNotification(signedCallback(t, `{"event_name":"payment.verification","mchOrderId":"VA1"}`))
	require.NoError(t, err)
	assert.Equal(t, EventPaymentVerification, n.EventName)
}

func TestParseNotificationRefusesForgeries(t *testing.T) {
	c := newFakeAPI(t).Client
	good := signedCallback(t, verificationParam)
	var body map[string]string
	require.NoError(t, json.Unmarshal(good, &body))
	mutate := func(f func(m map[string]any)) []byte {
		m := map[string]any{"param": body["param"], "sign": body["sign"]}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	merchantSigned := func() []byte {
		s, err := SignParam(testMerchantKey(t), []byte(verificationParam))
		require.NoError(t, err)
		return mutate(func(m map[string]any) { m["sign"] = s })
	}
	cases := map[string]struct {
		body []byte
		msg  string
	}{
		"param altered by one byte": {mutate(func(m map[string]any) { m["param"] = strings.Replace(body["param"], "50010", "50011", 1) }), "bad signature"},
		"sign altered":              {mutate(func(m map[string]any) { m["sign"] = "AAAA" + body["sign"][4:] }), "bad signature"},
		"signed with the wrong key": {merchantSigned(), "bad signature"},
		"param as an object":        {mutate(func(m map[string]any) { m["param"] = json.RawMessage(body["param"]) }), "param is not a JSON string"},
		"sign URL-safe":             {mutate(func(m map[string]any) { m["sign"] = "-_" + body["sign"][2:] }), "URL-safe"},
		"plus turned to space":      {mutate(func(m map[string]any) { m["sign"] = " " + body["sign"][1:] }), "space"},
		"sign missing":              {mutate(func(m map[string]any) { delete(m, "sign") }), "missing"},
		"not JSON":                  {[]byte("param=x&sign=y"), "not a JSON object"},
		"oversized":                 {append([]byte(`{"param":"`), bytes.Repeat([]byte("a"), 1<<20)...), "body over"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n, err := c.ParseNotification(tc.body)
			assert.Nil(t, n)
			var se *SignatureError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), tc.msg)
			assert.NotContains(t, err.Error(), body["sign"][10:40], "errors never carry the signature")
		})
	}

	// No platform key: never verified, never accepted.
	noKey, err := NewClient(testAppID, testMerchantKey(t))
	require.NoError(t, err)
	_, err = noKey.ParseNotification(good)
	assert.ErrorContains(t, err, "no PayCools platform public key")
	assert.Panics(t, func() { noKey.NotificationHandler(func(context.Context, *Notification) error { return nil }) })
	assert.Panics(t, func() {
		noKey.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) { return true, nil })
	})
}

func TestNotificationHandler(t *testing.T) {
	c := newFakeAPI(t, WithNotificationStore(nil)).Client
	var calls int
	var fail error
	h := c.NotificationHandler(func(ctx context.Context, n *Notification) error {
		calls++
		return fail
	})
	good := signedCallback(t, `{"eventName":"x.y","id":1}`)

	rec := serveCallback(h, "POST", good)
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, `{"code":10000,"message":"Success"}`, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, 1, calls)

	fail = errors.New("database down")
	rec = serveCallback(h, "POST", good)
	assert.Equal(t, 500, rec.Code)
	assert.JSONEq(t, `{"code":21000,"message":"Server error, Please try again later."}`, rec.Body.String())
	assert.NotContains(t, rec.Body.String(), "database")
	assert.Equal(t, 2, calls)
	fail = nil

	tampered := bytes.Replace(good, []byte(`\"id\":1`), []byte(`\"id\":2`), 1)
	require.NotEqual(t, good, tampered)
	rec = serveCallback(h, "POST", tampered)
	assert.Equal(t, 401, rec.Code)
	assert.JSONEq(t, `{"code":21001,"message":"Request sign error"}`, rec.Body.String())

	rec = serveCallback(h, "POST", []byte(`{"param":"{}"}`))
	assert.Equal(t, 400, rec.Code)
	assert.JSONEq(t, `{"code":21002,"message":"Request param error"}`, rec.Body.String())

	rec = serveCallback(h, "GET", nil)
	assert.Equal(t, 405, rec.Code)

	rec = serveCallback(h, "POST", bytes.Repeat([]byte(" "), 1<<20+10))
	assert.Equal(t, 413, rec.Code)

	// A repayment question routed here is refused, never acknowledged with Success.
	rec = serveCallback(h, "POST", signedCallback(t, verificationParam))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"code":1000,"message":"Failed","data":{}}`, rec.Body.String())
	assert.Equal(t, 2, calls, "the user's function is never called for a bad or misrouted callback")
}

func TestRepaymentVerificationHandler(t *testing.T) {
	// The same question is sent for every case: no store, so that each is decided afresh, and
	// the clock of the question's day (the 24 h replay window applies).
	c := newFakeAPI(t, WithNotificationStore(nil), WithClock(func() time.Time { return phTimeOf(2024, 7, 19, 15, 0, 0) })).Client
	type answer struct {
		accept bool
		err    error
	}
	var next answer
	var got *RepaymentVerification
	h := c.RepaymentVerificationHandler(func(ctx context.Context, q *RepaymentVerification) (bool, error) {
		got = q
		return next.accept, next.err
	})
	body := signedCallback(t, verificationParam)
	cases := []struct {
		name   string
		a      answer
		status int
		reply  string
	}{
		{"accept", answer{true, nil}, 200, `{"code":2000,"message":"Success","data":{}}`},
		{"refuse", answer{false, nil}, 200, `{"code":1000,"message":"Failed","data":{}}`},
		{"refusal 1001", answer{true, &RepaymentRefusal{Code: 1001, Message: "unknown reference"}}, 200, `{"code":1001,"message":"unknown reference","data":{}}`},
		{"refusal 1002 wrapped", answer{false, errorsJoin(&RepaymentRefusal{Code: 1002, Message: "over limit"})}, 200, `{"code":1002,"message":"over limit","data":{}}`},
		{"refusal other code sent as 1000", answer{false, &RepaymentRefusal{Code: 42, Message: "no"}}, 200, `{"code":1000,"message":"no","data":{}}`},
		{"error wins over accept", answer{true, errors.New("db")}, 500, `{"code":21000,"message":"Server error, Please try again later."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next, got = tc.a, nil
			rec := serveCallback(h, "POST", body)
			assert.Equal(t, tc.status, rec.Code)
			assert.JSONEq(t, tc.reply, rec.Body.String())
			require.NotNil(t, got)
			assert.Equal(t, "VA1", got.MchOrderID)
		})
	}
	got = nil
	rec := serveCallback(h, "POST", signedCallback(t, `{"eventName":"payment.success","mchOrderId":"VA1"}`))
	assert.Equal(t, 400, rec.Code, "another event is never accepted by default")
	rec = serveCallback(h, "POST", bytes.Replace(body, []byte("50010"), []byte("50011"), 1))
	assert.Equal(t, 401, rec.Code)
	assert.Nil(t, got)
}

func errorsJoin(err error) error { return errors.Join(errors.New("context"), err) }

func TestWithPlatformPublicKeyRefusesSmallKeys(t *testing.T) {
	_, err := NewClient(testAppID, testMerchantKey(t), WithPlatformPublicKey(&rsa.PublicKey{}))
	assert.Error(t, err)
	_, err = NewClient(testAppID, testMerchantKey(t), WithPlatformPublicKey(nil))
	assert.Error(t, err)
}

// failingStore is a NotificationStore whose database is down.
type failingStore struct{}

func (failingStore) Claim(context.Context, string, string) (NotificationClaim, error) {
	return NotificationClaim{}, errors.New("store down")
}
func (failingStore) Renew(context.Context, string, string, string) error          { return nil }
func (failingStore) Finish(context.Context, string, string, string, string) error { return nil }
func (failingStore) Release(context.Context, string, string, string) error        { return nil }

// claim3 is s.Claim as state, token and error.
func claim3(ctx context.Context, s NotificationStore, key string) (NotificationState, string, error) {
	cl, err := s.Claim(ctx, testAppID, key)
	return cl.State, cl.Token, err
}

func TestNotificationHandlerRunsOncePerEvent(t *testing.T) {
	c := newFakeAPI(t).Client // default in-memory store
	var calls atomic.Int64
	var fail atomic.Bool
	h := c.NotificationHandler(func(ctx context.Context, n *Notification) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("db")
		}
		return nil
	})
	a := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"D1"}`)
	b := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"D2"}`)

	fail.Store(true)
	assert.Equal(t, 500, serveCallback(h, "POST", a).Code)
	fail.Store(false)
	assert.Equal(t, 200, serveCallback(h, "POST", a).Code, "a failed event is handled again on redelivery")
	assert.Equal(t, 200, serveCallback(h, "POST", a).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", a).Code)
	assert.EqualValues(t, 2, calls.Load(), "the duplicate deliveries after success do not run the function")
	assert.Equal(t, 200, serveCallback(h, "POST", b).Code)
	assert.EqualValues(t, 3, calls.Load())

	// Concurrent duplicates: exactly one runs the function.
	calls.Store(0)
	d := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"D3"}`)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); serveCallback(h, "POST", d) }()
	}
	wg.Wait()
	assert.EqualValues(t, 1, calls.Load())

	// A store error means 500, so PayCools retries; the function is not run.
	calls.Store(0)
	broken := newFakeAPI(t, WithNotificationStore(failingStore{})).Client.NotificationHandler(func(context.Context, *Notification) error {
		calls.Add(1)
		return nil
	})
	assert.Equal(t, 500, serveCallback(broken, "POST", a).Code)
	assert.Zero(t, calls.Load())
}

func TestMemoryNotificationStoreTTL(t *testing.T) {
	s := NewMemoryNotificationStore(time.Minute)
	now := fixedNow
	s.now = func() time.Time { return now }
	ctx := context.Background()
	st, tok, err := claim3(ctx, s, "k")
	require.NoError(t, err)
	assert.Equal(t, NotificationStateNew, st)
	assert.NotEmpty(t, tok)
	st, tok2, _ := claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateInFlight, st)
	assert.Empty(t, tok2)
	require.NoError(t, s.Finish(ctx, testAppID, "k", tok, ""))
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateDone, st)
	require.NoError(t, s.Release(ctx, testAppID, "k", tok), "a release after finish")
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateDone, st, "release does not undo a finish")
	now = now.Add(2 * time.Minute)
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateNew, st, "forgotten after the TTL")
	for i := 0; i < 600; i++ {
		_, _, _ = claim3(ctx, s, fmt.Sprint(i))
	}
	now = now.Add(10 * time.Minute)
	for i := 0; i < 300; i++ {
		_, _, _ = claim3(ctx, s, "x")
	}
	assert.Less(t, len(s.entries), 10, "expired entries are swept")
}

func TestMemoryNotificationStoreLease(t *testing.T) {
	s := NewMemoryNotificationStoreLease(time.Hour, 3*time.Minute)
	now := fixedNow
	s.now = func() time.Time { return now }
	ctx := context.Background()
	st, first, _ := claim3(ctx, s, "k")
	require.Equal(t, NotificationStateNew, st)
	now = now.Add(2 * time.Minute)
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateInFlight, st, "within the lease")
	now = now.Add(2 * time.Minute)
	st, second, _ := claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateNew, st, "a claim past its lease is taken over")
	assert.NotEqual(t, first, second)
	require.NoError(t, s.Release(ctx, testAppID, "k", first))
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateInFlight, st, "the old holder's release does not free the new claim")
	require.NoError(t, s.Release(ctx, testAppID, "k", second))
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateNew, st, "the holder's release frees it")
	assert.Equal(t, DefaultNotificationLease, NewMemoryNotificationStoreLease(time.Hour, 0).lease)
}

func TestNotificationKeyIsTheBusinessIdentity(t *testing.T) {
	key := func(param string) string {
		var probe struct {
			EventName string `json:"eventName"`
		}
		require.NoError(t, json.Unmarshal([]byte(param), &probe))
		return NotificationKey(&Notification{EventName: probe.EventName, Param: json.RawMessage(param)})
	}
	for _, tc := range []struct{ param, want string }{
		{`{"eventName":"disbursement.success","mchOrderId":"M1","transactionId":"DU1","transactionStatus":"COMPLETED","returnTime":"2026-01-01 10:00:00"}`,
			"disbursement.success:transactionId=DU1:COMPLETED"},
		{`{"eventName":"refund.success","mchRefundOrderId":"R1","refundTransactionId":"RF1","originalTransactionId":"P1","refundStatus":"COMPLETE"}`,
			"refund.success:refundTransactionId=RF1:COMPLETE"},
		{`{"eventName":"payment.success","mchOrderId":"M2","transactionStatus":"COMPLETE"}`,
			"payment.success:mchOrderId=M2:COMPLETE"},
		{`{"eventName":"token.create.success","requestId":"Q1","tokenStatus":"ACTIVED"}`,
			"token.create.success:requestId=Q1:ACTIVED"},
		{`{"eventName":"ekyc.success","requestId":"K1","kycStatus":"SUCCESS","updateTime":"x"}`,
			"ekyc.success:requestId=K1:SUCCESS"},
		{`{"eventName":"x.y","transactionId":12345,"status":"A:B"}`, "x.y:transactionId=12345:A%3AB"},
	} {
		assert.Equal(t, tc.want, key(tc.param), tc.param)
	}
	// A redelivery with re-stamped times and a new sign has the same key; another status does not.
	a := key(`{"eventName":"disbursement.success","transactionId":"DU1","transactionStatus":"COMPLETED","returnTime":"2026-01-01 10:00:00","sign":"aa"}`)
	b := key(`{"eventName":"disbursement.success","transactionId":"DU1","transactionStatus":"COMPLETED","returnTime":"2026-01-01 10:05:00","sign":"bb"}`)
	c := key(`{"eventName":"disbursement.success","transactionId":"DU1","transactionStatus":"FAILED"}`)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	// No id at all: the hash of the param.
	h := key(`{"eventName":"odd.event","amount":1}`)
	assert.True(t, strings.HasPrefix(h, "odd.event:sha256="), h)
	assert.NotEqual(t, h, key(`{"eventName":"odd.event","amount":2}`))
}

func TestNotificationHandlerTakesOverAnExpiredClaim(t *testing.T) {
	store := NewMemoryNotificationStoreLease(time.Hour, time.Minute)
	now := fixedNow
	var mu sync.Mutex
	store.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newFakeAPI(t, WithNotificationStore(store)).Client
	var calls atomic.Int64
	h := c.NotificationHandler(func(context.Context, *Notification) error { calls.Add(1); return nil })
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"D9","transactionStatus":"COMPLETED"}`)
	// A replica claimed the event and died: its claim is left behind.
	st, _, err := claim3(context.Background(), store, NotificationKey(&Notification{EventName: "disbursement.success",
		Param: json.RawMessage(`{"eventName":"disbursement.success","transactionId":"D9","transactionStatus":"COMPLETED"}`)}))
	require.NoError(t, err)
	require.Equal(t, NotificationStateNew, st)
	assert.Equal(t, 500, serveCallback(h, "POST", body).Code, "in flight within the lease")
	assert.Zero(t, calls.Load())
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code, "taken over after the lease")
	assert.EqualValues(t, 1, calls.Load())
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
	assert.EqualValues(t, 1, calls.Load(), "done")
}

func TestNotificationMaxAge(t *testing.T) {
	c := newFakeAPI(t, WithNotificationMaxAge(time.Hour)).Client
	var calls int
	h := c.NotificationHandler(func(context.Context, *Notification) error { calls++; return nil })
	fresh := signedCallback(t, `{"eventName":"disbursement.success","returnTime":"2024-09-12 18:30:00"}`)
	stale := signedCallback(t, `{"eventName":"disbursement.success","returnTime":"2024-09-12 10:00:00"}`)
	timeless := signedCallback(t, `{"eventName":"disbursement.success"}`)
	assert.Equal(t, 200, serveCallback(h, "POST", fresh).Code)
	assert.Equal(t, 401, serveCallback(h, "POST", stale).Code)
	assert.Equal(t, 401, serveCallback(h, "POST", timeless).Code, "fail closed without a time")
	assert.Equal(t, 1, calls)
}

func TestNotificationEventNameFastPathIsConfirmed(t *testing.T) {
	c := newFakeAPI(t).Client
	// The byte search finds the nested name; the typed decode disagrees, so the top-level
	// name (written with spaces, which the search does not match) decides.
	n, err := c.ParseNotification(signedCallback(t, `{"meta":{"eventName":"payment.verification"},"eventName" : "disbursement.success","mchOrderId":"M1"}`))
	require.NoError(t, err)
	assert.Equal(t, "disbursement.success", n.EventName)
	_, ok := n.Event.(*PayoutNotification)
	assert.True(t, ok, "%T", n.Event)
	// Two occurrences: no fast path, the real decode decides.
	n, err = c.ParseNotification(signedCallback(t, `{"eventName":"disbursement.failed","x":{"eventName":"payment.verification"}}`))
	require.NoError(t, err)
	assert.Equal(t, "disbursement.failed", n.EventName)
	_, ok = n.Event.(*PayoutNotification)
	assert.True(t, ok, "%T", n.Event)
	// An escaped name is read properly.
	n, err = c.ParseNotification(signedCallback(t, `{"eventName":"disbursement\u002esuccess"}`))
	require.NoError(t, err)
	assert.Equal(t, "disbursement.success", n.EventName)
}
