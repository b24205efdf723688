package paycoolssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// businessDay is the zone of PayCools' business day on the PH host (UTC+8), the day of the
// statements; WithBusinessDay sets another.
var businessDay = time.FixedZone("UTC+8", 8*3600)

// OpenLedgerBooks returns the books of the merchant application appID in the Ledger table on
// db for paycools.Reconcile, as Ledger.Books does, for a role that may only read the table (GRANT SELECT): it runs no DDL
// and writes nothing, so it neither creates a missing table nor migrates an old one. It reads
// the table once to check it is there with the columns the books need, and fails naming the
// table when it is not (create it with NewLedger or LedgerDDL, with a role that may). Options:
// WithTable and WithBusinessDay; the others do not concern reading.
func OpenLedgerBooks(ctx context.Context, db *sql.DB, flavor Flavor, appID string, opts ...Option) (paycools.Books, error) {
	cfg, err := newConfig(db, flavor, "paycools_intents", opts)
	if err != nil {
		return nil, err
	}
	if appID == "" {
		return nil, errors.New("paycoolssql: OpenLedgerBooks: appID is empty: give the appId whose books to read (PAYCOOLS_APP_ID)")
	}
	probe := statement(flavor, cfg.table, `SELECT app_id, operation, mch_order_id, amount, state, final_status, created_at, {SEQ_ORDER} FROM {T} WHERE 1 = 0`)
	rows, err := db.QueryContext(ctx, probe)
	if err == nil {
		err = rows.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("paycoolssql: ledger books: table %s cannot be read (NewLedger, run once by a role that may, creates or migrates it; then grant SELECT on it): %w", cfg.table, err)
	}
	b := newLedgerBooks(db, flavor, cfg)
	b.appID = appID
	return b, nil
}

// ledgerBooks reads the intents created on a day from a ledger table: one SELECT, nothing else.
type ledgerBooks struct {
	appID    string // the application whose intents are read
	db       *sql.DB
	dayQuery string
	dayZone  *time.Location
}

func newLedgerBooks(db *sql.DB, flavor Flavor, cfg *config) ledgerBooks {
	return ledgerBooks{db: db, dayZone: cfg.dayZone, dayQuery: statement(flavor, cfg.table,
		`SELECT operation, mch_order_id, amount, final_status FROM {T} WHERE app_id = $3 AND state IN ('created', 'late') AND created_at >= $1 AND created_at < $2 ORDER BY created_at, {SEQ_ORDER}`)}
}

var bookDirections = map[paycools.Operation]paycools.Direction{
	paycools.OpPayoutCreate:             paycools.DirectionPayout,
	paycools.OpWebPaymentCreate:         paycools.DirectionCollection,
	paycools.OpCheckoutCreate:           paycools.DirectionCollection,
	paycools.OpDirectDebitCreatePayment: paycools.DirectionCollection,
}

// bookStatus is the status the books give an order whose final status in the ledger is
// final: that status, or PENDING while the merchant's code has not handled a final state
// (Reconcile then reports the order as differing from a final statement line: run
// Client.Sync).
func bookStatus(final string) paycools.TransactionStatus {
	if final == "" {
		return paycools.TransactionStatusPending
	}
	return paycools.TransactionStatus(final)
}

func (b ledgerBooks) Records(ctx context.Context, day string) iter.Seq2[paycools.BookRecord, error] {
	return func(yield func(paycools.BookRecord, error) bool) {
		start, err := time.ParseInLocation("2006-01-02", day, b.dayZone)
		if err != nil {
			yield(paycools.BookRecord{}, fmt.Errorf("paycoolssql: books: day %q: want yyyy-MM-dd", day))
			return
		}
		rows, err := b.db.QueryContext(ctx, b.dayQuery, millis(start), millis(start.AddDate(0, 0, 1)), b.appID)
		if err != nil {
			yield(paycools.BookRecord{}, fmt.Errorf("paycoolssql: books: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var op, order, final string
			var amount int64
			if err := rows.Scan(&op, &order, &amount, &final); err != nil {
				yield(paycools.BookRecord{}, fmt.Errorf("paycoolssql: books: %w", err))
				return
			}
			dir, ok := bookDirections[paycools.Operation(op)]
			if !ok {
				continue
			}
			if !yield(paycools.BookRecord{MchOrderID: order, Direction: dir, Amount: paycools.Amount(amount), Status: bookStatus(final)}, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(paycools.BookRecord{}, fmt.Errorf("paycoolssql: books: %w", err))
		}
	}
}
