package paycoolssql_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

func intent(id, order string, at time.Time) *paycools.Intent {
	return &paycools.Intent{ID: id, AppID: testApp, Operation: paycools.OpPayoutCreate, MchOrderID: order, IdempotencyID: "I" + order,
		Amount: 50010, Param: []byte(`{"mchOrderId":"` + order + `"}`), State: paycools.IntentPending,
		ClaimToken: id, ClaimUntil: at.Add(time.Minute), CreatedAt: at, UpdatedAt: at}
}

func TestLedgerRecordResolve(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, d.table("l"))
		require.NoError(t, err)
		t0 := time.UnixMilli(1_800_000_000_000)

		require.NoError(t, l.Record(ctx, intent("a1", "ORD1", t0)))
		err = l.Record(ctx, intent("a2", "ORD1", t0))
		require.ErrorIs(t, err, paycools.ErrIntentOpen, "a second open intent for one order")
		assert.ErrorContains(t, err, "a1")
		other := intent("b1", "ORD1", t0)
		other.Operation = paycools.OpRefundCreate
		require.NoError(t, l.Record(ctx, other), "another operation may use the same id")

		got, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "ORD1")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, *intent("a1", "ORD1", t0), got[0], "read back as written")

		// Refused is final and frees the order for a new intent.
		require.NoError(t, l.Resolve(ctx, "a1", paycools.IntentResolution{State: paycools.IntentRefused, Detail: "insufficient balance", At: t0.Add(time.Second)}))
		require.NoError(t, l.Resolve(ctx, "a1", paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "X", At: t0.Add(2 * time.Second)}))
		got, _ = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "ORD1")
		assert.Equal(t, paycools.IntentRefused, got[0].State, "a final state stays")
		assert.Equal(t, "insufficient balance", got[0].Detail)
		assert.Zero(t, got[0].ClaimToken)
		require.NoError(t, l.Record(ctx, intent("a3", "ORD1", t0.Add(time.Minute))))

		// Created blocks a new intent; absent may become created, not the reverse.
		require.NoError(t, l.Resolve(ctx, "a3", paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "DU3", At: t0}))
		require.ErrorIs(t, l.Record(ctx, intent("a4", "ORD1", t0.Add(2*time.Minute))), paycools.ErrIntentOpen)
		require.NoError(t, l.Record(ctx, intent("c1", "ORD2", t0)))
		require.NoError(t, l.Resolve(ctx, "c1", paycools.IntentResolution{State: paycools.IntentAbsent, At: t0}))
		require.NoError(t, l.Resolve(ctx, "c1", paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "DU9", At: t0}))
		require.NoError(t, l.Resolve(ctx, "c1", paycools.IntentResolution{State: paycools.IntentAbsent, At: t0}))
		got, _ = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "ORD2")
		assert.Equal(t, paycools.IntentLate, got[0].State, "absent resolved as created is a late creation")
		assert.Equal(t, "DU9", got[0].TransactionID)
		got, _ = l.Intents(ctx, testApp, paycools.OpPayoutCreate, "ORD1")
		require.Len(t, got, 2)
		assert.Equal(t, []string{"a1", "a3"}, []string{got[0].ID, got[1].ID}, "oldest first")
	})
}

// TestLedgerClaimOpen: open intents whose claim ended are claimed once, by one of several
// concurrent claimers (replicas running Recover at once).
func TestLedgerClaimOpen(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		opt := d.table("claim")
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, opt)
		require.NoError(t, err)
		t0 := time.UnixMilli(1_800_000_000_000)
		const n = 60
		for i := 0; i < n; i++ {
			in := intent(fmt.Sprintf("i%03d", i), fmt.Sprintf("O%03d", i), t0.Add(time.Duration(i)*time.Millisecond))
			require.NoError(t, l.Record(ctx, in))
		}
		live := intent("live", "OLIVE", t0)
		live.ClaimUntil = t0.Add(time.Hour) // its call is still running
		require.NoError(t, l.Record(ctx, live))
		require.NoError(t, l.Record(ctx, intent("done", "ODONE", t0)))
		require.NoError(t, l.Resolve(ctx, "done", paycools.IntentResolution{State: paycools.IntentCreated, At: t0}))

		now := t0.Add(2 * time.Minute)
		none, err := l.ClaimOpen(ctx, testApp, "early", t0, t0.Add(time.Minute), time.Time{}, 10)
		require.NoError(t, err)
		assert.Empty(t, none, "nothing's claim has ended yet")

		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				db := d.db
				if w > 0 {
					var err error
					db, err = sql.Open(map[paycoolssql.Flavor]string{paycoolssql.SQLite: "sqlite", paycoolssql.Postgres: "pgx"}[d.flavor], d.dsn)
					if !assert.NoError(t, err) {
						return
					}
					defer db.Close()
				}
				lw, err := paycoolssql.NewLedger(ctx, db, d.flavor, opt)
				if !assert.NoError(t, err) {
					return
				}
				token := fmt.Sprint("w", w)
				for {
					batch, err := lw.ClaimOpen(ctx, testApp, token, now, now.Add(time.Minute), time.Time{}, 7)
					if !assert.NoError(t, err) || len(batch) == 0 {
						return
					}
					for i := 1; i < len(batch); i++ {
						assert.False(t, batch[i].CreatedAt.Before(batch[i-1].CreatedAt), "oldest first")
					}
					mu.Lock()
					for _, in := range batch {
						assert.Equal(t, token, in.ClaimToken)
						if prev, dup := seen[in.ID]; dup {
							t.Errorf("intent %s claimed by %s and %s", in.ID, prev, token)
						}
						seen[in.ID] = token
					}
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		assert.Len(t, seen, n, "every open intent whose claim ended, and no other")
		assert.NotContains(t, seen, "live")
		assert.NotContains(t, seen, "done")
		again, err := l.ClaimOpen(ctx, testApp, "x", now, now.Add(time.Minute), time.Time{}, 100)
		require.NoError(t, err)
		assert.Empty(t, again, "claimed intents are not claimed again before their claim ends")
		later, err := l.ClaimOpen(ctx, testApp, "x", now.Add(2*time.Minute), now.Add(3*time.Minute), time.Time{}, 100)
		require.NoError(t, err)
		assert.Len(t, later, n, "after the claim ends they are open to the next Recover")
	})
}

// Intents of one millisecond come back in the order they were recorded, on every run: the ids
// are chosen so that sorting by id would give the reverse order.
func TestLedgerTiesInWriteOrder(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, d.table("ties"))
		require.NoError(t, err)
		t0 := time.UnixMilli(1_800_000_000_000)
		ids := []string{"z9", "m5", "a1", "k3", "b2"}
		for _, id := range ids {
			require.NoError(t, l.Record(ctx, intent(id, "OTIE", t0)))
			require.NoError(t, l.Resolve(ctx, id, paycools.IntentResolution{State: paycools.IntentRefused, At: t0}))
		}
		got, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "OTIE")
		require.NoError(t, err)
		var order []string
		for _, in := range got {
			order = append(order, in.ID)
		}
		assert.Equal(t, ids, order)

		for i, id := range []string{"y8", "c3", "q6"} {
			require.NoError(t, l.Record(ctx, intent(id, fmt.Sprintf("OOPEN%d", i), t0)))
		}
		open, err := l.ClaimOpen(ctx, testApp, "r", t0.Add(2*time.Minute), t0.Add(3*time.Minute), time.Time{}, 10)
		require.NoError(t, err)
		order = order[:0]
		for _, in := range open {
			order = append(order, in.ID)
		}
		assert.Equal(t, []string{"y8", "c3", "q6"}, order)
	})
}

// A PostgreSQL ledger table made before the write-order column existed gains it when the
// ledger is opened, and its rows keep working.
func TestLedgerSeqMigration(t *testing.T) {
	d := openPostgres(t)
	ctx := testCtx(t)
	table := fmt.Sprintf("%s_oldledger_%d", d.prefix, tableSeq.Add(1))
	old := strings.NewReplacer("{T}", table, "{BLOB}", "BYTEA", "{SEQ}", "").Replace(v1LedgerDDL)
	for _, s := range strings.Split(old, ";") {
		_, err := d.db.ExecContext(ctx, s)
		require.NoError(t, err)
	}
	t0 := time.UnixMilli(1_800_000_000_000)
	_, err := d.db.ExecContext(ctx, `INSERT INTO `+table+` (id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at)
VALUES ('zz', 'Payouts.Create', 'OOLD', 'OOLD', '', 1, '\x7b7d', 'refused', '', '', '', 0, $1, $1)`, t0.UnixMilli())
	require.NoError(t, err)
	l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table), paycoolssql.WithLegacyAppID(testApp))
	require.NoError(t, err)
	require.NoError(t, l.Record(ctx, intent("aa", "OOLD", t0)))
	got, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "OOLD")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "zz", got[0].ID, "the row that was there first comes first")
	assert.Equal(t, "aa", got[1].ID)
}
