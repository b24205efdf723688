package paycoolstest_test

import (
	"context"
	"encoding/csv"
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
		s.Seed(paycoolstest.SeedRecord{Payout: true, MchOrderID: "OUT001", Amount: 500, Status: paycools.TransactionStatusPending})
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
		paycoolstest.SeedRecord{Payout: true, MchOrderID: "FAILOK", Amount: 500, Status: paycools.TransactionStatusFailed},
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
		"id,dir,amount,currency,status\n": "line 1: column 1",
		"":                                "line 1: the file is empty: want the header mchOrderId,direction,amount,currency,status",
		"\xef\xbb\xbf":                    "the file is empty",
		"mchOrderId,direction,amount\nA,payout,5\n":                                       "want 5 (mchOrderId,direction,amount,currency,status)",
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

// A double payout (one order, two PayCools transactions) is a duplicate, never two matches,
// and so is an order the books do not have listed twice.
func TestReconcileDuplicateInStatement(t *testing.T) {
	s, c := reconcileGateway(t, paycools.DialectPH)
	s.Seed(
		paycoolstest.SeedRecord{Payout: true, MchOrderID: "DOUBLE", TransactionID: "DS01", Amount: 500},
		paycoolstest.SeedRecord{Payout: true, MchOrderID: "DOUBLE", TransactionID: "DS02", Amount: 500},
		paycoolstest.SeedRecord{MchOrderID: "ONCE", Amount: 100},
		paycoolstest.SeedRecord{MchOrderID: "STRANGER", TransactionID: "CS01", Amount: 7},
		paycoolstest.SeedRecord{MchOrderID: "STRANGER", TransactionID: "CS02", Amount: 7},
	)
	books := "mchOrderId,direction,amount,currency,status\nDOUBLE,payout,500,PHP,COMPLETED\nONCE,collection,100,PHP,COMPLETED\n"
	rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
	require.NoError(t, err)
	assert.False(t, rep.OK(), "a double payout is not everything matching")
	assert.Equal(t, 1, rep.Matched, "only ONCE matches")
	require.Len(t, rep.Duplicates, 2, "%+v", rep.Duplicates)
	byOrder := map[string]paycools.ReconcileItem{}
	for _, d := range rep.Duplicates {
		byOrder[d.MchOrderID] = d
	}
	d := byOrder["DOUBLE"]
	assert.Equal(t, paycools.DirectionPayout, d.Direction)
	assert.Equal(t, 2, d.Listed)
	assert.Equal(t, "DS02", d.TransactionID)
	assert.EqualValues(t, 500, d.BooksAmount)
	assert.Contains(t, d.Problem, "different transactions")
	assert.Equal(t, 2, byOrder["STRANGER"].Listed)
	require.Len(t, rep.OnlyAtPayCools, 1, "STRANGER is at PayCools once as a mismatch, once as a duplicate")
	assert.Equal(t, "STRANGER", rep.OnlyAtPayCools[0].MchOrderID)
	assert.Empty(t, rep.OnlyInBooks)
	assert.Equal(t, paycools.ReconcileTotal{Currency: paycools.CurrencyPHP, Direction: paycools.DirectionPayout,
		PayCoolsCount: 2, PayCoolsAmount: 1000, BooksCount: 1, BooksAmount: 500}, rep.Totals[1], "the totals show the money paid twice")
}

// A host whose pages overlap lists the records on the boundaries twice: duplicates, not OK.
func TestReconcileRecordRepeatedAcrossPages(t *testing.T) {
	s, c := reconcileGateway(t, paycools.DialectOpenAPI, paycoolstest.WithStatementPageSize(2), paycoolstest.WithStatementOverlap(1))
	books := "mchOrderId,direction,amount,currency,status\n"
	for i := 0; i < 5; i++ {
		id := fmt.Sprintf("OV%d", i)
		s.Seed(paycoolstest.SeedRecord{MchOrderID: id, TransactionID: "TX" + id, Amount: 100})
		books += id + ",collection,100,PHP,COMPLETED\n"
	}
	rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
	require.NoError(t, err)
	assert.False(t, rep.OK())
	assert.Equal(t, 7, rep.Records, "pages [0,2) [1,4) [3,5): OV1 and OV3 twice")
	assert.Equal(t, 3, rep.Matched)
	require.Len(t, rep.Duplicates, 2)
	for i, want := range []string{"OV1", "OV3"} {
		d := rep.Duplicates[i]
		assert.Equal(t, want, d.MchOrderID)
		assert.Equal(t, "TX"+want, d.TransactionID)
		assert.Equal(t, 2, d.Listed)
		assert.Equal(t, "transaction TX"+want+" listed 2 times (statement pages overlapped?)", d.Problem)
	}
	assert.Empty(t, rep.AmountMismatch)
	assert.Empty(t, rep.OnlyAtPayCools)
}

// Books that carry a currency are compared on it: USD in the books is not PayCools' PHP.
func TestReconcileCurrencyMismatch(t *testing.T) {
	s, c := reconcileGateway(t, paycools.DialectPH)
	s.Seed(paycoolstest.SeedRecord{MchOrderID: "USD1", Amount: 100}, paycoolstest.SeedRecord{MchOrderID: "PHP1", Amount: 200},
		paycoolstest.SeedRecord{MchOrderID: "NONE1", Amount: 300})
	books := "mchOrderId,direction,amount,currency,status\nUSD1,collection,100,USD,COMPLETED\nPHP1,collection,200,php,COMPLETED\nNONE1,collection,300,,\n"
	rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
	require.NoError(t, err)
	assert.False(t, rep.OK())
	assert.Equal(t, 2, rep.Matched)
	require.Len(t, rep.CurrencyMismatch, 1)
	m := rep.CurrencyMismatch[0]
	assert.Equal(t, "USD1", m.MchOrderID)
	assert.Equal(t, paycools.CurrencyPHP, m.PayCoolsCurrency)
	assert.Equal(t, paycools.Currency("USD"), m.BooksCurrency)
	assert.Equal(t, "currency: PayCools PHP, books USD", m.Problem)
	assert.Empty(t, rep.AmountMismatch)

	// The statements' currency is an option: PHP books are then the mismatch.
	rep, err = paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{Currency: "usd"})
	require.NoError(t, err)
	require.Len(t, rep.CurrencyMismatch, 1)
	assert.Equal(t, "PHP1", rep.CurrencyMismatch[0].MchOrderID)
	assert.Equal(t, 2, rep.Matched, "USD1, and NONE1 in the statements' currency")
}

// A record the SDK cannot decode is reported with its ids and text, and its order is not
// reported missing from PayCools (nor an anonymous 0.00 order at PayCools).
func TestReconcileUnreadableRecord(t *testing.T) {
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		s, c := reconcileGateway(t, d)
		s.Seed(paycoolstest.SeedRecord{MchOrderID: "GOOD", Amount: 100},
			paycoolstest.SeedRecord{MchOrderID: "BAD1", TransactionID: "CBAD0001", Amount: 200, WireAmount: "N/A"},
			paycoolstest.SeedRecord{Payout: true, MchOrderID: "BADPO", TransactionID: "PBAD0001", Amount: 300, WireAmount: "3.005"})
		books := "mchOrderId,direction,amount,currency,status\nGOOD,collection,100,PHP,\nBAD1,collection,200,PHP,\nBADPO,payout,300,PHP,\n"
		rep, err := paycools.Reconcile(context.Background(), c, "2026-12-01", csvBooks(books), paycools.ReconcileOptions{})
		require.NoError(t, err, d)
		assert.False(t, rep.OK(), d)
		assert.Equal(t, 1, rep.Matched, d)
		assert.Equal(t, 3, rep.Records, d)
		assert.Empty(t, rep.OnlyInBooks, "%s: the unreadable records' orders are not missing", d)
		assert.Empty(t, rep.OnlyAtPayCools, "%s: no anonymous order", d)
		require.Len(t, rep.Unreadable, 2, d)
		u := rep.Unreadable[0]
		assert.Equal(t, "BAD1", u.MchOrderID, d)
		assert.Equal(t, paycools.DirectionCollection, u.Direction, d)
		assert.Equal(t, "CBAD0001", u.TransactionID, d)
		assert.EqualValues(t, 200, u.BooksAmount, d)
		assert.Contains(t, u.Problem, "unreadable: amount", d)
		assert.Contains(t, u.Record, `"amount":"N/A"`, d)
		assert.Contains(t, u.Record, `"merchantOrderId":"BAD1"`, d)
		assert.Contains(t, u.Record, `"createTime":"2026-12-01 10:00:00"`, d)
		assert.NotContains(t, u.Record, "09171234567", "%s: the payer's mobile is masked", d)
		assert.Equal(t, "BADPO", rep.Unreadable[1].MchOrderID, d)
		assert.Equal(t, "PBAD0001", rep.Unreadable[1].TransactionID, d)
		assert.Contains(t, rep.Unreadable[1].Problem, "3.005", d)
		assert.Equal(t, []paycools.ReconcileTotal{
			{Currency: paycools.CurrencyPHP, Direction: paycools.DirectionCollection, PayCoolsCount: 1, PayCoolsAmount: 100, BooksCount: 2, BooksAmount: 300},
			{Currency: paycools.CurrencyPHP, Direction: paycools.DirectionPayout, BooksCount: 1, BooksAmount: 300},
		}, rep.Totals, "%s: an unreadable record's amount is unknown: in no total", d)
	}
}

// CSVBooks never panics: a stray quote is an error naming its line, every bad row is
// reported in one run, and Excel's UTF-8 byte order mark is skipped.
func TestReconcileCSVBadRowsAndBOM(t *testing.T) {
	s, c := reconcileGateway(t, paycools.DialectPH)
	s.Seed(paycoolstest.SeedRecord{MchOrderID: "A1", Amount: 100})
	ctx := context.Background()

	rep, err := paycools.Reconcile(ctx, c, "2026-12-01", csvBooks("\ufeffmchOrderId,direction,amount,currency,status\r\nA1,collection,100,PHP,COMPLETE\r\n"), paycools.ReconcileOptions{})
	require.NoError(t, err, "a BOM before the header is skipped")
	assert.True(t, rep.OK(), "%+v", rep)
	assert.Equal(t, 1, rep.Matched)

	_, err = paycools.Reconcile(ctx, c, "2026-12-01", csvBooks("mchOrderId,direction,amount,currency,status\nA1,collection,100,PHP,\nA2\",collection,5,PHP,\n"), paycools.ReconcileOptions{})
	require.Error(t, err)
	var rowErr *paycools.CSVRowError
	require.ErrorAs(t, err, &rowErr)
	assert.Equal(t, 3, rowErr.Line)
	assert.ErrorIs(t, err, csv.ErrBareQuote)
	assert.ErrorContains(t, err, "CSV line 3: bare \" in non-quoted-field")

	bad := "mchOrderId,direction,amount,currency,status\n" +
		"A1,collection,100,PHP,\n" +
		"B,in,1,,\n" + // line 3
		"C,payout,5.00,PHP,\n" + // line 4
		"D,payout,5,PHP,OK\n" + // line 5
		"E,payout,5\n" + // line 6
		"G,payout,5,P\"HP,\n" + // line 7
		"\"F,payout,5,PHP,\n" // line 8: the quote is never closed
	_, err = paycools.Reconcile(ctx, c, "2026-12-01", csvBooks(bad), paycools.ReconcileOptions{})
	require.Error(t, err)
	for _, want := range []string{"CSV line 3: direction \"in\"", "CSV line 4: amount \"5.00\"", "CSV line 5: status \"OK\"",
		"CSV line 6: wrong number of fields", "CSV line 7: bare \" in non-quoted-field", "CSV line 8: extraneous or missing \" in quoted-field"} {
		assert.ErrorContains(t, err, want)
	}
	assert.NotContains(t, err.Error(), "line 2")
}
