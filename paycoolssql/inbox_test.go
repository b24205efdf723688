package paycoolssql_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// inboxSetup is a NotificationStore with the inbox on, a client and a handler whose function
// counts its runs per order and fails while fail is set.
type inboxSetup struct {
	store *paycoolssql.NotificationStore
	table string
	clk   *clock
	h     http.Handler
	runs  sync.Map // transactionId → *atomic.Int32
	fail  atomic.Bool
}

func newInboxSetup(t *testing.T, d testDB, opts ...paycoolssql.Option) *inboxSetup {
	t.Helper()
	merchant, platform := testKeys(t)
	s := &inboxSetup{clk: newClock(), table: fmt.Sprintf("%s_inbox%d", d.prefix, tableSeq.Add(1))}
	store, err := paycoolssql.NewNotificationStore(testCtx(t), d.db, d.flavor,
		append([]paycoolssql.Option{paycoolssql.WithInbox(), paycoolssql.WithTable(s.table), paycoolssql.WithClock(s.clk.Now)}, opts...)...)
	require.NoError(t, err)
	s.store = store
	c, err := paycools.NewClient(testApp, merchant, paycools.WithPlatformPublicKey(&platform.PublicKey),
		paycools.WithNotificationStore(store), paycools.WithClock(s.clk.Now))
	require.NoError(t, err)
	s.h = c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		p := n.Event.(*paycools.PayoutNotification)
		v, _ := s.runs.LoadOrStore(p.TransactionID, new(atomic.Int32))
		v.(*atomic.Int32).Add(1)
		if s.fail.Load() {
			return errors.New("ledger API down while crediting account 09171234567")
		}
		return nil
	})
	return s
}

func (s *inboxSetup) runsOf(id string) int32 {
	v, ok := s.runs.Load(id)
	if !ok {
		return 0
	}
	return v.(*atomic.Int32).Load()
}

// postReplay posts body to h with a replay token.
func postReplay(h http.Handler, body []byte, token string) int {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
	r.Header.Set(paycools.ReplayHeader, token)
	h.ServeHTTP(rec, r)
	return rec.Code
}

func payoutParam(id string) string {
	return `{"eventName":"disbursement.success","mchOrderId":"M` + id + `","transactionId":"` + id +
		`","amount":"50010","accountNo":"09171234567","transactionStatus":"COMPLETED"}`
}

func payoutKey(id string) string { return "disbursement.success:transactionId=" + id + ":COMPLETED" }

// The inbox keeps each verified callback's exact body, form, name, key and first receipt,
// and its outcome: failed with the function's last error (redacted: no full account number)
// and the attempts, then handled once a redelivery succeeds; a redelivery of a handled event
// runs nothing and counts no attempt. -failed lists only the dead letters, Since filters by
// receipt, and the retention's end sweeps the rows.
func TestInboxRecordsOutcomes(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		_, platform := testKeys(t)
		s := newInboxSetup(t, d, paycoolssql.WithRetention(time.Hour))
		body := callbackBody(t, platform, payoutParam("DI1"))
		first := s.clk.Now()

		s.fail.Store(true)
		code, _ := post(s.h, body)
		require.Equal(t, 500, code)
		e, err := s.store.Event(ctx, testApp, payoutKey("DI1"))
		require.NoError(t, err)
		assert.Equal(t, paycoolssql.EventFailed, e.Outcome)
		assert.EqualValues(t, 1, e.Attempts)
		assert.Contains(t, e.LastError, "ledger API down")
		assert.NotContains(t, e.LastError, "09171234567", "the error is stored redacted")
		assert.Equal(t, body, e.Body, "the exact body")
		assert.Equal(t, "envelope", e.Form)
		assert.Equal(t, "disbursement.success", e.EventName)
		assert.True(t, e.ReceivedAt.Equal(first), "received at %v, want %v", e.ReceivedAt, first)

		failed, err := s.store.Events(ctx, paycoolssql.EventQuery{AppID: testApp, FailedOnly: true})
		require.NoError(t, err)
		require.Len(t, failed, 1)
		assert.Equal(t, payoutKey("DI1"), failed[0].Key)

		// Another event, handled at once, is listed but is no dead letter.
		s.fail.Store(false)
		s.clk.Add(time.Minute)
		code, _ = post(s.h, callbackBody(t, platform, payoutParam("DI2")))
		require.Equal(t, 200, code)

		s.clk.Add(time.Minute)
		code, _ = post(s.h, body)
		require.Equal(t, 200, code)
		e, err = s.store.Event(ctx, testApp, payoutKey("DI1"))
		require.NoError(t, err)
		assert.Equal(t, paycoolssql.EventHandled, e.Outcome)
		assert.EqualValues(t, 2, e.Attempts)
		assert.Empty(t, e.LastError)
		assert.True(t, e.ReceivedAt.Equal(first), "the first receipt is kept")

		code, _ = post(s.h, body) // a plain redelivery: acknowledged, not run, not counted
		require.Equal(t, 200, code)
		assert.EqualValues(t, 2, s.runsOf("DI1"))
		e, err = s.store.Event(ctx, testApp, payoutKey("DI1"))
		require.NoError(t, err)
		assert.EqualValues(t, 2, e.Attempts)

		failed, err = s.store.Events(ctx, paycoolssql.EventQuery{AppID: testApp, FailedOnly: true})
		require.NoError(t, err)
		assert.Empty(t, failed)
		all, err := s.store.Events(ctx, paycoolssql.EventQuery{AppID: testApp})
		require.NoError(t, err)
		require.Len(t, all, 2)
		assert.Equal(t, payoutKey("DI2"), all[0].Key, "newest first")
		recent, err := s.store.Events(ctx, paycoolssql.EventQuery{AppID: testApp, Since: first.Add(30 * time.Second)})
		require.NoError(t, err)
		require.Len(t, recent, 1)
		assert.Equal(t, payoutKey("DI2"), recent[0].Key)

		s.clk.Add(2 * time.Hour)
		_, err = s.store.Event(ctx, testApp, payoutKey("DI1"))
		assert.ErrorIs(t, err, paycoolssql.ErrEventNotFound, "past the retention")
		_, err = s.store.Sweep(ctx)
		require.NoError(t, err)
		var rows int
		require.NoError(t, d.db.QueryRowContext(ctx, "SELECT count(*) FROM "+s.table+"_inbox").Scan(&rows))
		assert.Zero(t, rows, "Sweep deletes the inbox's expired rows")
	})
}

// Replay runs a handled event's function once more, and only with the token RequestReplay
// gave for that event: a plain redelivery, a guessed token, another event's token, a forged
// body carrying the token, and a second post of a used token all run nothing; of two posts of
// one token at once, one runs.
func TestInboxReplay(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		_, platform := testKeys(t)
		s := newInboxSetup(t, d)
		a, b := callbackBody(t, platform, payoutParam("DA1")), callbackBody(t, platform, payoutParam("DB1"))
		for _, body := range [][]byte{a, b} {
			code, _ := post(s.h, body)
			require.Equal(t, 200, code)
		}
		code, _ := post(s.h, a)
		assert.Equal(t, 200, code)
		assert.Equal(t, 200, postReplay(s.h, a, "0123456789abcdef01234567"), "a guessed token")
		assert.EqualValues(t, 1, s.runsOf("DA1"), "a redelivery without a valid token runs nothing")

		e, token, err := s.store.RequestReplay(ctx, testApp, payoutKey("DA1"))
		require.NoError(t, err)
		require.NotEmpty(t, token)
		assert.Equal(t, a, e.Body)

		assert.Equal(t, 200, postReplay(s.h, b, token), "another event's token")
		assert.EqualValues(t, 1, s.runsOf("DB1"))
		forged := bytes.Replace(a, []byte(`50010`), []byte(`99999`), 1)
		assert.Equal(t, 401, postReplay(s.h, forged, token), "a forged body with the token")
		code, _ = post(s.h, a)
		assert.Equal(t, 200, code)
		assert.EqualValues(t, 1, s.runsOf("DA1"), "a plain redelivery after the request runs nothing")

		assert.Equal(t, 200, postReplay(s.h, e.Body, token))
		assert.EqualValues(t, 2, s.runsOf("DA1"), "the replay ran the function again")
		assert.Equal(t, 200, postReplay(s.h, e.Body, token), "the token is used up")
		assert.EqualValues(t, 2, s.runsOf("DA1"))
		e, err = s.store.Event(ctx, testApp, payoutKey("DA1"))
		require.NoError(t, err)
		assert.Equal(t, paycoolssql.EventHandled, e.Outcome)
		assert.EqualValues(t, 2, e.Attempts)

		_, token, err = s.store.RequestReplay(ctx, testApp, payoutKey("DB1"))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); postReplay(s.h, b, token) }()
		}
		wg.Wait()
		assert.EqualValues(t, 2, s.runsOf("DB1"), "one token, four posts at once: one run")

		_, _, err = s.store.RequestReplay(ctx, testApp, payoutKey("DX9"))
		assert.ErrorIs(t, err, paycoolssql.ErrEventNotFound)
	})
}

// A failed event needs no token: RequestReplay gives none, and the stored body posted again
// runs the function (as PayCools' own redelivery would).
func TestInboxReplayFailed(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		_, platform := testKeys(t)
		s := newInboxSetup(t, d)
		s.fail.Store(true)
		code, _ := post(s.h, callbackBody(t, platform, payoutParam("DF1")))
		require.Equal(t, 500, code)
		s.fail.Store(false)
		e, token, err := s.store.RequestReplay(ctx, testApp, payoutKey("DF1"))
		require.NoError(t, err)
		assert.Empty(t, token)
		code, _ = post(s.h, e.Body)
		assert.Equal(t, 200, code)
		assert.EqualValues(t, 2, s.runsOf("DF1"))
	})
}

// Without WithInbox nothing is kept (the bodies hold account numbers): no inbox table, no
// events, and a replay header changes nothing.
func TestInboxOffByDefault(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		_, platform := testKeys(t)
		merchant, _ := testKeys(t)
		table := fmt.Sprintf("%s_noinbox%d", d.prefix, tableSeq.Add(1))
		store, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
		require.NoError(t, err)
		c, err := paycools.NewClient(testApp, merchant, paycools.WithPlatformPublicKey(&platform.PublicKey), paycools.WithNotificationStore(store))
		require.NoError(t, err)
		var runs atomic.Int32
		h := c.NotificationHandler(func(context.Context, *paycools.Notification) error { runs.Add(1); return nil })
		body := callbackBody(t, platform, payoutParam("DO1"))
		code, _ := post(h, body)
		require.Equal(t, 200, code)
		assert.Equal(t, 200, postReplay(h, body, "anything"))
		assert.EqualValues(t, 1, runs.Load())
		assert.False(t, tableExists(t, d, table+"_inbox"))
		events, err := store.Events(ctx, paycoolssql.EventQuery{AppID: testApp})
		require.NoError(t, err)
		assert.Empty(t, events)
		_, err = store.Event(ctx, testApp, payoutKey("DO1"))
		assert.ErrorIs(t, err, paycoolssql.ErrEventNotFound)
		assert.True(t, strings.Contains(err.Error(), "WithInbox"))
	})
}
