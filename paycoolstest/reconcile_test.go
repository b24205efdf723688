package paycoolstest_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func csvBooks(text string) paycools.CSVBooks {
	return paycools.CSVBooks{Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(text)), nil }}
}

var reconcileDay = time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("PHT", 8*3600))

func reconcileGateway(t *testing.T, dialect paycools.Dialect, opts ...paycoolstest.Option) (*paycoolstest.Server, *paycools.Client) {
	m, p := keys()
	all := append([]paycoolstest.Option{paycoolstest.WithKeys(m, p), paycoolstest.WithDialect(dialect),
		paycoolstest.WithClock(func() time.Time { return reconcileDay })}, opts...)
	s := paycoolstest.New(t, all...)
	return s, s.Client(paycools.WithRetries(2))
}

func TestReconcileEverythingMatches(t *testing.T) {
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		s, c := reconcileGateway(t, d, paycoolstest.WithStatementPageSize(3))
		var books strings.Builder
		books.WriteString("mchOrderId,direction,amount,currency,status\n")
		for i := 0; i < 7; i++ { // pages of 3: a record on each boundary
			id := fmt.Sprintf("IN%03d", i)
			s.Seed(paycoolstest.SeedRecord{MchOrderID: id, Amount: paycools.Amount(1000 + i)})
			fmt.Fprintf(&books, "%s,collection,%d,PHP,COMPLETE\n", id, 1000+i)
		}
		s.Seed(paycoolstest.SeedRecord{Payout: true, MchOrderID: "OUT001", Amount: 500, Status: paycools.TransactionPending})
		books.WriteString("OUT001,payout,500,,PENDING\n")
		var progress []int
		rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books.String()),
			paycools.ReconcileOptions{Progress: func(pages, records int) { progress = append(progress, records) }})
		require.NoError(t, err, d)
		assert.True(t, rep.OK(), "%s: %+v", d, rep)
		assert.Equal(t, 8, rep.Matched)
		assert.Equal(t, 8, rep.Records)
		assert.Equal(t, 6, rep.Pages, "3+3+1 and the empty page, then 1 payout and the empty page")
		assert.Equal(t, []int{3, 6, 7, 7, 8, 8}, progress)
		require.Len(t, rep.Totals, 2)
		assert.Equal(t, paycools.ReconcileTotal{Currency: paycools.CurrencyPHP, Direction: paycools.DirectionCollection,
			PayCoolsCount: 7, PayCoolsAmount: 7021, BooksCount: 7, BooksAmount: 7021}, rep.Totals[0])
	}
}

func TestReconcileReportsEachMismatch(t *testing.T) {
	s, c := reconcileGateway(t, paycools.DialectPH)
	s.Seed(
		paycoolstest.SeedRecord{MchOrderID: "OK1", Amount: 100},
		paycoolstest.SeedRecord{MchOrderID: "ONLYPC", Amount: 200},
		paycoolstest.SeedRecord{MchOrderID: "AMT", Amount: 300},
		paycoolstest.SeedRecord{MchOrderID: "FINAL", Amount: 400},
		paycoolstest.SeedRecord{Payout: true, MchOrderID: "FAILOK", Amount: 500, Status: paycools.TransactionFailed},
		paycoolstest.SeedRecord{MchOrderID: "OTHERDAY", Amount: 9, Time: reconcileDay.Add(-48 * time.Hour)},
	)
	books := "mchOrderId,direction,amount,currency,status\n" +
		"OK1,collection,100,PHP,COMPLETED\n" +
		"AMT,collection,310,PHP,COMPLETED\n" +
		"FINAL,collection,400,PHP,PENDING\n" +
		"FAILOK,payout,500,PHP,COMPLETE\n" +
		"ONLYBOOKS,payout,700,PHP,\n"
	rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
	require.NoError(t, err)
	assert.False(t, rep.OK())
	assert.Equal(t, 1, rep.Matched)
	require.Len(t, rep.OnlyAtPayCools, 1)
	assert.Equal(t, "ONLYPC", rep.OnlyAtPayCools[0].MchOrderID)
	require.Len(t, rep.OnlyInBooks, 1)
	assert.Equal(t, "ONLYBOOKS", rep.OnlyInBooks[0].MchOrderID)
	require.Len(t, rep.AmountMismatch, 1)
	assert.Equal(t, "AMT", rep.AmountMismatch[0].MchOrderID)
	assert.EqualValues(t, 300, rep.AmountMismatch[0].PayCoolsAmount)
	assert.EqualValues(t, 310, rep.AmountMismatch[0].BooksAmount)
	require.Len(t, rep.StatusMismatch, 2)
	assert.Equal(t, "FINAL", rep.StatusMismatch[0].MchOrderID)
	assert.Contains(t, rep.StatusMismatch[0].Problem, "final at PayCools (COMPLETED), not final in the books (PENDING)")
	assert.Equal(t, "FAILOK", rep.StatusMismatch[1].MchOrderID)
	assert.Contains(t, rep.StatusMismatch[1].Problem, "PayCools FAILED, books COMPLETED")
}

func TestReconcilePageFailsOnceIsRetried(t *testing.T) {
	s, c := reconcileGateway(t, paycools.DialectOpenAPI, paycoolstest.WithStatementPageSize(2))
	books := "mchOrderId,direction,amount,currency,status\n"
	for i := 0; i < 6; i++ {
		id := fmt.Sprintf("P%d", i)
		s.Seed(paycoolstest.SeedRecord{MchOrderID: id, Amount: 100})
		books += id + ",collection,100,PHP,COMPLETED\n"
	}
	s.InjectStatementFault(paycools.OpAccountPaymentStatement, 2, paycoolstest.Fault{HTTPStatus: 503})
	rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep)
	assert.Equal(t, 6, rep.Records, "no record counted twice or lost")
	assert.Equal(t, 6, rep.Matched)

	// A page that keeps failing ends the run with an error, not a partial report.
	for i := 0; i < 3; i++ {
		s.InjectStatementFault(paycools.OpAccountPaymentStatement, 3, paycoolstest.Fault{HTTPStatus: 503})
	}
	rep, err = paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
	assert.Nil(t, rep)
	assert.ErrorContains(t, err, "page 3")
}

func TestReconcileEmptyDayAndBadCSV(t *testing.T) {
	_, c := reconcileGateway(t, paycools.DialectPH)
	rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks("mchOrderId,direction,amount,currency,status\n"), paycools.ReconcileOptions{})
	require.NoError(t, err)
	assert.True(t, rep.OK())
	assert.Zero(t, rep.Records)
	assert.Equal(t, 2, rep.Pages, "one empty page per statement")

	for bad, want := range map[string]string{
		"id,dir,amount,currency,status\n":                                                 "line 1: column 1",
		"mchOrderId,direction,amount,currency,status\nA,collection,100,PHP,\nB,in,1,,\n":  "line 3: direction \"in\"",
		"mchOrderId,direction,amount,currency,status\nA,payout,500.10,PHP,\n":             "line 2: amount \"500.10\": want minor units",
		"mchOrderId,direction,amount,currency,status\nA,payout,5,PHP,DONE\n":              "line 2: status \"DONE\"",
		"mchOrderId,direction,amount,currency,status\n,payout,5,PHP,\n":                   "line 2: mchOrderId is empty",
		"mchOrderId,direction,amount,currency,status\nA,payout,5,PHP\n":                   "wrong number of fields",
		"mchOrderId,direction,amount,currency,status\nA,payout,5,PHP,\nA,payout,6,PHP,\n": "appears twice",
	} {
		_, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(bad), paycools.ReconcileOptions{})
		assert.ErrorContains(t, err, want, bad)
	}
}
