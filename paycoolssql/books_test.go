package paycoolssql_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// The ledger as books: what the SDK created that day is what PayCools' statements must show.
func TestLedgerBooksReconcile(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("PHT", 8*3600))
		srv := paycoolstest.New(t, paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(func() time.Time { return day }))
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, d.table("books"))
		require.NoError(t, err)
		c := srv.Client(paycools.WithLedger(l))
		for _, order := range []string{"BOOKS0000001", "BOOKS0000002"} {
			_, err := c.Payouts.Create(ctx, payout(order, 1500))
			require.NoError(t, err)
		}
		rep, err := paycools.Reconcile(ctx, c, "2026-12-01", l.Books(testApp), paycools.ReconcileOptions{})
		require.NoError(t, err)
		assert.True(t, rep.OK(), "%+v", rep)
		assert.Equal(t, 2, rep.Matched)

		// A payout the SDK never made (someone used the dashboard) shows up.
		srv.Seed(paycoolstest.SeedRecord{Payout: true, MchOrderID: "DASHBOARD01", Amount: 99})
		rep, err = paycools.Reconcile(ctx, c, "2026-12-01", l.Books(testApp), paycools.ReconcileOptions{})
		require.NoError(t, err)
		require.Len(t, rep.OnlyAtPayCools, 1)
		assert.Equal(t, "DASHBOARD01", rep.OnlyAtPayCools[0].MchOrderID)
		// Another day has neither.
		rep, err = paycools.Reconcile(ctx, c, "2026-11-30", l.Books(testApp), paycools.ReconcileOptions{})
		require.NoError(t, err)
		assert.True(t, rep.OK())
		assert.Zero(t, rep.Records)
	})
}

// WithBusinessDay moves the day's boundaries: an intent made at 23:30 UTC+8 belongs to the next
// day in UTC+9.
func TestLedgerBooksBusinessDay(t *testing.T) {
	d := openSQLite(t)
	ctx := testCtx(t)
	late := time.Date(2026, 12, 1, 23, 30, 0, 0, time.FixedZone("PHT", 8*3600))
	srv := paycoolstest.New(t, paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(func() time.Time { return late }))
	opt := d.table("zone")
	l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, opt)
	require.NoError(t, err)
	_, err = srv.Client(paycools.WithLedger(l)).Payouts.Create(ctx, payout("ZONE00000001", 100))
	require.NoError(t, err)
	count := func(l *paycoolssql.Ledger, day string) int {
		n := 0
		for _, err := range l.Books(testApp).Records(ctx, day) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	assert.Equal(t, 1, count(l, "2026-12-01"))
	jst, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, opt, paycoolssql.WithBusinessDay(time.FixedZone("JST", 9*3600)))
	require.NoError(t, err)
	assert.Equal(t, 0, count(jst, "2026-12-01"))
	assert.Equal(t, 1, count(jst, "2026-12-02"))
	for _, err := range l.Books(testApp).Records(ctx, "1 Dec") {
		assert.ErrorContains(t, err, "want yyyy-MM-dd")
	}
}

// readOnlyDB opens the test database as a role that may only SELECT table: in PostgreSQL a
// new LOGIN role (the test server trusts local logins), in SQLite the file opened read-only.
func readOnlyDB(t *testing.T, d testDB, table string) *sql.DB {
	t.Helper()
	ctx := testCtx(t)
	dsn := d.dsn + "&mode=ro"
	driver := "sqlite"
	if d.flavor == paycoolssql.Postgres {
		driver = "pgx"
		role := "ro_" + table
		_, err := d.db.ExecContext(ctx, "CREATE ROLE "+role+" LOGIN")
		require.NoError(t, err)
		t.Cleanup(func() {
			// after the role's pool is closed (cleanups run last first)
			_, _ = d.db.Exec("DROP OWNED BY " + role)
			_, _ = d.db.Exec("DROP ROLE " + role)
		})
		_, err = d.db.ExecContext(ctx, "GRANT SELECT ON "+table+" TO "+role)
		require.NoError(t, err)
		u, err := url.Parse(d.dsn)
		require.NoError(t, err)
		u.User = url.User(role)
		dsn = u.String()
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// tableExists reports whether the database has table, as the privileged role sees it.
func tableExists(t *testing.T, d testDB, table string) bool {
	t.Helper()
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
	if d.flavor == paycoolssql.Postgres {
		q = "SELECT count(*) FROM pg_tables WHERE tablename = $1"
	}
	var n int
	require.NoError(t, d.db.QueryRowContext(testCtx(t), q, table).Scan(&n))
	return n > 0
}

// A reporting role that may only read the ledger reconciles with OpenLedgerBooks: no DDL runs
// (NewLedger, which creates and migrates, is refused to it), and a missing table is an error
// that names it, never a table created by a read.
func TestOpenLedgerBooksReadOnly(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("PHT", 8*3600))
		srv := paycoolstest.New(t, paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(func() time.Time { return day }))
		table := fmt.Sprintf("%s_ro_%d", d.prefix, tableSeq.Add(1))
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
		require.NoError(t, err)
		c := srv.Client(paycools.WithLedger(l))
		_, err = c.Payouts.Create(ctx, payout("READONLY0001", 1500))
		require.NoError(t, err)

		ro := readOnlyDB(t, d, table)
		if d.flavor == paycoolssql.Postgres {
			_, err = paycoolssql.NewLedger(ctx, ro, d.flavor, paycoolssql.WithTable(table))
			require.Error(t, err, "NewLedger runs DDL, which the reporting role may not")
		}
		books, err := paycoolssql.OpenLedgerBooks(ctx, ro, d.flavor, testApp, paycoolssql.WithTable(table))
		require.NoError(t, err)
		rep, err := paycools.Reconcile(ctx, c, "2026-12-01", books, paycools.ReconcileOptions{})
		require.NoError(t, err)
		assert.True(t, rep.OK(), "%+v", rep)
		assert.Equal(t, 1, rep.Matched)

		// A table that is not there is an error naming it, and stays not there, even for a
		// role that could create it.
		missing := table + "_missing"
		_, err = paycoolssql.OpenLedgerBooks(ctx, d.db, d.flavor, testApp, paycoolssql.WithTable(missing))
		require.Error(t, err)
		assert.ErrorContains(t, err, "table "+missing+" cannot be read")
		assert.False(t, tableExists(t, d, missing), "reading created the table")
		assert.True(t, tableExists(t, d, table))
	})
}

// The books carry each order's final status: a payout PayCools completed whose callback the
// merchant's code never handled is a status difference, until Sync delivers it.
func TestLedgerBooksCompareFinalStatus(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		ctx := testCtx(t)
		day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("PHT", 8*3600))
		clock := func() time.Time { return day }
		srv := paycoolstest.New(t, paycoolstest.WithAppID(testApp), paycoolstest.WithBalance(1_000_000), paycoolstest.WithClock(clock))
		store, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("bookn"), paycoolssql.WithClock(clock))
		require.NoError(t, err)
		l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, d.table("bookf"))
		require.NoError(t, err)
		c := srv.Client(paycools.WithLedger(l), paycools.WithNotificationStore(store), paycools.WithSyncAfter(0))
		for _, order := range []string{"BOOKF0000001", "BOOKF0000002"} {
			_, err := c.Payouts.Create(ctx, payout(order, 1500))
			require.NoError(t, err)
			_, err = srv.CompletePayout(order) // no callback URL: the callback is missed
			require.NoError(t, err)
		}
		rep, err := paycools.Reconcile(ctx, c, "2026-12-01", l.Books(testApp), paycools.ReconcileOptions{})
		require.NoError(t, err)
		require.Len(t, rep.StatusMismatch, 2, "%+v", rep)
		assert.Equal(t, paycools.TransactionStatusPending, rep.StatusMismatch[0].BooksStatus)

		srep, err := c.Sync(ctx, func(context.Context, *paycools.Notification) error { return nil })
		require.NoError(t, err)
		require.Len(t, srep.Orders, 2)
		rep, err = paycools.Reconcile(ctx, c, "2026-12-01", l.Books(testApp), paycools.ReconcileOptions{})
		require.NoError(t, err)
		assert.True(t, rep.OK(), "%+v", rep)
		assert.Equal(t, 2, rep.Matched)
		for rec, err := range l.Books(testApp).Records(ctx, "2026-12-01") {
			require.NoError(t, err)
			assert.Equal(t, paycools.TransactionStatusCompleted, rec.Status, rec.MchOrderID)
		}
	})
}
