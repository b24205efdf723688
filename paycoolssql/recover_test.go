package paycoolssql_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func payout(order string, amount paycools.Amount) *paycools.PayoutCreateParams {
	return &paycools.PayoutCreateParams{MchOrderID: order, Amount: amount, AccountNo: "09171234567", AccountName: "Juan Dela Cruz",
		PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH", Remark: "ledger"}
}

// countCreates is how many payout creates for order reached the gateway.
func countCreates(s *paycoolstest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Operation == paycools.OpPayoutCreate {
			n++
		}
	}
	return n
}

func TestLedgerWithClientAndRecover(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		clk := newClock()
		srv := paycoolstest.NewServer(paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(clk.Now))
		t.Cleanup(srv.Close)
		opt := d.table("rec")
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, opt)
		require.NoError(t, err)
		c := srv.Client(paycools.WithLedger(l), paycools.WithRetries(0))

		// Created: the intent holds what was signed and PayCools' id.
		p, err := c.Payouts.Create(ctx, payout("LEDGER0000001", 50010))
		require.NoError(t, err)
		got, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "LEDGER0000001")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, paycools.IntentCreated, got[0].State)
		assert.Equal(t, p.TransactionID, got[0].TransactionID)
		assert.Equal(t, "LEDGER0000001", got[0].IdempotencyID, "the idempotency id Create filled in")
		assert.EqualValues(t, 50010, got[0].Amount)
		last, _ := srv.LastRequest(paycools.OpPayoutCreate)
		assert.Equal(t, string(last.Param), string(got[0].Param), "the ledger keeps the exact param that was signed and sent")

		// A second create of the order is stopped by the ledger: nothing is sent.
		before := countCreates(srv)
		_, err = c.Payouts.Create(ctx, payout("LEDGER0000001", 50010))
		var le *paycools.LedgerError
		require.ErrorAs(t, err, &le)
		assert.ErrorIs(t, err, paycools.ErrIntentOpen)
		assert.False(t, paycools.IsOutcomeUnknown(err))
		assert.Equal(t, before, countCreates(srv), "nothing sent")

		// Refused by PayCools with a code that proves nothing was created: final, and the order
		// may be tried again.
		bad := payout("LEDGER0000002", 100)
		bad.TransferCode = "NOSUCHWALLET"
		_, err = c.Payouts.Create(ctx, bad)
		require.Error(t, err)
		require.False(t, paycools.IsOutcomeUnknown(err), "%v", err)
		got, _ = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "LEDGER0000002")
		require.Len(t, got, 1)
		assert.Equal(t, paycools.IntentRefused, got[0].State)
		assert.Contains(t, got[0].Detail, "code 210", "the refusal's text")
		_, err = c.Payouts.Create(ctx, payout("LEDGER0000002", 100))
		require.NoError(t, err)

		// Insufficient balance (21014) does not prove that nothing was created: unknown, and
		// Recover later finds that nothing was.
		_, err = c.Payouts.Create(ctx, payout("LEDGER0000007", 5_000_000))
		require.ErrorIs(t, err, paycools.ErrInsufficientBalance)
		require.True(t, paycools.IsOutcomeUnknown(err))
		got, _ = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "LEDGER0000007")
		require.Len(t, got, 1)
		assert.Equal(t, paycools.IntentUnknown, got[0].State)

		// Outcome unknown (answer lost after the gateway acted, no reconcile): the intent says so,
		// and Recover finds the payout.
		noReconcile := srv.Client(paycools.WithLedger(l), paycools.WithRetries(0), paycools.WithResolveOutcome(false))
		srv.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
		_, err = noReconcile.Payouts.Create(ctx, payout("LEDGER0000003", 700))
		require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
		got, _ = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "LEDGER0000003")
		require.Len(t, got, 1)
		assert.Equal(t, paycools.IntentUnknown, got[0].State)
		assert.Zero(t, got[0].ClaimToken, "an unknown outcome is Recover's at once")

		// A crash between writing the intent and sending (order never reached PayCools) and one
		// after sending (PayCools holds it): intents left pending with their call's claim.
		crashed := srv.Client(paycools.WithLedger(l), paycools.WithRetries(0), paycools.WithResolveOutcome(false))
		srv.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropBeforeAction: true})
		_, err = crashed.Payouts.Create(ctx, payout("LEDGER0000004", 800)) // never acted on
		require.Error(t, err)
		for _, order := range []string{"LEDGER0000005", "LEDGER0000006"} {
			in := &paycools.Intent{ID: "crash-" + order, AppID: testApp, Operation: paycools.OpPayoutCreate, MchOrderID: order, Amount: 900,
				Param: []byte(`{}`), State: paycools.IntentPending, ClaimToken: "dead", ClaimUntil: clk.Now().Add(5 * time.Minute),
				CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
			require.NoError(t, l.Record(ctx, in))
		}
		_, err = srv.Client(paycools.WithRetries(0)).Payouts.Create(ctx, payout("LEDGER0000006", 900)) // it did arrive
		require.NoError(t, err)

		rep, err := c.Recover(ctx)
		require.NoError(t, err)
		states := map[string]paycools.IntentState{}
		for _, o := range rep.Resolutions {
			states[o.Intent.MchOrderID] = o.State
		}
		assert.Equal(t, map[string]paycools.IntentState{"LEDGER0000003": paycools.IntentCreated, "LEDGER0000004": paycools.IntentUnknown,
			"LEDGER0000007": paycools.IntentUnknown},
			states, "the pending intents of the dead process keep their claim until it ends; not found within the settle time is not absent")

		clk.Add(paycools.DefaultSettleTime)
		srv.InjectFault(paycools.OpPayoutGet, paycoolstest.Fault{HTTPStatus: 503})
		rep, err = c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 4)
		assert.Equal(t, 1, rep.Unresolved(), "the lookup that failed leaves its intent open")
		var failed paycools.IntentOutcome
		for _, o := range rep.Resolutions {
			if o.Err != nil {
				failed = o
			}
		}
		assert.Equal(t, paycools.IntentUnknown, failed.State)
		var he *paycools.HTTPError
		assert.True(t, errors.As(failed.Err, &he), "%v", failed.Err)

		rep, err = c.Recover(ctx)
		require.NoError(t, err)
		assert.Empty(t, rep.Resolutions, "the failed one keeps this Recover's claim for a while")
		clk.Add(6 * time.Minute)
		rep, err = c.Recover(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Resolutions, 1)
		assert.Zero(t, rep.Unresolved())

		for order, want := range map[string]paycools.IntentState{
			"LEDGER0000003": paycools.IntentCreated, "LEDGER0000004": paycools.IntentAbsent,
			"LEDGER0000005": paycools.IntentAbsent, "LEDGER0000006": paycools.IntentCreated, "LEDGER0000007": paycools.IntentAbsent,
		} {
			got, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, order)
			require.NoError(t, err)
			require.Len(t, got, 1, order)
			assert.Equal(t, want, got[0].State, order)
			if want == paycools.IntentCreated {
				gw, err := c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: order})
				require.NoError(t, err)
				assert.Equal(t, gw.TransactionID, got[0].TransactionID, order)
			}
		}
		// Absent is final: the order can be made now, once.
		_, err = c.Payouts.Create(ctx, payout("LEDGER0000004", 800))
		require.NoError(t, err)

		_, err = srv.Client().Recover(ctx)
		assert.ErrorIs(t, err, paycools.ErrNoLedger)
	})
}
