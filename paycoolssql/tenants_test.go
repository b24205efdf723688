package paycoolssql_test

import (
	"context"
	"fmt"
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

// sharedStorage is one notification store and one ledger that several tenants share.
type sharedStorage struct {
	store  paycools.NotificationStore
	ledger paycools.Ledger
	books  func(appID string) paycools.Books // nil for the memory ledger, which keeps no books
}

// eachSharedStorage runs fn with a store and a ledger in SQLite, in PostgreSQL and in memory.
// The SQL store reads clk; the memory one cannot be given a clock, and nothing here waits for
// its lease or retention.
func eachSharedStorage(t *testing.T, clk *clock, fn func(t *testing.T, s sharedStorage)) {
	sql := func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		store, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("tn"), paycoolssql.WithClock(clk.Now), paycoolssql.WithInbox())
		require.NoError(t, err)
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, d.table("tl"))
		require.NoError(t, err)
		fn(t, sharedStorage{store: store, ledger: l, books: l.Books})
	}
	eachFlavor(t, sql)
	t.Run("memory", func(t *testing.T) {
		fn(t, sharedStorage{store: paycools.NewMemoryNotificationStore(24 * time.Hour), ledger: paycools.NewMemoryLedger()})
	})
}

// tenant is one merchant application: its own gateway, its client on the shared storage, and
// the callback handler that counts the runs of its function per transaction.
type tenant struct {
	srv  *paycoolstest.Server
	c    *paycools.Client
	mu   sync.Mutex
	runs map[string]int
}

func (tn *tenant) ran(txn string) int {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return tn.runs[txn]
}

// newTenant starts the gateway of appID on clk and its client on s; callbacks reach the
// client's NotificationHandler.
func newTenant(t *testing.T, appID string, clk *clock, s sharedStorage, opts ...paycools.Option) *tenant {
	tn := &tenant{runs: map[string]int{}}
	tn.srv = paycoolstest.New(t, paycoolstest.WithAppID(appID), paycoolstest.WithBalance(10_000_000), paycoolstest.WithClock(clk.Now))
	tn.c = tn.srv.Client(append([]paycools.Option{paycools.WithLedger(s.ledger), paycools.WithNotificationStore(s.store),
		paycools.WithClock(clk.Now)}, opts...)...)
	hook := httptest.NewServer(tn.c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		tn.mu.Lock()
		defer tn.mu.Unlock()
		tn.runs[n.Event.(*paycools.PayoutNotification).TransactionID]++
		return nil
	}))
	t.Cleanup(hook.Close)
	tn.srv.SetCallbackURL(hook.URL)
	return tn
}

// Two tenants in one store and ledger, with the same merchant order id and gateways that hand
// out the same transaction ids: both create their payout, both run their callback function
// once, a redelivery to each is acknowledged without running it again, and each one's ledger
// and books hold its own order only. Before the appId was part of the keys, the second create
// was refused ErrIntentOpen and the second callback was taken for the first one's duplicate.
func TestTenantsSameOrderAndTransactionIDs(t *testing.T) {
	clk := newClock()
	eachSharedStorage(t, clk, func(t *testing.T, s sharedStorage) {
		ctx := testCtx(t)
		a, b := newTenant(t, "tenantA", clk, s), newTenant(t, "tenantB", clk, s)
		const order = "SAMEORDER0001"
		txn := map[*tenant]string{}
		for _, tn := range []*tenant{a, b} {
			p, err := tn.c.Payouts.Create(ctx, payout(order, 50010))
			require.NoError(t, err, "each tenant creates its own payout of %s", order)
			txn[tn] = p.TransactionID
		}
		require.Equal(t, txn[a], txn[b], "the two gateways hand out the same transaction id")

		for _, tn := range []*tenant{a, b} {
			res, err := tn.srv.CompletePayout(order)
			require.NoError(t, err)
			require.True(t, res.Acknowledged(), "%s: %v", tn.c.AppID(), res.Err)
			assert.Equal(t, 1, tn.ran(txn[tn]), "%s ran its function", tn.c.AppID())
		}
		for _, tn := range []*tenant{a, b} {
			res, err := tn.srv.Redeliver(len(tn.srv.Callbacks()) - 1)
			require.NoError(t, err)
			require.True(t, res.Acknowledged())
			assert.Equal(t, 1, tn.ran(txn[tn]), "%s: the redelivery is its own duplicate", tn.c.AppID())
		}

		for _, tn := range []*tenant{a, b} {
			ins, err := s.ledger.Intents(ctx, tn.c.AppID(), paycools.OpPayoutCreate, order)
			require.NoError(t, err)
			require.Len(t, ins, 1, tn.c.AppID())
			assert.Equal(t, tn.c.AppID(), ins[0].AppID)
			assert.Equal(t, paycools.IntentCreated, ins[0].State)
			assert.Equal(t, "COMPLETED", ins[0].FinalStatus, "the callback finalized %s's own intent", tn.c.AppID())
			assert.EqualValues(t, 50010, ins[0].Amount)
		}
		if s.books == nil {
			return
		}
		day := clk.Now().In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02")
		for _, tn := range []*tenant{a, b} {
			var recs []paycools.BookRecord
			for rec, err := range s.books(tn.c.AppID()).Records(ctx, day) {
				require.NoError(t, err)
				recs = append(recs, rec)
			}
			require.Len(t, recs, 1, "%s's books hold its own order only", tn.c.AppID())
			rep, err := paycools.Reconcile(ctx, tn.c, day, s.books(tn.c.AppID()), paycools.ReconcileOptions{})
			require.NoError(t, err)
			assert.True(t, rep.OK(), "%s's books match its gateway: %+v", tn.c.AppID(), rep)
		}
	})
}

// One tenant's Recover and Sync claim, resolve and finalize its own intents only: the other
// tenant's open intent of the same order keeps its state and claim, and its unsettled order
// stays for its own Sync.
func TestTenantsRecoverAndSyncTheirOwn(t *testing.T) {
	clk := newClock()
	eachSharedStorage(t, clk, func(t *testing.T, s sharedStorage) {
		ctx := testCtx(t)
		a, b := newTenant(t, "tenantA", clk, s, paycools.WithSyncAfter(0)), newTenant(t, "tenantB", clk, s, paycools.WithSyncAfter(0))
		const open, settled = "CRASHED00001", "UNSETTLED001"
		for _, tn := range []*tenant{a, b} {
			// A crash between sending and writing the outcome: the gateway holds the payout, the
			// ledger an open intent whose claim has ended.
			_, err := tn.srv.Client().Payouts.Create(ctx, payout(open, 700))
			require.NoError(t, err)
			now := clk.Now()
			require.NoError(t, s.ledger.Record(ctx, &paycools.Intent{ID: "dead-" + tn.c.AppID(), AppID: tn.c.AppID(), Operation: paycools.OpPayoutCreate,
				MchOrderID: open, IdempotencyID: open, Amount: 700, Param: []byte(`{}`), State: paycools.IntentPending,
				ClaimToken: "dead", ClaimUntil: now, SentBy: now, CreatedAt: now, UpdatedAt: now}))
			// A created payout whose callback was missed (no callback URL yet): Sync's.
			_, err = tn.c.Payouts.Create(ctx, payout(settled, 800))
			require.NoError(t, err)
		}
		clk.Add(time.Second)

		rep, err := a.c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 1, "A's Recover claims A's intent only")
		assert.Equal(t, "tenantA", rep.Resolutions[0].Intent.AppID)
		assert.Equal(t, paycools.IntentCreated, rep.Resolutions[0].State)
		bOpen, err := s.ledger.Intents(ctx, "tenantB", paycools.OpPayoutCreate, open)
		require.NoError(t, err)
		require.Len(t, bOpen, 1)
		assert.Equal(t, paycools.IntentPending, bOpen[0].State, "B's open intent is left alone")
		assert.Equal(t, "dead", bOpen[0].ClaimToken, "and unclaimed by A")

		synced := 0
		srep, err := a.c.Sync(ctx, func(_ context.Context, n *paycools.Notification) error {
			synced++
			assert.Equal(t, "tenantA", n.AppID, "a synced event names the tenant that asked")
			return nil
		})
		require.NoError(t, err)
		for _, o := range srep.Orders {
			assert.Equal(t, "tenantA", o.Intent.AppID, "A's Sync claims A's orders only")
		}
		assert.NotEmpty(t, srep.Orders)
		bUnsettled, err := s.ledger.Intents(ctx, "tenantB", paycools.OpPayoutCreate, settled)
		require.NoError(t, err)
		require.Len(t, bUnsettled, 1)
		assert.Empty(t, bUnsettled[0].FinalStatus, "B's order is not finalized by A's Sync")
		assert.Empty(t, bUnsettled[0].ClaimToken, "nor claimed by it")

		rep, err = b.c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 1, "B's Recover then resolves B's intent")
		assert.Equal(t, "tenantB", rep.Resolutions[0].Intent.AppID)
	})
}

// Replicas of two tenants race on the same order id and the same event key: per tenant,
// exactly one Record and one Claim win, whichever replica runs first.
func TestTenantsRacingReplicas(t *testing.T) {
	clk := newClock()
	eachSharedStorage(t, clk, func(t *testing.T, s sharedStorage) {
		ctx := testCtx(t)
		const replicas = 8
		var recorded, claimed [2]atomic.Int32
		var wg sync.WaitGroup
		for r := 0; r < replicas; r++ {
			for i, app := range []string{"tenantA", "tenantB"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					now := clk.Now()
					err := s.ledger.Record(ctx, &paycools.Intent{ID: fmt.Sprintf("race-%s-%d", app, r), AppID: app, Operation: paycools.OpPayoutCreate,
						MchOrderID: "RACE00000001", Param: []byte(`{}`), State: paycools.IntentPending, ClaimToken: "t", ClaimUntil: now.Add(time.Minute),
						CreatedAt: now, UpdatedAt: now})
					if err == nil {
						recorded[i].Add(1)
					} else {
						assert.ErrorIs(t, err, paycools.ErrIntentOpen)
					}
					cl, err := s.store.Claim(ctx, app, "disbursement.success:transactionId=T1:COMPLETED")
					if assert.NoError(t, err) && cl.State == paycools.NotificationStateNew {
						claimed[i].Add(1)
					}
				}()
			}
		}
		wg.Wait()
		for i := range recorded {
			assert.EqualValues(t, 1, recorded[i].Load(), "tenant %d: one intent of the order", i)
			assert.EqualValues(t, 1, claimed[i].Load(), "tenant %d: one claim of the event", i)
		}
	})
}

// A Finish whose commit's answer is lost (the database restarted after writing) for tenant A,
// then redeliveries of the same event key to A and to B: A's is acknowledged without running
// its function again, and B's, whose first delivery it is, runs B's function once. One
// tenant's stored outcome is never the other's.
func TestTenantsFinishAnswerLost(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		merchant, platform := testKeys(t)
		clk := newClock()
		sqlStore, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("tf"), paycoolssql.WithClock(clk.Now),
			paycoolssql.WithLease(time.Minute))
		require.NoError(t, err)
		flaky := &flakyFinish{NotificationStore: sqlStore, afterCommit: true}
		handler := func(app string, store paycools.NotificationStore, runs *atomic.Int32) func() int {
			c, err := paycools.NewClient(app, merchant, paycools.WithPlatformPublicKey(&platform.PublicKey),
				paycools.WithNotificationStore(store), paycools.WithClock(clk.Now))
			require.NoError(t, err)
			h := c.NotificationHandler(func(context.Context, *paycools.Notification) error { runs.Add(1); return nil })
			body := callbackBody(t, platform, `{"eventName":"disbursement.success","transactionId":"DT1","transactionStatus":"COMPLETED"}`)
			return func() int { code, _ := post(h, body); return code }
		}
		var runsA, runsB atomic.Int32
		deliverA, deliverB := handler("tenantA", flaky, &runsA), handler("tenantB", sqlStore, &runsB)
		flaky.fails.Store(1)
		require.Equal(t, 200, deliverA())
		clk.Add(2 * time.Minute) // past the lease: only a recorded finish keeps A's event done
		require.Equal(t, 200, deliverA())
		assert.EqualValues(t, 1, runsA.Load(), "A's function ran once")
		const key = "disbursement.success:transactionId=DT1:COMPLETED"
		keys, err := sqlStore.HandledKeys(ctx, "tenantA")
		require.NoError(t, err)
		assert.Equal(t, []string{key}, keys)
		keys, err = sqlStore.HandledKeys(ctx, "tenantB")
		require.NoError(t, err)
		assert.Empty(t, keys, "A's handled event is not listed as B's (B's Sync would miss B's collection)")
		require.Equal(t, 200, deliverB())
		require.Equal(t, 200, deliverB())
		assert.EqualValues(t, 1, runsB.Load(), "B's function ran once, its own event")
	})
}
