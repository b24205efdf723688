package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func reconcileServer(t *testing.T) *paycoolstest.Server {
	day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("PHT", 8*3600))
	return paycoolstest.New(t, paycoolstest.WithKeys(merchantKey(t), platformKey(t)), paycoolstest.WithBalance(1_000_000),
		paycoolstest.WithClock(func() time.Time { return day }), paycoolstest.WithStatementPageSize(2),
		paycoolstest.WithTimestampWindow(0)) // the command signs with the real clock; the gateway lives on the day reconciled
}

func TestReconcileCommandCSV(t *testing.T) {
	srv := reconcileServer(t)
	srv.Seed(paycoolstest.SeedRecord{MchOrderID: "A1", Amount: 100}, paycoolstest.SeedRecord{MchOrderID: "A2", Amount: 200},
		paycoolstest.SeedRecord{MchOrderID: "A3", Amount: 300}, paycoolstest.SeedRecord{Payout: true, MchOrderID: "P1", Amount: 50})
	base := []string{"reconcile", "-day", "2026-12-01", "-base-url", srv.URL(), "-app-id", srv.AppID(), "-key", testKeyPath("test_merchant_2048_pkcs8.pem")}

	good := writeTemp(t, "books.csv", []byte("mchOrderId,direction,amount,currency,status\nA1,collection,100,PHP,COMPLETE\nA2,collection,200,PHP,COMPLETE\nA3,collection,300,,\nP1,payout,50,PHP,COMPLETED\n"))
	status, out, errOut := runCLI(t, append(base, "-csv", good)...)
	assert.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Contains(t, out, "4 matched")
	assert.Contains(t, out, "everything matches")
	assert.Contains(t, errOut, "page(s), 4 record(s)", "the progress line")

	bad := writeTemp(t, "books.csv", []byte("mchOrderId,direction,amount,currency,status\nA1,collection,100,PHP,PENDING\nA2,collection,250,PHP,COMPLETE\nP1,payout,50,PHP,COMPLETED\nX9,payout,70,PHP,\n"))
	status, out, _ = runCLI(t, append(base, "-csv", bad)...)
	assert.Equal(t, exitFail, status)
	for _, want := range []string{"only-at-paycools  A3", "only-in-books     X9", "amount-mismatch   A2", "status-mismatch   A1", "4 difference(s)"} {
		assert.Contains(t, out, want)
	}
	status, out, _ = runCLI(t, append(base, "-csv", bad, "-format", "json")...)
	assert.Equal(t, exitFail, status)
	var rep paycools.ReconcileReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, 1, rep.Matched)
	assert.Len(t, rep.AmountMismatch, 1)
	status, out, _ = runCLI(t, append(base, "-csv", bad, "-format", "csv")...)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, out, "amount-mismatch,A2,collection,")

	status, _, errOut = runCLI(t, "reconcile", "-day", "yesterday", "-csv", good)
	assert.Equal(t, exitUsage, status)
	assert.Contains(t, errOut, "want YYYY-MM-DD")
	status, _, _ = runCLI(t, append(base, "-csv", good, "-sqlite", "x.db")...)
	assert.Equal(t, exitUsage, status)
}

func TestReconcileCommandSQLiteLedger(t *testing.T) {
	srv := reconcileServer(t)
	path := filepath.Join(t.TempDir(), "ledger.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	l, err := paycoolssql.NewLedger(ctx, db, paycoolssql.SQLite)
	require.NoError(t, err)
	c := srv.Client(paycools.WithLedger(l))
	_, err = c.Payouts.Create(ctx, &paycools.PayoutCreateParams{MchOrderID: "LEDGERPO0001", Amount: 1500, AccountNo: "09171234567",
		AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH"})
	require.NoError(t, err)
	args := []string{"reconcile", "-day", "2026-12-01", "-sqlite", path, "-base-url", srv.URL(), "-app-id", srv.AppID(),
		"-key", testKeyPath("test_merchant_2048_pkcs8.pem")}
	status, out, errOut := runCLI(t, args...)
	assert.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Contains(t, out, "1 matched")
	srv.Seed(paycoolstest.SeedRecord{Payout: true, MchOrderID: "DASHBOARD", Amount: 9})
	status, out, _ = runCLI(t, args...)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, out, "only-at-paycools  DASHBOARD")
}

// Every new kind of difference makes the command exit 1 and shows in each format: a double
// payout (duplicate), a record repeated by overlapping pages, USD books against PHP, and a
// statement record the SDK cannot read (with its ids and text, its order not missing).
func TestReconcileCommandReportsDuplicatesCurrencyUnreadable(t *testing.T) {
	day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("PHT", 8*3600))
	srv := paycoolstest.New(t, paycoolstest.WithKeys(merchantKey(t), platformKey(t)), paycoolstest.WithBalance(1_000_000),
		paycoolstest.WithClock(func() time.Time { return day }), paycoolstest.WithStatementPageSize(2), paycoolstest.WithStatementOverlap(1),
		paycoolstest.WithTimestampWindow(0))
	srv.Seed(paycoolstest.SeedRecord{MchOrderID: "C1", Amount: 100}, paycoolstest.SeedRecord{MchOrderID: "C2", TransactionID: "TXC2", Amount: 200},
		paycoolstest.SeedRecord{MchOrderID: "C3", Amount: 300},
		paycoolstest.SeedRecord{Payout: true, MchOrderID: "DOUBLE", TransactionID: "PO1", Amount: 50},
		paycoolstest.SeedRecord{Payout: true, MchOrderID: "DOUBLE", TransactionID: "PO2", Amount: 50})
	base := []string{"reconcile", "-day", "2026-12-01", "-base-url", srv.URL(), "-app-id", srv.AppID(), "-key", testKeyPath("test_merchant_2048_pkcs8.pem")}
	books := writeTemp(t, "books.csv", []byte("mchOrderId,direction,amount,currency,status\nC1,collection,100,PHP,\nC2,collection,200,PHP,\nC3,collection,300,PHP,\nDOUBLE,payout,50,PHP,\n"))

	// Pages of 2 overlapping by 1: C2 is listed twice (pages [C1 C2] [C2 C3]); DOUBLE has two
	// transactions.
	status, out, errOut := runCLI(t, append(base, "-csv", books)...)
	assert.Equal(t, exitFail, status, "%s\n%s", out, errOut)
	assert.Contains(t, out, "2 matched", "C1 and C3")
	assert.Contains(t, out, "duplicate  C2")
	assert.Contains(t, out, "transaction TXC2 listed 2 times")
	assert.Contains(t, out, "duplicate  DOUBLE")
	assert.NotContains(t, out, "everything matches")
	status, out, _ = runCLI(t, append(base, "-csv", books, "-format", "json")...)
	assert.Equal(t, exitFail, status)
	var rep paycools.ReconcileReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	require.Len(t, rep.Duplicates, 2)
	assert.Equal(t, 2, rep.Duplicates[1].Listed)

	// USD books against PHP, and an unreadable record.
	srv2 := reconcileServer(t)
	srv2.Seed(paycoolstest.SeedRecord{MchOrderID: "USD1", Amount: 100},
		paycoolstest.SeedRecord{MchOrderID: "BAD1", TransactionID: "CBAD0001", Amount: 200, WireAmount: "N/A"})
	base2 := []string{"reconcile", "-day", "2026-12-01", "-base-url", srv2.URL(), "-app-id", srv2.AppID(), "-key", testKeyPath("test_merchant_2048_pkcs8.pem")}
	books2 := writeTemp(t, "books2.csv", []byte("mchOrderId,direction,amount,currency,status\nUSD1,collection,100,USD,\nBAD1,collection,200,PHP,\n"))
	status, out, _ = runCLI(t, append(base2, "-csv", books2)...)
	assert.Equal(t, exitFail, status, out)
	assert.Contains(t, out, "currency-mismatch  USD1")
	assert.Contains(t, out, "currency: PayCools PHP, books USD")
	assert.Contains(t, out, "unreadable         BAD1")
	assert.Contains(t, out, `"amount":"N/A"`)
	assert.NotContains(t, out, "only-in-books", "BAD1 is at PayCools, unreadable")
	assert.NotContains(t, out, "only-at-paycools")
	status, out, _ = runCLI(t, append(base2, "-csv", books2, "-format", "csv")...)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, out, "unreadable,BAD1,collection,CBAD0001,")
	assert.Contains(t, out, "currency-mismatch,USD1,collection,")
}

// A CSV with a stray quote is an error naming its line, not a crash; a BOM is skipped.
func TestReconcileCommandCSVStrayQuoteAndBOM(t *testing.T) {
	srv := reconcileServer(t)
	srv.Seed(paycoolstest.SeedRecord{MchOrderID: "A1", Amount: 100})
	base := []string{"reconcile", "-day", "2026-12-01", "-base-url", srv.URL(), "-app-id", srv.AppID(), "-key", testKeyPath("test_merchant_2048_pkcs8.pem")}
	bom := writeTemp(t, "bom.csv", []byte("\xef\xbb\xbfmchOrderId,direction,amount,currency,status\r\nA1,collection,100,PHP,COMPLETED\r\n"))
	status, out, errOut := runCLI(t, append(base, "-csv", bom)...)
	assert.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Contains(t, out, "everything matches")

	quote := writeTemp(t, "quote.csv", []byte("mchOrderId,direction,amount,currency,status\nA1,collection,100,PHP,\nA2\",collection,5,PHP,\nA3,payout,1.5,PHP,\n"))
	status, out, errOut = runCLI(t, append(base, "-csv", quote)...)
	assert.Equal(t, exitFail, status, out)
	assert.Contains(t, errOut, "CSV line 3: bare \" in non-quoted-field")
	assert.Contains(t, errOut, "CSV line 4: amount \"1.5\"", "every bad row is named")
	assert.Empty(t, out, "no report from books that cannot be read")
}

// -postgres needs nothing but SELECT on the ledger table: a reporting role reconciles, and no
// table is created by the run.
func TestReconcileCommandPostgresReadOnlyRole(t *testing.T) {
	dsn := os.Getenv("PAYCOOLS_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PAYCOOLS_TEST_POSTGRES_DSN is not set: CI must not skip this test")
		}
		t.Skip("no PostgreSQL: set PAYCOOLS_TEST_POSTGRES_DSN")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer admin.Close()
	suffix := fmt.Sprintf("%d_%d", time.Now().UnixNano()%1e9, os.Getpid())
	table, role := "cli_ro_"+suffix, "cli_reader_"+suffix
	tables := func() int {
		var n int
		require.NoError(t, admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").Scan(&n))
		return n
	}
	srv := reconcileServer(t)
	l, err := paycoolssql.NewLedger(ctx, admin, paycoolssql.Postgres, paycoolssql.WithTable(table))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP TABLE IF EXISTS " + table) })
	_, err = srv.Client(paycools.WithLedger(l)).Payouts.Create(ctx, &paycools.PayoutCreateParams{MchOrderID: "READONLY0001", Amount: 1500,
		AccountNo: "09171234567", AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH"})
	require.NoError(t, err)
	_, err = admin.ExecContext(ctx, "CREATE ROLE "+role+" LOGIN")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP OWNED BY " + role)
		_, _ = admin.Exec("DROP ROLE " + role)
	})
	_, err = admin.ExecContext(ctx, "GRANT SELECT ON "+table+" TO "+role)
	require.NoError(t, err)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.User = url.User(role)

	before := tables()
	args := []string{"reconcile", "-day", "2026-12-01", "-postgres", u.String(), "-table", table, "-base-url", srv.URL(), "-app-id", srv.AppID(),
		"-key", testKeyPath("test_merchant_2048_pkcs8.pem")}
	status, out, errOut := runCLI(t, args...)
	assert.Equal(t, exitOK, status, "%s\n%s", out, errOut)
	assert.Contains(t, out, "1 matched")
	assert.Equal(t, before, tables(), "the run created a table")

	// A table the role cannot see is an error naming it (and still nothing is created).
	status, _, errOut = runCLI(t, append(args[:len(args):len(args)], "-table", table+"_none")...)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, errOut, "table "+table+"_none cannot be read")
	assert.Equal(t, before, tables())
}

// In a log (stderr not a terminal) the progress is one line per page, never \r; -format json
// uses the same camelCase keys as `paycools sandbox -json`.
func TestReconcileCommandLogProgressAndJSONKeys(t *testing.T) {
	srv := reconcileServer(t)
	srv.Seed(paycoolstest.SeedRecord{MchOrderID: "A1", Amount: 100}, paycoolstest.SeedRecord{MchOrderID: "A2", Amount: 200},
		paycoolstest.SeedRecord{MchOrderID: "A3", Amount: 300})
	books := writeTemp(t, "books.csv", []byte("mchOrderId,direction,amount,currency,status\nA1,collection,100,PHP,COMPLETE\nA2,collection,250,PHP,COMPLETE\nA3,collection,300,PHP,COMPLETE\n"))
	status, out, errOut := runCLI(t, "reconcile", "-day", "2026-12-01", "-base-url", srv.URL(), "-app-id", srv.AppID(),
		"-key", testKeyPath("test_merchant_2048_pkcs8.pem"), "-csv", books, "-format", "json")
	assert.Equal(t, exitFail, status, "%s\n%s", out, errOut)
	assert.NotContains(t, errOut, "\r")
	assert.GreaterOrEqual(t, strings.Count(errOut, "paycools reconcile: "), 2, "a line per page: %q", errOut)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &keys), out)
	for _, k := range []string{"day", "matched", "amountMismatch", "totals", "pages", "records"} {
		assert.Contains(t, keys, k)
	}
	assert.NotContains(t, keys, "Matched")
	assert.Contains(t, out, `"paycoolsAmount": 200`)
}
