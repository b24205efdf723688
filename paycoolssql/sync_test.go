package paycoolssql_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// syncRig is what the Sync tests share: one fake clock given to the gateway, the clients and
// the store, a ledger and a notification store.
type syncRig struct {
	clk   *clock
	l     paycools.Ledger
	store paycools.NotificationStore
}

// eachSyncRig runs fn with a MemoryLedger and with the SQL ledger in SQLite and PostgreSQL
// (the notification store is SQL in all three, with the rig's clock), in both dialects.
func eachSyncRig(t *testing.T, fn func(t *testing.T, r syncRig, dialect paycools.Dialect)) {
	run := func(t *testing.T, d testDB, memory bool) {
		for _, dialect := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
			t.Run(dialect.String(), func(t *testing.T) {
				ctx := testCtx(t)
				clk := newClock()
				s, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("syncn"), paycoolssql.WithClock(clk.Now))
				require.NoError(t, err)
				var l paycools.Ledger = paycools.NewMemoryLedger()
				if !memory {
					l, err = paycoolssql.NewLedger(ctx, d.db, d.flavor, d.table("syncl"))
					require.NoError(t, err)
				}
				fn(t, syncRig{clk: clk, l: l, store: s}, dialect)
			})
		}
	}
	t.Run("memory", func(t *testing.T) { run(t, openSQLite(t), true) })
	eachFlavor(t, func(t *testing.T, d testDB) { run(t, d, false) })
}

// gateway is the fake gateway of the rig, in dialect, with no callback URL set.
func (r syncRig) gateway(t *testing.T, dialect paycools.Dialect) *paycoolstest.Server {
	srv := paycoolstest.NewServer(paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(10_000_000), paycoolstest.WithClock(r.clk.Now), paycoolstest.WithDialect(dialect))
	t.Cleanup(srv.Close)
	return srv
}

// client is a client of srv on the rig's ledger and store.
func (r syncRig) client(srv *paycoolstest.Server, opts ...paycools.Option) *paycools.Client {
	base := []paycools.Option{paycools.WithLedger(r.l), paycools.WithNotificationStore(r.store), paycools.WithRetries(0)}
	return srv.Client(append(base, opts...)...)
}

// recorder is the merchant's function: it counts the notifications per event key.
type recorder struct {
	mu   sync.Mutex
	got  []*paycools.Notification
	fail atomic.Int32 // fail the next n calls
}

func (rc *recorder) fn(_ context.Context, n *paycools.Notification) error {
	if rc.fail.Load() > 0 {
		rc.fail.Add(-1)
		return errors.New("merchant database down")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, n)
	return nil
}

func (rc *recorder) all() []*paycools.Notification {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*paycools.Notification(nil), rc.got...)
}

func countOps(s *paycoolstest.Server, op paycools.Operation) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

func intentOf(t *testing.T, l paycools.Ledger, op paycools.Operation, order string) paycools.Intent {
	t.Helper()
	got, err := l.Intents(context.Background(), testApp, op, order)
	require.NoError(t, err)
	require.Len(t, got, 1)
	return got[0]
}

// A completed payout whose callback never arrived is delivered by Sync to fn exactly once,
// Synced; the ledger then holds its final state and Sync never asks again; the late real
// callback is acknowledged without running fn.
func TestSyncDeliversMissedPayoutCallbackOnce(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(time.Minute))
		var rec recorder
		hs := httptest.NewServer(c.NotificationHandler(rec.fn))
		t.Cleanup(hs.Close)

		p, err := c.Payouts.Create(ctx, payout("SYNCPAYOUT01", 50010))
		require.NoError(t, err)
		cb, err := srv.CompletePayout("SYNCPAYOUT01")
		require.NoError(t, err)
		require.ErrorIs(t, cb.Err, paycoolstest.ErrNoCallbackURL, "the callback is missed")

		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		assert.Empty(t, rep.Orders, "an order younger than WithSyncAfter is left alone")
		assert.Zero(t, countOps(srv, paycools.OpPayoutGet))

		r.clk.Add(2 * time.Minute)
		rep, err = c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		o := rep.Orders[0]
		assert.Equal(t, paycools.SyncOutcomeDelivered, o.Outcome, "%v", o.Err)
		assert.Equal(t, "COMPLETED", o.Status)
		assert.Equal(t, 2*time.Minute, o.Age)
		got := rec.all()
		require.Len(t, got, 1)
		n := got[0]
		assert.True(t, n.Synced)
		assert.Equal(t, testApp, n.AppID, "a synced event names the client that asked, as a verified callback does")
		assert.Equal(t, paycools.EventDisbursementSuccess, n.EventName)
		ev, ok := n.Event.(*paycools.PayoutNotification)
		require.True(t, ok, "%T", n.Event)
		assert.Equal(t, p.TransactionID, ev.TransactionID)
		assert.Equal(t, "SYNCPAYOUT01", ev.MchOrderID)
		assert.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)
		assert.EqualValues(t, 50010, ev.Amount)

		in := intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCPAYOUT01")
		assert.Equal(t, "COMPLETED", in.FinalStatus)
		assert.EqualValues(t, 50010, in.FinalAmount)
		assert.Equal(t, r.clk.Now().UnixMilli(), in.FinalAt.UnixMilli())

		gets := countOps(srv, paycools.OpPayoutGet)
		rep, err = c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		assert.Empty(t, rep.Orders, "a final order is never asked about again")
		assert.Equal(t, gets, countOps(srv, paycools.OpPayoutGet))

		// The real callback arrives late: acknowledged, fn not run again.
		srv.SetCallbackURL(hs.URL)
		late, err := srv.Redeliver(len(srv.Callbacks()) - 1)
		require.NoError(t, err)
		assert.True(t, late.Acknowledged(), "%+v", late)
		assert.Len(t, rec.all(), 1, "fn ran once")
	})
}

// The reverse order: the callback comes first and runs fn; it records the final state, so
// Sync does not ask. And when recording it failed (the ledger said nothing), Sync finds the
// event handled in the store and does not run fn again.
func TestSyncAfterCallbackRunsFnOnce(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		var rec recorder
		hs := httptest.NewServer(c.NotificationHandler(rec.fn))
		t.Cleanup(hs.Close)
		srv.SetCallbackURL(hs.URL)

		_, err := c.Payouts.Create(ctx, payout("SYNCREVERSE1", 700))
		require.NoError(t, err)
		cb, err := srv.FailPayout("SYNCREVERSE1", paycools.FailedCodeChannelRejected, "rejected")
		require.NoError(t, err)
		require.True(t, cb.Acknowledged(), "%+v", cb)
		require.Len(t, rec.all(), 1)
		assert.False(t, rec.all()[0].Synced)
		in := intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCREVERSE1")
		assert.Equal(t, "FAILED", in.FinalStatus, "a handled callback settles the order's final state")
		assert.EqualValues(t, 700, in.FinalAmount)

		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		assert.Empty(t, rep.Orders)
		assert.Zero(t, countOps(srv, paycools.OpPayoutGet))

		// A second payout whose callback ran fn on another client, one without the ledger (as
		// when the ledger write after fn failed): Sync asks, finds it handled, and settles it.
		other := srv.Client(paycools.WithNotificationStore(r.store), paycools.WithRetries(0))
		hs2 := httptest.NewServer(other.NotificationHandler(rec.fn))
		t.Cleanup(hs2.Close)
		srv.SetCallbackURL(hs2.URL)
		_, err = c.Payouts.Create(ctx, payout("SYNCREVERSE2", 800))
		require.NoError(t, err)
		cb, err = srv.CompletePayout("SYNCREVERSE2")
		require.NoError(t, err)
		require.True(t, cb.Acknowledged(), "%+v", cb)
		require.Len(t, rec.all(), 2)
		assert.Empty(t, intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCREVERSE2").FinalStatus)

		rep, err = c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeHandledBefore, rep.Orders[0].Outcome, "%v", rep.Orders[0].Err)
		assert.Len(t, rec.all(), 2, "fn did not run again")
		assert.Equal(t, "COMPLETED", intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCREVERSE2").FinalStatus)
	})
}

// A failing fn leaves the order for the next Sync, which runs fn again.
func TestSyncRetriesAFailingFunction(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		var rec recorder
		_, err := c.Payouts.Create(ctx, payout("SYNCFAIL0001", 900))
		require.NoError(t, err)
		_, err = srv.CompletePayout("SYNCFAIL0001")
		require.NoError(t, err)

		rec.fail.Store(1)
		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeFailed, rep.Orders[0].Outcome)
		require.Error(t, rep.Orders[0].Err)
		assert.Contains(t, rep.Orders[0].Err.Error(), "merchant database down")
		assert.Len(t, rep.Unsettled(), 1)
		assert.Empty(t, rec.all())
		assert.Empty(t, intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCFAIL0001").FinalStatus)

		rep, err = c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1, "the next Sync takes the order at once")
		assert.Equal(t, paycools.SyncOutcomeDelivered, rep.Orders[0].Outcome, "%v", rep.Orders[0].Err)
		assert.Len(t, rec.all(), 1)
		assert.Equal(t, "COMPLETED", intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCFAIL0001").FinalStatus)
	})
}

// Two replicas syncing at once deliver each order once.
func TestSyncReplicasDeliverEachOrderOnce(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		a, b := r.client(srv, paycools.WithSyncAfter(0)), r.client(srv, paycools.WithSyncAfter(0))
		const orders = 12
		for i := range orders {
			id := fmt.Sprintf("SYNCREPLICA%02d", i)
			_, err := a.Payouts.Create(ctx, payout(id, paycools.Amount(1000+i)))
			require.NoError(t, err)
			_, err = srv.CompletePayout(id)
			require.NoError(t, err)
		}
		var rec recorder
		var wg sync.WaitGroup
		reps := make([]*paycools.SyncReport, 2)
		for i, c := range []*paycools.Client{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := c.Sync(ctx, rec.fn)
				assert.NoError(t, err)
				reps[i] = rep
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, n := range rec.all() {
			seen[n.Event.(*paycools.PayoutNotification).MchOrderID]++
		}
		require.Len(t, seen, orders)
		for id, k := range seen {
			assert.Equal(t, 1, k, id)
		}
		delivered := 0
		for _, rep := range reps {
			for _, o := range rep.Orders {
				if o.Outcome == paycools.SyncOutcomeDelivered {
					delivered++
				}
			}
		}
		assert.Equal(t, orders, delivered)
	})
}

// switchable is a callback endpoint that fails (500, PayCools delivers again) while down.
type switchable struct {
	down atomic.Bool
	h    http.Handler
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		http.Error(w, "deploy in progress", http.StatusInternalServerError)
		return
	}
	s.h.ServeHTTP(w, r)
}

// Web payments, checkouts and refunds whose callbacks failed are delivered by Sync with their
// families' events, and the callbacks redelivered after the fix are acknowledged without
// running fn again.
func TestSyncDeliversEachFamily(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		var rec recorder
		sw := &switchable{h: c.NotificationHandler(rec.fn)}
		sw.down.Store(true)
		hs := httptest.NewServer(sw)
		t.Cleanup(hs.Close)

		wp, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
			MchOrderID: "SYNCWEB01", Amount: 50000, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
			ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
			CustomerName: "user01", Email: "user@example.com", Mobile: "09123456789", TerminalType: paycools.TerminalTypeWeb,
			NotifyURL: hs.URL, RedirectURL: "https://merchant.example/back",
		})
		require.NoError(t, err)
		cb, err := srv.CompleteWebPayment("SYNCWEB01")
		require.NoError(t, err)
		require.False(t, cb.Acknowledged())
		_, err = c.Checkout.Create(ctx, &paycools.CheckoutCreateParams{
			MchOrderID: "SYNCCO01", CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP, SettlementCurrency: paycools.CurrencyPHP,
			ChannelCodeList: []string{"PH_GCASH_QR"}, Amount: 40000, CustomerName: "Juan Dela Cruz",
			Email: "juan@example.com", Mobile: "09171234567", ExpireSeconds: 3600,
			NotifyURL: hs.URL, RedirectURL: "https://merchant.example/o/SYNCCO01",
		})
		require.NoError(t, err)
		_, err = srv.PayCheckout("SYNCCO01")
		require.NoError(t, err)
		_, err = c.Refunds.Create(ctx, &paycools.RefundCreateParams{MchRefundOrderID: "SYNCRF01", OriginalTransactionID: wp.TransactionID,
			RefundAmount: 20000, RefundReason: "size", RefundCallbackURL: hs.URL})
		require.NoError(t, err)
		_, err = srv.CompleteRefund("SYNCRF01")
		require.NoError(t, err)
		failed := srv.Callbacks()
		require.Len(t, failed, 3)

		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 3)
		for _, o := range rep.Orders {
			assert.Equal(t, paycools.SyncOutcomeDelivered, o.Outcome, "%s: %v", o.Intent.MchOrderID, o.Err)
		}
		events := map[string]string{}
		for _, n := range rec.all() {
			assert.True(t, n.Synced)
			switch ev := n.Event.(type) {
			case *paycools.WebPaymentNotification:
				events[ev.MchOrderID] = n.EventName + " " + string(ev.TransactionStatus) + " " + ev.Amount.String()
			case *paycools.CheckoutNotification:
				events[ev.MchOrderID] = n.EventName + " " + string(ev.TransactionStatus) + " " + ev.Amount.String()
			case *paycools.RefundNotification:
				events[ev.MchRefundOrderID] = n.EventName + " " + string(ev.RefundStatus) + " " + ev.RefundAmount.String()
			default:
				t.Errorf("unexpected event %T", n.Event)
			}
		}
		assert.Equal(t, map[string]string{
			"SYNCWEB01": paycools.EventH5PaymentSuccess + " COMPLETED 500.00",
			"SYNCCO01":  paycools.EventCheckoutPaymentSuccess + " COMPLETED 400.00",
			"SYNCRF01":  paycools.EventRefundSuccess + " COMPLETE 200.00",
		}, events)
		for op, order := range map[paycools.Operation]string{paycools.OpWebPaymentCreate: "SYNCWEB01", paycools.OpCheckoutCreate: "SYNCCO01", paycools.OpRefundCreate: "SYNCRF01"} {
			assert.NotEmpty(t, intentOf(t, r.l, op, order).FinalStatus, order)
		}

		// The endpoint is fixed and PayCools delivers again: acknowledged, fn not run again.
		sw.down.Store(false)
		for i := range failed {
			again, err := srv.Redeliver(i)
			require.NoError(t, err)
			assert.True(t, again.Acknowledged(), "%s: %+v", again.EventName, again)
		}
		assert.Len(t, rec.all(), 3)
	})
}

// A direct-debit charge still processing when CreatePayment returns reaches fn through Sync
// once it completes: Sync keeps asking, with growing waits, and a charge that stays pending is
// reported open only after more than one minute of asking.
func TestSyncWaitsForDirectDebitCharges(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		var waits []time.Duration
		var completed bool
		wait := func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			r.clk.Add(d)
			if !completed && r.clk.Now().Sub(newClock().Now()) > 20*time.Second {
				completed = true
				cb, err := srv.CompleteDirectDebitPayment("SYNCDD01")
				require.NoError(t, err)
				require.False(t, cb.Acknowledged(), "the charge's notification is lost")
			}
			return ctx.Err()
		}
		c := r.client(srv, paycools.WithSyncAfter(0), paycools.WithSyncWait(wait))
		var rec recorder
		sw := &switchable{h: c.NotificationHandler(rec.fn)}
		sw.down.Store(true)
		hs := httptest.NewServer(sw)
		t.Cleanup(hs.Close)
		_, err := c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{
			RequestID: "SYNCAUTH1", UserID: "u1", ChannelCode: paycools.DirectDebitChannelCodeGCash, CountryCode: "PH",
			TerminalType: "WEB", NotifyURL: "http://127.0.0.1:1/unused", RedirectURL: "https://merchant.example/back",
		})
		require.NoError(t, err)
		_, err = srv.ApproveAuthorization("SYNCAUTH1")
		require.NoError(t, err)
		for _, id := range []string{"SYNCDD01", "SYNCDD02"} {
			pay, err := c.DirectDebit.CreatePayment(ctx, &paycools.DirectDebitPaymentCreateParams{
				MchOrderID: id, Amount: 777, ChannelCode: paycools.DirectDebitChannelCodeGCash,
				PayToken: srv.PayToken("SYNCAUTH1"), NotifyURL: hs.URL,
			})
			require.NoError(t, err)
			require.False(t, pay.TransactionStatus.Final())
		}

		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 2)
		assert.Equal(t, paycools.SyncOutcomeDelivered, rep.Orders[0].Outcome, "%v", rep.Orders[0].Err)
		assert.Equal(t, "SYNCDD01", rep.Orders[0].Intent.MchOrderID)
		got := rec.all()
		require.Len(t, got, 1)
		ev, ok := got[0].Event.(*paycools.DirectDebitPaymentNotification)
		require.True(t, ok, "%T", got[0].Event)
		assert.True(t, got[0].Synced)
		assert.Equal(t, paycools.EventDirectDebitSuccess, got[0].EventName)
		assert.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)
		assert.EqualValues(t, 777, ev.Amount)
		assert.Equal(t, "COMPLETED", intentOf(t, r.l, paycools.OpDirectDebitCreatePayment, "SYNCDD01").FinalStatus)

		stuck := rep.Orders[1]
		assert.Equal(t, paycools.SyncOutcomeOpen, stuck.Outcome, "%v", stuck.Err)
		assert.Equal(t, "PENDING", stuck.Status)
		assert.Greater(t, stuck.Age, time.Minute, "asked for more than one minute before being reported")
		// Each charge's waits start at the poll minimum and grow: one reset, between the two.
		resets := 0
		for i := 1; i < len(waits); i++ {
			if waits[i] < waits[i-1] {
				resets++
				assert.Equal(t, waits[0], waits[i], "the second charge's backoff starts afresh")
			}
		}
		assert.Equal(t, 1, resets, "%v", waits)
		assert.Greater(t, waits[len(waits)-1], waits[0], "backoff: the waits grow")
		assert.Empty(t, intentOf(t, r.l, paycools.OpDirectDebitCreatePayment, "SYNCDD02").FinalStatus)

		// The endpoint is back and PayCools delivers the charge's callback again: acknowledged
		// without running fn.
		sw.down.Store(false)
		cbs := srv.Callbacks()
		again, err := srv.Redeliver(len(cbs) - 1)
		require.NoError(t, err)
		require.Contains(t, string(again.Param), "SYNCDD01")
		assert.True(t, again.Acknowledged(), "%+v", again)
		assert.Len(t, rec.all(), 1)

		// Past the patience, the next Sync asks once and reports it, without waiting.
		n := len(waits)
		rep, err = c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeOpen, rep.Orders[0].Outcome)
		assert.Equal(t, n, len(waits))
	})
}

// A PH web payment whose create answer was lost (it cannot be looked up by merchant order id
// in the PH dialect) is settled by its callback: created, and final once fn ran. Sync then
// has nothing to ask.
func TestSyncPHWebPaymentSettledByCallback(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		if dialect != paycools.DialectPH {
			t.Skip("the open-api dialect looks the web payment up in the create itself")
		}
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		var rec recorder
		hs := httptest.NewServer(c.NotificationHandler(rec.fn))
		t.Cleanup(hs.Close)

		srv.InjectFault(paycools.OpWebPaymentCreate, paycoolstest.Fault{DropAfterAction: true})
		_, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
			MchOrderID: "SYNCPHWEB1", Amount: 50000, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
			ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
			CustomerName: "user01", Email: "user@example.com", Mobile: "09123456789", TerminalType: paycools.TerminalTypeWeb,
			NotifyURL: hs.URL, RedirectURL: "https://merchant.example/back",
		})
		require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
		in := intentOf(t, r.l, paycools.OpWebPaymentCreate, "SYNCPHWEB1")
		require.Equal(t, paycools.IntentUnknown, in.State)

		cb, err := srv.CompleteWebPayment("SYNCPHWEB1")
		require.NoError(t, err)
		require.True(t, cb.Acknowledged(), "%+v", cb)
		require.Len(t, rec.all(), 1)
		ev := rec.all()[0].Event.(*paycools.WebPaymentNotification)
		in = intentOf(t, r.l, paycools.OpWebPaymentCreate, "SYNCPHWEB1")
		assert.Equal(t, paycools.IntentCreated, in.State)
		assert.Equal(t, ev.TransactionID, in.TransactionID)
		assert.Equal(t, "COMPLETED", in.FinalStatus)
		assert.EqualValues(t, 50000, in.FinalAmount)

		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		assert.Empty(t, rep.Orders)
		rrep, err := c.Recover(ctx)
		require.NoError(t, err)
		assert.Empty(t, rrep.Resolutions)
	})
}

// flakyFinalize is a ledger whose Finalize fails while fail is positive: the database fails
// after the merchant's function ran.
type flakyFinalize struct {
	paycools.Ledger
	fail atomic.Int32
}

func (f *flakyFinalize) Finalize(ctx context.Context, id string, fin paycools.OrderFinal) error {
	if f.fail.Load() > 0 {
		f.fail.Add(-1)
		return errors.New("connection reset by peer")
	}
	return f.Ledger.Finalize(ctx, id, fin)
}

// The ledger fails after fn ran: Sync reports the order, and the next Sync finds the event
// handled in the store, does not run fn again, and records the final state. Sync honours ctx,
// and refuses a nil function before anything is asked.
func TestSyncLedgerFailsAfterTheFunctionRan(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		flaky := &flakyFinalize{Ledger: r.l}
		c := srv.Client(paycools.WithLedger(flaky), paycools.WithNotificationStore(r.store), paycools.WithRetries(0), paycools.WithSyncAfter(0))
		_, err := c.Payouts.Create(ctx, payout("SYNCFLAKY001", 300))
		require.NoError(t, err)
		_, err = srv.CompletePayout("SYNCFLAKY001")
		require.NoError(t, err)

		_, err = c.Sync(ctx, nil)
		var ve *paycools.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Contains(t, err.Error(), "fn")
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = c.Sync(cancelled, func(context.Context, *paycools.Notification) error { return nil })
		require.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, countOps(srv, paycools.OpPayoutGet), "nothing asked")

		var rec recorder
		flaky.fail.Store(1)
		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeFailed, rep.Orders[0].Outcome)
		assert.ErrorContains(t, rep.Orders[0].Err, "connection reset by peer")
		assert.Len(t, rec.all(), 1, "fn ran")

		rep, err = c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeHandledBefore, rep.Orders[0].Outcome, "%v", rep.Orders[0].Err)
		assert.Len(t, rec.all(), 1, "fn did not run again")
		assert.Equal(t, "COMPLETED", intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCFLAKY001").FinalStatus)

		_, err = srv.Client(paycools.WithRetries(0)).Sync(ctx, rec.fn)
		require.ErrorIs(t, err, paycools.ErrNoLedger)
	})
}

// ClaimUnsettled from a cursor, as Sync calls it, batch after batch: every unsettled intent
// is claimed once, also when many share one millisecond across batches; settled, open and
// too young intents are not claimed; a claim that ended is taken again, and Finalize keeps
// the first final state.
func TestLedgerClaimUnsettledFromCursor(t *testing.T) {
	eachLedger(t, func(t *testing.T, l paycools.Ledger) {
		ctx := testCtx(t)
		t0 := time.UnixMilli(1_800_000_000_000)
		created := func(id string, at time.Time) {
			in := intent(id, "O"+id, at)
			require.NoError(t, l.Record(ctx, in))
			require.NoError(t, l.Resolve(ctx, id, paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "DU" + id, At: at}))
		}
		want := map[string]bool{}
		for i := range 130 { // one millisecond for 130 intents, more than a batch
			id := fmt.Sprintf("same%03d", i)
			created(id, t0)
			want[id] = true
		}
		for i := range 40 {
			id := fmt.Sprintf("later%03d", i)
			created(id, t0.Add(time.Duration(i)*time.Millisecond))
			want[id] = true
		}
		created("settled", t0)
		require.NoError(t, l.Finalize(ctx, "settled", paycools.OrderFinal{Status: "COMPLETED", Amount: 50010, At: t0}))
		require.NoError(t, l.Record(ctx, intent("open", "Oopen", t0))) // pending: Recover's
		created("young", t0.Add(time.Hour))

		now := t0.Add(time.Minute)
		got := map[string]int{}
		var from time.Time
		for {
			batch, err := l.ClaimUnsettled(ctx, testApp, "sync1", now, now.Add(time.Minute), from, now, 50)
			require.NoError(t, err)
			if len(batch) == 0 {
				break
			}
			for i, in := range batch {
				got[in.ID]++
				if i > 0 {
					assert.False(t, in.CreatedAt.Before(batch[i-1].CreatedAt), "oldest first")
				}
			}
			from = batch[len(batch)-1].CreatedAt
		}
		assert.Len(t, got, len(want))
		for id := range want {
			assert.Equal(t, 1, got[id], id)
		}

		// Another replica meanwhile gets nothing; once the claims end, it gets them again.
		none, err := l.ClaimUnsettled(ctx, testApp, "sync2", now, now.Add(time.Minute), time.Time{}, now, 500)
		require.NoError(t, err)
		assert.Empty(t, none)
		require.NoError(t, l.Unclaim(ctx, "same000", "sync1"))
		require.NoError(t, l.Unclaim(ctx, "same001", "not-the-token"))
		one, err := l.ClaimUnsettled(ctx, testApp, "sync2", now, now.Add(time.Minute), time.Time{}, now, 500)
		require.NoError(t, err)
		require.Len(t, one, 1)
		assert.Equal(t, "same000", one[0].ID)
		again, err := l.ClaimUnsettled(ctx, testApp, "sync3", now.Add(2*time.Minute), now.Add(3*time.Minute), time.Time{}, now, 500)
		require.NoError(t, err)
		assert.Len(t, again, len(want))

		require.NoError(t, l.Finalize(ctx, "same000", paycools.OrderFinal{Status: "FAILED", Amount: 50010, At: now}))
		require.NoError(t, l.Finalize(ctx, "same000", paycools.OrderFinal{Status: "COMPLETED", Amount: 1, At: now}))
		in, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "Osame000")
		require.NoError(t, err)
		assert.Equal(t, "FAILED", in[0].FinalStatus, "the first final state stays")
		assert.EqualValues(t, 50010, in[0].FinalAmount)
		assert.Empty(t, in[0].ClaimToken)
		require.NoError(t, l.Finalize(ctx, "open", paycools.OrderFinal{Status: "COMPLETED", At: now}))
		in, err = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "Oopen")
		require.NoError(t, err)
		assert.Empty(t, in[0].FinalStatus, "only an order PayCools holds has a final state")
	})
}

// ClaimOpen from a cursor, as Recover calls it: every open intent is claimed once, also when
// many share one millisecond across batches.
func TestLedgerClaimOpenFromCursor(t *testing.T) {
	eachLedger(t, func(t *testing.T, l paycools.Ledger) {
		ctx := testCtx(t)
		t0 := time.UnixMilli(1_800_000_000_000)
		for i := range 130 {
			at := t0
			if i >= 100 {
				at = t0.Add(time.Duration(i) * time.Millisecond)
			}
			require.NoError(t, l.Record(ctx, intent(fmt.Sprintf("open%03d", i), fmt.Sprintf("OPEN%03d", i), at)))
		}
		now := t0.Add(time.Hour)
		got := map[string]int{}
		var from time.Time
		for {
			batch, err := l.ClaimOpen(ctx, testApp, "rec", now, now.Add(time.Minute), from, 40)
			require.NoError(t, err)
			if len(batch) == 0 {
				break
			}
			for _, in := range batch {
				got[in.ID]++
			}
			from = batch[len(batch)-1].CreatedAt
		}
		require.Len(t, got, 130)
		for id, n := range got {
			assert.Equal(t, 1, n, id)
		}
	})
}

// A callback whose function fails records no final state (the order is not handled): when
// PayCools stops delivering it, Sync delivers the order, and the function runs until it
// succeeds, once.
func TestSyncAfterAFailedCallback(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		var rec recorder
		hs := httptest.NewServer(c.NotificationHandler(rec.fn))
		t.Cleanup(hs.Close)
		srv.SetCallbackURL(hs.URL)
		_, err := c.Payouts.Create(ctx, payout("SYNCCBFAIL01", 600))
		require.NoError(t, err)
		rec.fail.Store(1)
		cb, err := srv.CompletePayout("SYNCCBFAIL01")
		require.NoError(t, err)
		require.False(t, cb.Acknowledged(), "the function failed: 500")
		assert.Empty(t, intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCCBFAIL01").FinalStatus, "not handled, not final")

		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeDelivered, rep.Orders[0].Outcome, "%v", rep.Orders[0].Err)
		require.Len(t, rec.all(), 1)
		assert.True(t, rec.all()[0].Synced)
		assert.Equal(t, "COMPLETED", intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCCBFAIL01").FinalStatus)
		again, err := srv.Redeliver(0)
		require.NoError(t, err)
		assert.True(t, again.Acknowledged())
		assert.Len(t, rec.all(), 1)
	})
}

// While a delivery of the callback is running the function, Sync does not run it: it reports
// the order in flight, and the delivery records the final state.
func TestSyncWhileTheCallbackRuns(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		entered, release := make(chan struct{}), make(chan struct{})
		var runs atomic.Int32
		slow := func(ctx context.Context, n *paycools.Notification) error {
			if runs.Add(1) == 1 {
				close(entered)
				<-release
			}
			return nil
		}
		hs := httptest.NewServer(c.NotificationHandler(slow))
		t.Cleanup(hs.Close)
		srv.SetCallbackURL(hs.URL)
		_, err := c.Payouts.Create(ctx, payout("SYNCINFLIGHT", 400))
		require.NoError(t, err)
		done := make(chan *paycoolstest.CallbackResult, 1)
		go func() {
			cb, err := srv.CompletePayout("SYNCINFLIGHT")
			assert.NoError(t, err)
			done <- cb
		}()
		<-entered

		rep, err := c.Sync(ctx, slow)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, paycools.SyncOutcomeInFlight, rep.Orders[0].Outcome, "%v", rep.Orders[0].Err)
		close(release)
		cb := <-done
		assert.True(t, cb.Acknowledged(), "%+v", cb)
		assert.EqualValues(t, 1, runs.Load())
		assert.Equal(t, "COMPLETED", intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCINFLIGHT").FinalStatus)
		rep, err = c.Sync(ctx, slow)
		require.NoError(t, err)
		assert.Empty(t, rep.Orders)
	})
}

// Orders older than WithSyncWindow are left alone: the store may have forgotten that their
// callback was handled (and a ledger written before final states existed holds its whole
// history as not final), so Sync must not run the function for them again.
func TestSyncWindow(t *testing.T) {
	eachSyncRig(t, func(t *testing.T, r syncRig, dialect paycools.Dialect) {
		ctx := testCtx(t)
		srv := r.gateway(t, dialect)
		c := r.client(srv, paycools.WithSyncAfter(0))
		_, err := c.Payouts.Create(ctx, payout("SYNCOLD00001", 500))
		require.NoError(t, err)
		_, err = srv.CompletePayout("SYNCOLD00001")
		require.NoError(t, err)
		r.clk.Add(paycools.DefaultSyncWindow + time.Minute)
		_, err = c.Payouts.Create(ctx, payout("SYNCNEW00001", 500))
		require.NoError(t, err)
		_, err = srv.CompletePayout("SYNCNEW00001")
		require.NoError(t, err)

		var rec recorder
		rep, err := c.Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1)
		assert.Equal(t, "SYNCNEW00001", rep.Orders[0].Intent.MchOrderID)
		assert.Empty(t, intentOf(t, r.l, paycools.OpPayoutCreate, "SYNCOLD00001").FinalStatus)

		rep, err = r.client(srv, paycools.WithSyncAfter(0), paycools.WithSyncWindow(0)).Sync(ctx, rec.fn)
		require.NoError(t, err)
		require.Len(t, rep.Orders, 1, "no window: the old order too")
		assert.Equal(t, "SYNCOLD00001", rep.Orders[0].Intent.MchOrderID)
		assert.Panics(t, func() { srv.Client(paycools.WithSyncWindow(-time.Second)) }, "a negative window is refused")
	})
}
