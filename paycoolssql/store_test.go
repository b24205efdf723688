package paycoolssql_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// clock is a test clock shared by goroutines.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// claim3 is s.Claim as state, token and error.
func claim3(ctx context.Context, s paycools.NotificationStore, key string) (paycools.NotificationState, string, error) {
	cl, err := s.Claim(ctx, testApp, key)
	return cl.State, cl.Token, err
}

func TestNotificationStoreClaimFinishRelease(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		clk := newClock()
		s, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("n"), paycoolssql.WithClock(clk.Now),
			paycoolssql.WithLease(time.Minute), paycoolssql.WithRetention(time.Hour))
		require.NoError(t, err)

		st, tok, err := claim3(ctx, s, "k1")
		require.NoError(t, err)
		require.Equal(t, paycools.NotificationStateNew, st)
		require.NotEmpty(t, tok)
		st, tok2, err := claim3(ctx, s, "k1")
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationStateInFlight, st)
		assert.Empty(t, tok2)

		// Release by a stale token does nothing; by the holder frees it.
		require.NoError(t, s.Release(ctx, testApp, "k1", "not-the-token"))
		st, _, _ = claim3(ctx, s, "k1")
		assert.Equal(t, paycools.NotificationStateInFlight, st)
		require.NoError(t, s.Release(ctx, testApp, "k1", tok))
		st, tok, err = claim3(ctx, s, "k1")
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationStateNew, st, "released: handled again")

		require.NoError(t, s.Finish(ctx, testApp, "k1", tok, ""))
		st, _, _ = claim3(ctx, s, "k1")
		assert.Equal(t, paycools.NotificationStateDone, st)
		require.NoError(t, s.Release(ctx, testApp, "k1", tok))
		st, _, _ = claim3(ctx, s, "k1")
		assert.Equal(t, paycools.NotificationStateDone, st, "a release does not undo a finish")

		// Lease: a claim left behind is taken after a minute, with a new token.
		st, dead, _ := claim3(ctx, s, "k2")
		require.Equal(t, paycools.NotificationStateNew, st)
		clk.Add(59 * time.Second)
		st, _, _ = claim3(ctx, s, "k2")
		assert.Equal(t, paycools.NotificationStateInFlight, st)
		clk.Add(2 * time.Second)
		st, taken, _ := claim3(ctx, s, "k2")
		assert.Equal(t, paycools.NotificationStateNew, st, "taken over after the lease")
		assert.NotEqual(t, dead, taken)
		require.NoError(t, s.Release(ctx, testApp, "k2", dead))
		st, _, _ = claim3(ctx, s, "k2")
		assert.Equal(t, paycools.NotificationStateInFlight, st, "the dead holder's release does not free the new claim")

		// Retention: done is remembered for an hour, then swept and handled as new.
		clk.Add(57 * time.Minute)
		st, _, _ = claim3(ctx, s, "k1")
		assert.Equal(t, paycools.NotificationStateDone, st)
		clk.Add(3 * time.Minute)
		n, err := s.Sweep(ctx)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, n, int64(1))
		st, _, _ = claim3(ctx, s, "k1")
		assert.Equal(t, paycools.NotificationStateNew, st)
	})
}

func TestNotificationStoreOptions(t *testing.T) {
	d := openSQLite(t)
	ctx := testCtx(t)
	_, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable("x; DROP TABLE y"))
	assert.ErrorContains(t, err, "letters, digits and underscores")
	_, err = paycoolssql.NewNotificationStore(ctx, d.db, paycoolssql.Flavor(9))
	assert.ErrorContains(t, err, "unknown flavor")
	_, err = paycoolssql.NewNotificationStore(ctx, nil, paycoolssql.SQLite)
	assert.Error(t, err)
	_, err = paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithLease(0))
	assert.Error(t, err)
	// The default table is made once and reused.
	_, err = paycoolssql.NewNotificationStore(ctx, d.db, d.flavor)
	require.NoError(t, err)
	_, err = paycoolssql.NewNotificationStore(ctx, d.db, d.flavor)
	require.NoError(t, err)
	var n int
	require.NoError(t, d.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type='table' AND name='paycools_notifications'`).Scan(&n))
	assert.Equal(t, 1, n)
	assert.Equal(t, "postgres", paycoolssql.Postgres.String())
	assert.Equal(t, "sqlite", paycoolssql.SQLite.String())
}

// TestNotificationStoreConcurrentClaims: many goroutines on separate connections (processes
// as far as the database knows) claim the same keys; exactly one wins each.
func TestNotificationStoreConcurrentClaims(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		opt := d.table("c")
		var stores []*paycoolssql.NotificationStore
		for i := 0; i < 4; i++ {
			db := d.db
			if i > 0 { // a pool of its own, as another replica has
				var err error
				db, err = sql.Open(map[paycoolssql.Flavor]string{paycoolssql.SQLite: "sqlite", paycoolssql.Postgres: "pgx"}[d.flavor], d.dsn)
				require.NoError(t, err)
				t.Cleanup(func() { db.Close() })
			}
			s, err := paycoolssql.NewNotificationStore(ctx, db, d.flavor, opt)
			require.NoError(t, err)
			stores = append(stores, s)
		}
		const keys, tries = 40, 8
		var wins [keys]atomic.Int32
		var wg sync.WaitGroup
		for g := 0; g < tries; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				s := stores[g%len(stores)]
				for k := 0; k < keys; k++ {
					st, _, err := claim3(ctx, s, fmt.Sprint("key-", k))
					if !assert.NoError(t, err) {
						return
					}
					if st == paycools.NotificationStateNew {
						wins[k].Add(1)
					}
				}
			}(g)
		}
		wg.Wait()
		for k := range wins {
			assert.EqualValues(t, 1, wins[k].Load(), "key %d", k)
		}
	})
}

// Renew extends a held claim; a claim taken over after its lease can neither be renewed nor
// finished (paycools.ErrClaimLost), and its stale Finish records nothing; a Finish repeated
// with its own token succeeds; Claim returns the stored result.
func TestNotificationStoreRenewAndStaleFinish(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		clk := newClock()
		s, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("r"), paycoolssql.WithClock(clk.Now),
			paycoolssql.WithLease(time.Minute), paycoolssql.WithRetention(time.Hour))
		require.NoError(t, err)
		cl, err := s.Claim(ctx, testApp, "k")
		require.NoError(t, err)
		require.Equal(t, paycools.NotificationStateNew, cl.State)
		assert.Equal(t, time.Minute, cl.Lease)
		clk.Add(50 * time.Second)
		require.NoError(t, s.Renew(ctx, testApp, "k", cl.Token))
		clk.Add(50 * time.Second)
		st, _, err := claim3(ctx, s, "k")
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationStateInFlight, st, "renewed: still held after more than a lease")

		clk.Add(61 * time.Second)
		st, tok2, _ := claim3(ctx, s, "k")
		require.Equal(t, paycools.NotificationStateNew, st, "not renewed: taken over")
		assert.ErrorIs(t, s.Renew(ctx, testApp, "k", cl.Token), paycools.ErrClaimLost)
		assert.ErrorIs(t, s.Finish(ctx, testApp, "k", cl.Token, "stale"), paycools.ErrClaimLost)
		st, _, _ = claim3(ctx, s, "k")
		assert.Equal(t, paycools.NotificationStateInFlight, st, "the stale finish recorded nothing")

		require.NoError(t, s.Finish(ctx, testApp, "k", tok2, "1002:over the limit"))
		require.NoError(t, s.Finish(ctx, testApp, "k", tok2, "1002:over the limit"), "a retried finish")
		assert.ErrorIs(t, s.Renew(ctx, testApp, "k", tok2), paycools.ErrClaimLost, "a finished claim is not renewed")
		done, err := s.Claim(ctx, testApp, "k")
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationClaim{State: paycools.NotificationStateDone, Result: "1002:over the limit"}, done)

		// An expired done entry taken over starts without the old result.
		clk.Add(2 * time.Hour)
		again, err := s.Claim(ctx, testApp, "k")
		require.NoError(t, err)
		require.Equal(t, paycools.NotificationStateNew, again.State)
		require.NoError(t, s.Finish(ctx, testApp, "k", again.Token, ""))
		done, _ = s.Claim(ctx, testApp, "k")
		assert.Empty(t, done.Result)
	})
}

// A table made by the earlier version (without the result column) is migrated: its entries
// keep working, and new results are stored. Building the store twice is harmless.
func TestNotificationStoreMigratesAnOldTable(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		name := fmt.Sprintf("%s_old_%d", d.prefix, time.Now().UnixNano()%1e6)
		_, err := d.db.ExecContext(ctx, `CREATE TABLE `+name+` (event_key TEXT PRIMARY KEY, state TEXT NOT NULL, claim_token TEXT NOT NULL, expires_at BIGINT NOT NULL)`)
		require.NoError(t, err)
		future := time.Now().Add(time.Hour).UnixMilli()
		_, err = d.db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s VALUES ('old-done', 'done', 't0', %d), ('old-claim', 'claimed', 't1', %d)`, name, future, future))
		require.NoError(t, err)
		var s *paycoolssql.NotificationStore
		for i := 0; i < 2; i++ {
			s, err = paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable(name), paycoolssql.WithLegacyAppID(testApp))
			require.NoError(t, err)
		}
		done, err := s.Claim(ctx, testApp, "old-done")
		require.NoError(t, err)
		assert.Equal(t, paycools.NotificationClaim{State: paycools.NotificationStateDone}, done)
		require.NoError(t, s.Renew(ctx, testApp, "old-claim", "t1"))
		require.NoError(t, s.Finish(ctx, testApp, "old-claim", "t1", "2000:Success"))
		done, err = s.Claim(ctx, testApp, "old-claim")
		require.NoError(t, err)
		assert.Equal(t, "2000:Success", done.Result)
	})
}

// SQLite without a busy timeout turns contention into errors: the store and the ledger refuse
// such a connection, naming the DSN to use.
func TestSQLiteWithoutBusyTimeoutRefused(t *testing.T) {
	ctx := testCtx(t)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "p.db")+"?_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = paycoolssql.NewNotificationStore(ctx, db, paycoolssql.SQLite)
	require.ErrorIs(t, err, paycoolssql.ErrNoBusyTimeout)
	assert.ErrorContains(t, err, "_pragma=busy_timeout(10000)")
	_, err = paycoolssql.NewLedger(ctx, db, paycoolssql.SQLite)
	require.ErrorIs(t, err, paycoolssql.ErrNoBusyTimeout)
	var tables int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables))
	assert.Zero(t, tables, "refused before anything is created")
}

// HandledKeys lists the handled events that name a transactionId, within the retention: not
// the ones in flight, not those keyed on another id, not the expired ones.
func TestNotificationStoreHandledKeys(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		clk := newClock()
		s, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("handled"), paycoolssql.WithClock(clk.Now), paycoolssql.WithRetention(time.Hour))
		require.NoError(t, err)
		finish := func(key string) {
			cl, err := s.Claim(ctx, testApp, key)
			require.NoError(t, err)
			require.NoError(t, s.Finish(ctx, testApp, key, cl.Token, ""))
		}
		finish("qrcode.payment.success:transactionId=C1%3A2:COMPLETED")
		finish("ekyc.success:requestId=R1:APPROVED")
		_, err = s.Claim(ctx, testApp, "qrcode.payment.success:transactionId=C9:COMPLETED") // in flight
		require.NoError(t, err)
		keys, err := s.HandledKeys(ctx, testApp)
		require.NoError(t, err)
		assert.Equal(t, []string{"qrcode.payment.success:transactionId=C1%3A2:COMPLETED"}, keys)
		clk.Add(2 * time.Hour)
		keys, err = s.HandledKeys(ctx, testApp)
		require.NoError(t, err)
		assert.Empty(t, keys, "past the retention")
	})
}
