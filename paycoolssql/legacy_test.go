package paycoolssql_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// Tables written by the version before app ids, opened by this one: without
// WithLegacyAppID the open fails with ErrLegacyRows (nothing is lost silently); with it,
// twice and by racing replicas, the old rows become the named application's: its handled
// event still answers done to a redelivery (another tenant's same key is its own), its open
// intent still blocks a duplicate create of the order and is recovered by its client, its
// created intent is in its books, and its inbox event is listed for it.
func TestLegacyRowsAdoptedByWithLegacyAppID(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		clk := newClock()
		now := clk.Now()
		store := fmt.Sprintf("%s_legn_%d", d.prefix, tableSeq.Add(1))
		ledger := fmt.Sprintf("%s_legl_%d", d.prefix, tableSeq.Add(1))
		createOld(ctx, t, d, v1StoreDDL, store)
		createOld(ctx, t, d, v1InboxDDL, store+"_inbox")
		createOld(ctx, t, d, v1LedgerDDL, ledger)
		const key = "disbursement.success:transactionId=T1:COMPLETED"
		live, gone := now.Add(time.Hour).UnixMilli(), now.Add(-time.Hour).UnixMilli()
		for _, q := range []string{
			fmt.Sprintf(`INSERT INTO %s (event_key, state, claim_token, expires_at, result) VALUES ('%s', 'done', 't0', %d, ''), ('old-expired', 'claimed', 't1', %d, '')`, store, key, live, gone),
			fmt.Sprintf(`INSERT INTO %s (event_key, event_name, form, body, received_at, updated_at, state, attempts, last_error, expires_at)
VALUES ('%s', 'disbursement.success', 'envelope', '{}', %d, %d, 'handled', 1, '', %d)`, store+"_inbox", key, now.UnixMilli(), now.UnixMilli(), live),
			fmt.Sprintf(`INSERT INTO %s (id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at)
VALUES ('old-open', 'Payouts.Create', 'OLDOPEN00001', 'OLDOPEN00001', '', 700, '{}', 'pending', '', '', 'dead', %d, %d, %d),
       ('old-made', 'Payouts.Create', 'OLDMADE00001', 'OLDMADE00001', '', 800, '{}', 'created', 'T9', '', '', 0, %d, %d)`,
				ledger, now.UnixMilli(), now.UnixMilli(), now.UnixMilli(), now.UnixMilli(), now.UnixMilli()),
		} {
			_, err := d.db.ExecContext(ctx, q)
			require.NoError(t, err)
		}

		_, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable(store), paycoolssql.WithClock(clk.Now), paycoolssql.WithInbox())
		require.ErrorIs(t, err, paycoolssql.ErrLegacyRows)
		assert.ErrorContains(t, err, "WithLegacyAppID")
		_, err = paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(ledger))
		require.ErrorIs(t, err, paycoolssql.ErrLegacyRows)

		// Replicas open at once, each migrating and adopting if no other did first.
		var wg sync.WaitGroup
		stores := make([]*paycoolssql.NotificationStore, 3)
		ledgers := make([]*paycoolssql.Ledger, 3)
		for i := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				stores[i], err = paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable(store), paycoolssql.WithClock(clk.Now),
					paycoolssql.WithInbox(), paycoolssql.WithLegacyAppID("tenantA"))
				assert.NoError(t, err, "store replica %d", i)
				ledgers[i], err = paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(ledger), paycoolssql.WithLegacyAppID("tenantA"))
				assert.NoError(t, err, "ledger replica %d", i)
			}()
		}
		wg.Wait()
		require.False(t, t.Failed())
		s, l := stores[0], ledgers[0]
		_, err = paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(ledger))
		require.NoError(t, err, "once adopted, the option is no longer needed")

		cl, err := s.Claim(ctx, "tenantA", key)
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationStateDone, cl.State, "the event handled before the upgrade is still done")
		cl, err = s.Claim(ctx, "tenantB", key)
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationStateNew, cl.State, "another tenant's same key is its own")
		events, err := s.Events(ctx, paycoolssql.EventQuery{AppID: "tenantA"})
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, key, events[0].Key)
		assert.Equal(t, "tenantA", events[0].AppID)

		dup := intent("new-open", "OLDOPEN00001", now)
		dup.AppID = "tenantA"
		assert.ErrorIs(t, l.Record(ctx, dup), paycools.ErrIntentOpen, "the open intent from before still blocks its order")
		dup.ID, dup.AppID = "other-open", "tenantB"
		require.NoError(t, l.Record(ctx, dup), "another tenant's same order is its own")
		open, err := l.ClaimOpen(ctx, "tenantA", "recover", now.Add(2*time.Minute), now.Add(3*time.Minute), time.Time{}, 10)
		require.NoError(t, err)
		require.Len(t, open, 1, "tenantA's Recover finds the open intent from before")
		assert.Equal(t, "old-open", open[0].ID)
		// A process of the earlier version still running would write intents without app_id,
		// which no client reads: the table refuses them, and so does Record.
		_, err = d.db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at)
VALUES ('old-writer', 'Payouts.Create', 'OLDWRITER001', 'OLDWRITER001', '', 1, '{}', 'pending', '', '', 't', 0, 1, 1)`, ledger))
		require.Error(t, err, "an earlier version's insert is refused")
		noApp := intent("no-app", "NOAPP0000001", now)
		noApp.AppID = ""
		assert.ErrorContains(t, l.Record(ctx, noApp), "AppID is empty")
		var books []paycools.BookRecord
		for rec, err := range l.Books("tenantA").Records(ctx, now.In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02")) {
			require.NoError(t, err)
			books = append(books, rec)
		}
		require.Len(t, books, 1)
		assert.Equal(t, "OLDMADE00001", books[0].MchOrderID)
	})
}

// A table named with capitals (WithTable; PostgreSQL folds it to lower case) is not taken for
// one written before app ids when it is opened again: its rows keep their app ids.
func TestReopenedMixedCaseTablesKeepTheirAppIDs(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		clk := newClock()
		name := fmt.Sprintf("Mixed_%s_%d", d.prefix, tableSeq.Add(1))
		var s *paycoolssql.NotificationStore
		var l *paycoolssql.Ledger
		for i := 0; i < 2; i++ {
			var err error
			s, err = paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable(name), paycoolssql.WithClock(clk.Now), paycoolssql.WithInbox())
			require.NoError(t, err, "open %d", i+1)
			l, err = paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(name+"_L"))
			require.NoError(t, err, "open %d", i+1)
			if i == 0 {
				cl, err := s.Claim(ctx, "tenantA", "k")
				require.NoError(t, err)
				require.NoError(t, s.Finish(ctx, "tenantA", "k", cl.Token, ""))
				require.NoError(t, l.Record(ctx, intent("mixed", "MIXED0000001", clk.Now())))
			}
		}
		cl, err := s.Claim(ctx, "tenantA", "k")
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationStateDone, cl.State)
		ins, err := l.Intents(ctx, testApp, paycools.OpPayoutCreate, "MIXED0000001")
		require.NoError(t, err)
		assert.Len(t, ins, 1)
	})
}
