package paycools

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flakyStore is a NotificationStore whose Finish fails: before writing (the database is
// down) or after writing (the commit's answer is lost), a number of times; and whose Renew
// can be made to fail. Every Renew's outcome is sent to renewed when it is set.
type flakyStore struct {
	NotificationStore
	failFinish  atomic.Int32 // Finish calls left to fail
	afterCommit bool         // fail after the write
	finishes    atomic.Int32
	renewErr    atomic.Pointer[error]
	renewed     chan error
	claimed     chan NotificationState // when set, every Claim's state
}

func (s *flakyStore) Claim(ctx context.Context, appID, key string) (NotificationClaim, error) {
	cl, err := s.NotificationStore.Claim(ctx, appID, key)
	if s.claimed != nil {
		s.claimed <- cl.State
	}
	return cl, err
}

var errDatabaseDown = errors.New("database down")

func (s *flakyStore) Finish(ctx context.Context, appID, key, token, result string) error {
	s.finishes.Add(1)
	if s.failFinish.Add(-1) < 0 {
		return s.NotificationStore.Finish(ctx, appID, key, token, result)
	}
	if s.afterCommit {
		_ = s.NotificationStore.Finish(ctx, appID, key, token, result)
	}
	return errDatabaseDown
}

func (s *flakyStore) Renew(ctx context.Context, appID, key, token string) error {
	err := s.NotificationStore.Renew(ctx, appID, key, token)
	if e := s.renewErr.Load(); e != nil {
		err = *e
	}
	if s.renewed != nil {
		s.renewed <- err
	}
	return err
}

// testClock is a clock shared by goroutines, that the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// withHeartbeats gives each claim's heartbeat a tick channel of its own, sent to the test on
// the returned channel, so that the test decides when a renewal happens.
func withHeartbeats(every *atomic.Int64) (Option, chan chan time.Time) {
	beats := make(chan chan time.Time, 16)
	return func(c *Client) error {
		c.heartbeatTicker = func(d time.Duration) (<-chan time.Time, func()) {
			every.Store(int64(d))
			ch := make(chan time.Time)
			beats <- ch
			return ch, func() {}
		}
		return nil
	}, beats
}

// await receives from ch, or fails the test when nothing comes within 10 seconds (the code
// under test is broken: it would hang).
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for %s", what)
		panic("unreachable")
	}
}

// A Finish that fails after the function succeeded no longer answers 500 (which made PayCools
// deliver again and, once the claim's lease ended, run the function a second time): the event
// is acknowledged, Finish is tried again, and a redelivery finds it done.
func TestNotificationFinishFailureStillHandledOnce(t *testing.T) {
	for _, afterCommit := range []bool{false, true} {
		name := map[bool]string{false: "database down", true: "commit answer lost"}[afterCommit]
		t.Run(name, func(t *testing.T) {
			clk := &testClock{now: fixedNow}
			mem := NewMemoryNotificationStoreLease(time.Hour, time.Minute)
			mem.now = clk.Now
			store := &flakyStore{NotificationStore: mem, afterCommit: afterCommit}
			store.failFinish.Store(1)
			var logs syncBuffer
			c := newFakeAPI(t, WithNotificationStore(store), WithClock(clk.Now), WithLogger(newTextLogger(&logs))).Client
			var calls atomic.Int32
			h := c.NotificationHandler(func(context.Context, *Notification) error { calls.Add(1); return nil })
			body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DF1","transactionStatus":"COMPLETED"}`)

			rec := serveCallback(h, "POST", body)
			assert.Equal(t, 200, rec.Code, "the function succeeded: acknowledged although Finish failed")
			assert.JSONEq(t, string(replySuccess), rec.Body.String())
			assert.EqualValues(t, 2, store.finishes.Load(), "Finish was tried again")
			assert.Contains(t, logs.String(), "recording the handled event failed; trying again")

			clk.Add(2 * time.Minute) // past the lease: a claim left behind would be taken now
			assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
			assert.EqualValues(t, 1, calls.Load(), "the redelivery does not run the function again")
		})
	}
}

// A function slower than the claim's lease keeps its claim by the heartbeat, so a second
// delivery does not run it at the same time; the heartbeat runs every third of the lease.
func TestNotificationHeartbeatKeepsASlowFunctionsClaim(t *testing.T) {
	clk := &testClock{now: fixedNow}
	mem := NewMemoryNotificationStoreLease(time.Hour, time.Minute)
	mem.now = clk.Now
	store := &flakyStore{NotificationStore: mem, renewed: make(chan error, 16)}
	var every atomic.Int64
	hb, beats := withHeartbeats(&every)
	c := newFakeAPI(t, WithNotificationStore(store), WithClock(clk.Now), hb).Client
	var calls atomic.Int32
	started, proceed := make(chan struct{}), make(chan struct{})
	h := c.NotificationHandler(func(ctx context.Context, _ *Notification) error {
		if calls.Add(1) > 1 {
			return nil // a second run: the test fails on the count, it does not hang
		}
		close(started)
		<-proceed
		return ctx.Err()
	})
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DS1","transactionStatus":"COMPLETED"}`)
	first := make(chan int)
	go func() { first <- serveCallback(h, "POST", body).Code }()
	await(t, started, "the function")
	beat := await(t, beats, "the heartbeat")
	assert.Equal(t, 20*time.Second, time.Duration(every.Load()), "renewed every third of the lease")

	for i := 0; i < 3; i++ { // three minutes of a one-minute lease
		clk.Add(40 * time.Second)
		beat <- clk.Now()
		require.NoError(t, await(t, store.renewed, "a renewal"))
		clk.Add(20 * time.Second)
		assert.Equal(t, 500, serveCallback(h, "POST", body).Code, "in flight: the running function holds the claim")
	}
	close(proceed)
	assert.Equal(t, 200, await(t, first, "the first delivery's answer"))
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
	assert.EqualValues(t, 1, calls.Load(), "the function ran once")
}

// When the claim is lost while the function runs (its renewal came too late: another delivery
// took the event), the function's context ends with cause ErrClaimLost, and the Finish of the
// stale token fails and is logged, instead of silently recording over the other delivery.
func TestNotificationClaimLostEndsTheFunctionsContext(t *testing.T) {
	clk := &testClock{now: fixedNow}
	mem := NewMemoryNotificationStoreLease(time.Hour, time.Minute)
	mem.now = clk.Now
	store := &flakyStore{NotificationStore: mem, renewed: make(chan error, 16)}
	var every atomic.Int64
	hb, beats := withHeartbeats(&every)
	var logs syncBuffer
	c := newFakeAPI(t, WithNotificationStore(store), WithClock(clk.Now), hb, WithLogger(newTextLogger(&logs))).Client
	var calls atomic.Int32
	started := make(chan struct{})
	causes := make(chan error, 1)
	h := c.NotificationHandler(func(ctx context.Context, _ *Notification) error {
		if calls.Add(1) > 1 {
			return nil
		}
		close(started)
		select {
		case <-ctx.Done():
			causes <- context.Cause(ctx)
		case <-time.After(10 * time.Second): // a bound, so that the old code fails, not hangs
			causes <- nil
		}
		return nil // the function finished its work regardless
	})
	body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DL1","transactionStatus":"COMPLETED"}`)
	first := make(chan int)
	go func() { first <- serveCallback(h, "POST", body).Code }()
	await(t, started, "the function")
	beat := await(t, beats, "the heartbeat")

	clk.Add(61 * time.Second) // the process stalled past the lease: another delivery takes it
	assert.Equal(t, 200, serveCallback(h, "POST", body).Code)
	await(t, beats, "the heartbeat") // the second delivery's heartbeat
	beat <- clk.Now()
	assert.ErrorIs(t, await(t, store.renewed, "a renewal"), ErrClaimLost)
	assert.ErrorIs(t, await(t, causes, "the function's context to end"), ErrClaimLost, "the function's context ends when its claim is lost")
	assert.Equal(t, 200, await(t, first, "the first delivery's answer"), "the function succeeded")
	assert.Contains(t, logs.String(), "claim on the event was lost while the function ran")
	assert.Contains(t, logs.String(), "stale token")

	// Renewals that keep failing (the store is unreachable) end the context too, before the
	// lease can end: after the second failure in a row.
	down := error(errDatabaseDown)
	store.renewErr.Store(&down)
	started2 := make(chan struct{})
	h2 := c.NotificationHandler(func(ctx context.Context, _ *Notification) error {
		close(started2)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	other := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DL2","transactionStatus":"COMPLETED"}`)
	go func() { first <- serveCallback(h2, "POST", other).Code }()
	await(t, started2, "the function")
	beat = await(t, beats, "the heartbeat")
	beat <- clk.Now()
	assert.ErrorIs(t, await(t, store.renewed, "a renewal"), errDatabaseDown)
	beat <- clk.Now()
	assert.ErrorIs(t, await(t, store.renewed, "a renewal"), errDatabaseDown)
	assert.ErrorIs(t, await(t, causes, "the function's context to end"), ErrClaimLost)
	assert.Equal(t, 500, await(t, first, "the first delivery's answer"), "the function failed: PayCools delivers again")
}

// The memory store: Renew extends a held claim, and a taken-over claim can neither be renewed
// nor finished; a Finish repeated with its own token succeeds, and Claim returns its result.
func TestMemoryNotificationStoreRenewAndStaleFinish(t *testing.T) {
	s := NewMemoryNotificationStoreLease(time.Hour, time.Minute)
	clk := &testClock{now: fixedNow}
	s.now = clk.Now
	ctx := context.Background()
	cl, err := s.Claim(ctx, testAppID, "k")
	require.NoError(t, err)
	assert.Equal(t, time.Minute, cl.Lease)
	clk.Add(50 * time.Second)
	require.NoError(t, s.Renew(ctx, testAppID, "k", cl.Token))
	clk.Add(50 * time.Second)
	st, _, _ := claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateInFlight, st, "renewed: still held after more than a lease")

	clk.Add(61 * time.Second)
	st, tok2, _ := claim3(ctx, s, "k")
	require.Equal(t, NotificationStateNew, st, "not renewed: taken over")
	assert.ErrorIs(t, s.Renew(ctx, testAppID, "k", cl.Token), ErrClaimLost)
	assert.ErrorIs(t, s.Finish(ctx, testAppID, "k", cl.Token, "stale"), ErrClaimLost)
	st, _, _ = claim3(ctx, s, "k")
	assert.Equal(t, NotificationStateInFlight, st, "the stale finish recorded nothing")

	require.NoError(t, s.Finish(ctx, testAppID, "k", tok2, "2000:Success"))
	require.NoError(t, s.Finish(ctx, testAppID, "k", tok2, "2000:Success"), "a retried finish")
	assert.ErrorIs(t, s.Renew(ctx, testAppID, "k", tok2), ErrClaimLost, "a finished claim is not renewed")
	done, err := s.Claim(ctx, testAppID, "k")
	require.NoError(t, err)
	assert.Equal(t, NotificationClaim{State: NotificationStateDone, Result: "2000:Success"}, done)
}

// A repayment question is decided once: asked again (the answer to PayCools was lost), it gets
// the same answer, accept or the same refusal, without running the function again, also
// when Finish failed once after the function accepted.
func TestRepaymentVerificationSameQuestionSameAnswer(t *testing.T) {
	clock := WithClock(func() time.Time { return phTimeOf(2024, 7, 19, 15, 0, 0) })
	for _, tc := range []struct {
		name     string
		decide   func() (bool, error)
		failOnce bool
		reply    string
	}{
		{"accept", func() (bool, error) { return true, nil }, false, `{"code":2000,"message":"Success","data":{}}`},
		{"accept, finish failed once", func() (bool, error) { return true, nil }, true, `{"code":2000,"message":"Success","data":{}}`},
		{"refuse", func() (bool, error) { return false, nil }, false, `{"code":1000,"message":"Failed","data":{}}`},
		{"refusal 1002", func() (bool, error) { return true, &RepaymentRefusal{Code: 1002, Message: "over the limit: 5000.00"} }, false,
			`{"code":1002,"message":"over the limit: 5000.00","data":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &flakyStore{NotificationStore: NewMemoryNotificationStore(time.Hour)}
			if tc.failOnce {
				store.failFinish.Store(1)
			}
			var calls atomic.Int32
			h := newFakeAPI(t, clock, WithNotificationStore(store)).Client.RepaymentVerificationHandler(
				func(context.Context, *RepaymentVerification) (bool, error) { calls.Add(1); return tc.decide() })
			body := signedCallback(t, verificationParam)
			for i := 0; i < 3; i++ {
				rec := serveCallback(h, "POST", body)
				assert.Equal(t, 200, rec.Code)
				assert.JSONEq(t, tc.reply, rec.Body.String(), "ask %d", i+1)
			}
			assert.EqualValues(t, 1, calls.Load(), "the function decided once")
		})
	}
	// An error that is no decision is not stored: asked again, the function decides.
	var calls atomic.Int32
	h := newFakeAPI(t, clock).Client.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) {
		if calls.Add(1) == 1 {
			return false, errors.New("books unreachable")
		}
		return true, nil
	})
	body := signedCallback(t, verificationParam)
	assert.Equal(t, 500, serveCallback(h, "POST", body).Code)
	assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, serveCallback(h, "POST", body).Body.String())
	assert.EqualValues(t, 2, calls.Load())
}

// A question asked again while the first ask is still being decided waits for the decision and
// answers it, instead of 500 (which PayCools may take as a refusal of money being accepted).
func TestRepaymentVerificationAskedWhileDeciding(t *testing.T) {
	store := &flakyStore{NotificationStore: NewMemoryNotificationStore(time.Hour), claimed: make(chan NotificationState, 64)}
	var calls atomic.Int32
	started, proceed := make(chan struct{}), make(chan struct{})
	h := newFakeAPI(t, WithClock(func() time.Time { return phTimeOf(2024, 7, 19, 15, 0, 0) }), WithNotificationStore(store)).Client.RepaymentVerificationHandler(
		func(context.Context, *RepaymentVerification) (bool, error) {
			if calls.Add(1) == 1 {
				close(started)
				<-proceed
			}
			return true, nil
		})
	body := signedCallback(t, verificationParam)
	replies := make(chan string, 2)
	go func() { replies <- serveCallback(h, "POST", body).Body.String() }()
	await(t, started, "the first decision")
	assert.Equal(t, NotificationStateNew, await(t, store.claimed, "the first claim"))
	go func() { replies <- serveCallback(h, "POST", body).Body.String() }()
	assert.Equal(t, NotificationStateInFlight, await(t, store.claimed, "the second ask's claim"))
	close(proceed)
	for i := 0; i < 2; i++ {
		assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, await(t, replies, "an answer"), "answer %d", i+1)
	}
	assert.EqualValues(t, 1, calls.Load())
}

// A flat question is identified by what its signature covers, the canonical string: the same
// question with other white space or member order (its signature still verifies) is the same
// question, and gets the same answer; another amount is another question.
func TestRepaymentVerificationFlatQuestionKeyedByContent(t *testing.T) {
	c, _ := newPHClient(t, WithClock(func() time.Time { return phTimeOf(2022, 5, 31, 10, 0, 0) }))
	var calls atomic.Int32
	h := c.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) {
		return calls.Add(1) == 1, nil // only the first decision accepts
	})
	fields := [][2]string{{"eventName", `"payment.verification"`}, {"mchOrderId", `"VA9"`}, {"referenceNumber", `"PCLAC1000000009"`},
		{"amount", `503700`}, {"mobile", `"0912345678"`}, {"createTime", `"2022-05-31 09:38:06"`}}
	signed := func(fields [][2]string) []byte {
		canon, err := CanonicalFlatString(flatCallback(fields, "x"))
		require.NoError(t, err)
		return flatCallback(fields, sha1Sign(canon, "xxxxxxx"))
	}
	body := signed(fields)
	spaced := bytes.ReplaceAll(bytes.ReplaceAll(body, []byte(`,"`), []byte(`,  "`)), []byte(`":`), []byte(`" : `))
	reordered := signed(append([][2]string{fields[3]}, append(fields[:3:3], fields[4:]...)...))
	require.NotEqual(t, string(body), string(spaced))
	accept := `{"code":2000,"msg":"Success"}`
	for i, b := range [][]byte{body, spaced, reordered} {
		rec := serveCallback(h, "POST", b)
		require.Equal(t, 200, rec.Code, "body %d: %s", i, rec.Body.String())
		assert.JSONEq(t, accept, rec.Body.String(), "body %d", i)
	}
	assert.EqualValues(t, 1, calls.Load(), "one question, one decision")

	more := append([][2]string{}, fields...)
	more[3][1] = `503701`
	assert.JSONEq(t, `{"code":1000,"msg":"Failed"}`, serveCallback(h, "POST", signed(more)).Body.String(), "another amount is another question")
	assert.EqualValues(t, 2, calls.Load())
	assert.True(t, strings.HasPrefix(repaymentKey(&Notification{Form: NotificationFormFlatSHA1, Param: body}), EventPaymentVerification+":flat-sha256="))
}
