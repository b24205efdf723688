package paycoolssql_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// eachLedger runs fn on a MemoryLedger and on the SQL ledger in SQLite and PostgreSQL: the
// guarantees are the same in all three.
func eachLedger(t *testing.T, fn func(t *testing.T, l paycools.Ledger)) {
	t.Run("memory", func(t *testing.T) { fn(t, paycools.NewMemoryLedger()) })
	eachFlavor(t, func(t *testing.T, d testDB) {
		l, err := paycoolssql.NewLedger(testCtx(t), d.db, d.flavor, d.table("out"))
		require.NoError(t, err)
		fn(t, l)
	})
}

// lockedBuffer is a log sink written by the callback handler's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func stateOf(t *testing.T, l paycools.Ledger, order string) []paycools.Intent {
	t.Helper()
	got, err := l.Intents(context.Background(), testApp, paycools.OpPayoutCreate, order)
	require.NoError(t, err)
	return got
}

// "Not found" right after an unknown outcome is not "never arrived": Recover marks an intent
// absent only a settle time after its last attempt was sent. A payout PayCools makes in the
// meantime is recorded as created.
func TestRecoverWaitsTheSettleTime(t *testing.T) {
	eachLedger(t, func(t *testing.T, l paycools.Ledger) {
		ctx := testCtx(t)
		clk := newClock()
		srv := paycoolstest.NewServer(paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(clk.Now))
		t.Cleanup(srv.Close)
		c := srv.Client(paycools.WithLedger(l), paycools.WithRetries(0), paycools.WithResolveOutcome(false),
			paycools.WithSettleTime(3*time.Minute))
		for _, order := range []string{"SETTLE0000001", "SETTLE0000002"} {
			srv.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropBeforeAction: true})
			_, err := c.Payouts.Create(ctx, payout(order, 700))
			require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
		}

		rep, err := c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 2)
		for _, o := range rep.Resolutions {
			assert.Equal(t, paycools.IntentUnknown, o.State, "not found at once is not proof of absence")
			assert.ErrorContains(t, o.Err, "settle time")
			assert.Equal(t, paycools.IntentUnknown, stateOf(t, l, o.Intent.MchOrderID)[0].State)
		}

		// PayCools was still processing the first one: it makes it now.
		made, err := srv.Client(paycools.WithRetries(0)).Payouts.Create(ctx, payout("SETTLE0000001", 700))
		require.NoError(t, err)

		clk.Add(2*time.Minute + 30*time.Second) // past Recover's claim, before the settle time
		rep, err = c.Recover(ctx)
		require.NoError(t, err)
		states := map[string]paycools.IntentState{}
		for _, o := range rep.Resolutions {
			states[o.Intent.MchOrderID] = o.State
		}
		assert.Equal(t, map[string]paycools.IntentState{"SETTLE0000001": paycools.IntentCreated, "SETTLE0000002": paycools.IntentUnknown}, states,
			"found is recorded at once; not found waits for the settle time")

		clk.Add(2*time.Minute + 30*time.Second)
		rep, err = c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 1)
		assert.Equal(t, paycools.IntentAbsent, rep.Resolutions[0].State, "not found a settle time after the last attempt")

		first := stateOf(t, l, "SETTLE0000001")
		require.Len(t, first, 1)
		assert.Equal(t, paycools.IntentCreated, first[0].State)
		assert.Equal(t, made.TransactionID, first[0].TransactionID)
		assert.Equal(t, paycools.IntentAbsent, stateOf(t, l, "SETTLE0000002")[0].State)
	})
}

// A late creation, an absent intent PayCools made after all, is recorded (late, with PayCools'
// id) even when the order was recorded again since, and the conflict is reported; the same in
// every ledger.
func TestLateCreationRecordedAndReported(t *testing.T) {
	eachLedger(t, func(t *testing.T, l paycools.Ledger) {
		ctx := testCtx(t)

		// The ledger alone: absent -> created never fails on the order's newer intent.
		at := time.UnixMilli(1_800_000_000_000)
		old, newer := intent("old", "LATEDIRECT01", at), intent("newer", "LATEDIRECT01", at.Add(time.Second))
		require.NoError(t, l.Record(ctx, old))
		require.NoError(t, l.Resolve(ctx, old.ID, paycools.IntentResolution{State: paycools.IntentAbsent, At: at}))
		require.NoError(t, l.Record(ctx, newer), "absent frees the order")
		require.NoError(t, l.Resolve(ctx, newer.ID, paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "DNEWER", At: at}))
		require.NoError(t, l.Resolve(ctx, old.ID, paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "DLATE1", At: at}),
			"the order's newer created intent does not stop the late one from being recorded")
		got := stateOf(t, l, "LATEDIRECT01")
		require.Len(t, got, 2)
		assert.Equal(t, []paycools.IntentState{paycools.IntentLate, paycools.IntentCreated}, []paycools.IntentState{got[0].State, got[1].State})
		assert.Equal(t, []string{"DLATE1", "DNEWER"}, []string{got[0].TransactionID, got[1].TransactionID})
		require.ErrorIs(t, l.Record(ctx, intent("third", "LATEDIRECT01", at)), paycools.ErrIntentOpen, "created still blocks the order")

		// Through the client: the verified callback of the late payout records and reports it.
		clk := newClock()
		srv := paycoolstest.NewServer(paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(clk.Now))
		t.Cleanup(srv.Close)
		var logs lockedBuffer
		c := srv.Client(paycools.WithLedger(l), paycools.WithRetries(0), paycools.WithResolveOutcome(false),
			paycools.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		hs := httptest.NewServer(c.NotificationHandler(func(context.Context, *paycools.Notification) error { return nil }))
		t.Cleanup(hs.Close)
		srv.SetCallbackURL(hs.URL)

		srv.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropBeforeAction: true})
		_, err := c.Payouts.Create(ctx, payout("LATE00000001", 700))
		require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
		clk.Add(paycools.DefaultSettleTime)
		rep, err := c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 1)
		require.Equal(t, paycools.IntentAbsent, rep.Resolutions[0].State)
		a := rep.Resolutions[0].Intent

		// The merchant records the order again, for another amount; its outcome is unknown too.
		srv.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropBeforeAction: true})
		_, err = c.Payouts.Create(ctx, payout("LATE00000001", 800))
		require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
		got = stateOf(t, l, "LATE00000001")
		require.Len(t, got, 2)
		b := got[1]

		// PayCools makes the first request after all, and calls back.
		made, err := srv.Client(paycools.WithRetries(0)).Payouts.Create(ctx, payout("LATE00000001", 700))
		require.NoError(t, err)
		cb, err := srv.CompletePayout("LATE00000001")
		require.NoError(t, err)
		require.True(t, cb.Acknowledged(), "%+v", cb)

		got = stateOf(t, l, "LATE00000001")
		require.Len(t, got, 2)
		assert.Equal(t, a.ID, got[0].ID)
		assert.Equal(t, paycools.IntentLate, got[0].State, "the payout PayCools made is recorded")
		assert.Equal(t, made.TransactionID, got[0].TransactionID)
		assert.Contains(t, got[0].Detail, b.ID, "the late intent names the newer one")
		assert.Equal(t, paycools.IntentUnknown, got[1].State, "the newer intent is left as it was")
		out := logs.String()
		assert.Contains(t, out, "level=ERROR")
		assert.Contains(t, out, a.ID)
		assert.Contains(t, out, b.ID)
		assert.Contains(t, out, "money may have moved twice")

		// The late payout moved money: it is in the books of its day.
		if sl, ok := l.(*paycoolssql.Ledger); ok {
			var orders []string
			for rec, err := range sl.Books(testApp).Records(ctx, clk.Now().In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02")) {
				require.NoError(t, err)
				orders = append(orders, fmt.Sprintf("%s %d", rec.MchOrderID, rec.Amount))
			}
			assert.Equal(t, []string{"LATE00000001 700"}, orders)
		}
	})
}

// A ledger table made before sent_by existed gains it when the ledger is opened (twice is
// fine), and its rows keep working.
func TestLedgerSentByMigration(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		table := fmt.Sprintf("%s_sentby_%d", d.prefix, tableSeq.Add(1))
		blob := "BYTEA"
		if d.flavor == paycoolssql.SQLite {
			blob = "BLOB"
		}
		old := strings.NewReplacer("{T}", table, "{BLOB}", blob, "{SEQ}", "",
			",\n\tsent_by        BIGINT NOT NULL DEFAULT 0", "").Replace(v1LedgerDDL)
		require.NotContains(t, old, "sent_by")
		for _, s := range strings.Split(old, ";") {
			_, err := d.db.ExecContext(ctx, s)
			require.NoError(t, err)
		}
		t0 := time.UnixMilli(1_800_000_000_000)
		_, err := d.db.ExecContext(ctx, `INSERT INTO `+table+` (id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at)
VALUES ('zz', 'Payouts.Create', 'OOLD', 'OOLD', '', 1, '{}', 'unknown', '', '', '', 0, 1800000000000, 1800000000000)`)
		require.NoError(t, err)
		for i := 0; i < 2; i++ {
			_, err = paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table), paycoolssql.WithLegacyAppID(testApp))
			require.NoError(t, err)
		}
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
		require.NoError(t, err)
		in := intent("aa", "ONEW", t0)
		in.SentBy = t0.Add(time.Minute)
		require.NoError(t, l.Record(ctx, in))
		require.NoError(t, l.Resolve(ctx, "aa", paycools.IntentResolution{State: paycools.IntentUnknown, At: t0, SentBy: t0.Add(2 * time.Minute)}))
		got, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "ONEW")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.True(t, got[0].SentBy.Equal(t0.Add(2*time.Minute)), "%v", got[0].SentBy)
		require.NoError(t, l.Resolve(ctx, "zz", paycools.IntentResolution{State: paycools.IntentAbsent, At: t0}))
		got, err = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "OOLD")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, paycools.IntentAbsent, got[0].State)
		assert.True(t, got[0].SentBy.IsZero(), "rows written before the column have no send time")
	})
}
