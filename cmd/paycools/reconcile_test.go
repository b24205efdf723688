package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
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
