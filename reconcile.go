package paycools

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strconv"
	"strings"
)

// Direction says which way money moved: into the merchant (a collection, statement 2.2) or
// out (a payout, statement 2.3).
type Direction string

// Directions.
const (
	DirectionCollection Direction = "collection"
	DirectionPayout     Direction = "payout"
)

// BookRecord is one order as the merchant's own books hold it.
type BookRecord struct {
	// MchOrderID is the merchant order id, the key both sides share.
	MchOrderID string
	// Direction is collection or payout.
	Direction Direction
	// Amount in minor units (PHP 500.10 is 50010).
	Amount Amount
	// Currency of Amount ("" means the report's currency, PHP by default).
	Currency Currency
	// Status is what the books say (PENDING, COMPLETED or FAILED, any PayCools spelling); ""
	// when the books do not track it (no status comparison then).
	Status TransactionStatus
}

// Books is the merchant's side of a reconciliation: the day's orders. Reconcile reads them
// once into an index (memory is O(books)), then streams PayCools' statements against it.
type Books interface {
	// Records iterates over the books' orders of day (yyyy-MM-dd, the PayCools business day).
	Records(ctx context.Context, day string) iter.Seq2[BookRecord, error]
}

// ReconcileItem is one order that did not match, with both sides as far as they exist.
type ReconcileItem struct {
	// MchOrderID and Direction identify the order.
	MchOrderID string
	Direction  Direction
	// TransactionID is PayCools' id ("" when PayCools does not have the order).
	TransactionID string
	// PayCoolsAmount and BooksAmount are the two amounts (minor units).
	PayCoolsAmount, BooksAmount Amount
	// PayCoolsStatus and BooksStatus are the two statuses, spellings normalised.
	PayCoolsStatus, BooksStatus TransactionStatus
	// Problem says what does not match, in words.
	Problem string
}

// ReconcileTotal sums one currency and direction on both sides.
type ReconcileTotal struct {
	Currency  Currency
	Direction Direction
	// PayCoolsCount and PayCoolsAmount are the statement's records and their sum.
	PayCoolsCount  int
	PayCoolsAmount Amount
	// BooksCount and BooksAmount are the books' records and their sum.
	BooksCount  int
	BooksAmount Amount
}

// ReconcileReport is the result of Reconcile. Only the mismatches are listed: a day's matched
// records are counted, never held.
type ReconcileReport struct {
	// Day is the business day reconciled (yyyy-MM-dd).
	Day string
	// Matched counts the orders that agree on both sides.
	Matched int
	// OnlyAtPayCools are records of the statements the books do not have.
	OnlyAtPayCools []ReconcileItem
	// OnlyInBooks are orders of the books the statements do not have.
	OnlyInBooks []ReconcileItem
	// AmountMismatch are orders whose amounts differ.
	AmountMismatch []ReconcileItem
	// StatusMismatch are orders whose statuses disagree: final on one side and not the other,
	// or success on one side and failure on the other.
	StatusMismatch []ReconcileItem
	// Totals per currency and direction, sorted.
	Totals []ReconcileTotal
	// Pages and Records count what was read from PayCools.
	Pages, Records int
}

// OK reports whether everything matched.
func (r *ReconcileReport) OK() bool {
	return len(r.OnlyAtPayCools) == 0 && len(r.OnlyInBooks) == 0 && len(r.AmountMismatch) == 0 && len(r.StatusMismatch) == 0
}

// ReconcileOptions tune Reconcile; the zero value is the default.
type ReconcileOptions struct {
	// Currency is the currency of the statements' amounts (they carry none) and of book
	// records without one; default PHP.
	Currency Currency
	// Progress, when set, is called after every statement page with the pages and records
	// read so far.
	Progress func(pages, records int)
}

// Reconcile matches one business day of PayCools' statements (2.2 collections and 2.3
// payouts, created on day, yyyy-MM-dd in PayCools' time, UTC+8 on the PH host) against the
// merchant's books, and reports every difference. The books are read once into an index; the
// statements are streamed page by page (Account.PaymentStatementRecords and
// PayoutStatementRecords), so PayCools' side of the day is never held in memory. A page that
// keeps failing ends the run with its error and no report: a partial report would show false
// mismatches.
func Reconcile(ctx context.Context, c *Client, day string, books Books, opts ReconcileOptions) (*ReconcileReport, error) {
	if c == nil || books == nil {
		return nil, errors.New("paycools: Reconcile: nil client or books")
	}
	if opts.Currency == "" {
		opts.Currency = CurrencyPHP
	}
	type key struct {
		dir Direction
		id  string
	}
	type entry struct {
		rec  BookRecord
		seen bool
	}
	index := map[key]*entry{}
	rep := &ReconcileReport{Day: day}
	totals := map[[2]string]*ReconcileTotal{}
	total := func(cur Currency, dir Direction) *ReconcileTotal {
		k := [2]string{string(cur), string(dir)}
		t := totals[k]
		if t == nil {
			t = &ReconcileTotal{Currency: cur, Direction: dir}
			totals[k] = t
		}
		return t
	}
	for rec, err := range books.Records(ctx, day) {
		if err != nil {
			return nil, fmt.Errorf("paycools: Reconcile: books: %w", err)
		}
		if rec.Currency == "" {
			rec.Currency = opts.Currency
		}
		rec.Status = normalStatus(rec.Status)
		k := key{rec.Direction, rec.MchOrderID}
		if _, dup := index[k]; dup {
			return nil, fmt.Errorf("paycools: Reconcile: books: %s order %q appears twice", rec.Direction, rec.MchOrderID)
		}
		index[k] = &entry{rec: rec}
		t := total(rec.Currency, rec.Direction)
		t.BooksCount++
		t.BooksAmount += rec.Amount
	}
	match := func(dir Direction, id, txn string, amount Amount, status TransactionStatus) {
		rep.Records++
		t := total(opts.Currency, dir)
		t.PayCoolsCount++
		t.PayCoolsAmount += amount
		status = normalStatus(status)
		e, ok := index[key{dir, id}]
		if !ok {
			rep.OnlyAtPayCools = append(rep.OnlyAtPayCools, ReconcileItem{MchOrderID: id, Direction: dir, TransactionID: txn,
				PayCoolsAmount: amount, PayCoolsStatus: status, Problem: "at PayCools, not in the books"})
			return
		}
		e.seen = true
		item := ReconcileItem{MchOrderID: id, Direction: dir, TransactionID: txn, PayCoolsAmount: amount, BooksAmount: e.rec.Amount,
			PayCoolsStatus: status, BooksStatus: e.rec.Status}
		bad := false
		if amount != e.rec.Amount {
			item.Problem = fmt.Sprintf("amount: PayCools %s, books %s", amount, e.rec.Amount)
			rep.AmountMismatch = append(rep.AmountMismatch, item)
			bad = true
		}
		if p := statusProblem(status, e.rec.Status); p != "" {
			item.Problem = p
			rep.StatusMismatch = append(rep.StatusMismatch, item)
			bad = true
		}
		if !bad {
			rep.Matched++
		}
	}
	// The statements, streamed; every page fetched counts for the progress line.
	fetched := 0
	onPage := func(n int) {
		rep.Pages++
		fetched += n
		if opts.Progress != nil {
			opts.Progress(rep.Pages, fetched)
		}
	}
	payments := pages(ctx, 1, func(ctx context.Context, page int) ([]PaymentRecord, error) {
		st, err := c.Account.PaymentStatement(ctx, &AccountPaymentStatementParams{CreateDate: day, Page: page})
		if err != nil {
			return nil, err
		}
		onPage(len(st.Records))
		return st.Records, nil
	}, func(r *PaymentRecord) string { return r.TransactionID + "/" + r.MerchantOrderID })
	for rec, err := range payments {
		if err != nil {
			return nil, fmt.Errorf("paycools: Reconcile: payment statement: %w", err)
		}
		match(DirectionCollection, rec.MerchantOrderID, rec.TransactionID, rec.Amount, rec.Status)
	}
	payouts := pages(ctx, 1, func(ctx context.Context, page int) ([]PayoutRecord, error) {
		st, err := c.Account.PayoutStatement(ctx, &AccountPayoutStatementParams{CreateDate: day, Page: page})
		if err != nil {
			return nil, err
		}
		onPage(len(st.Records))
		return st.Records, nil
	}, func(r *PayoutRecord) string { return r.TransactionID + "/" + r.MerchantOrderID })
	for rec, err := range payouts {
		if err != nil {
			return nil, fmt.Errorf("paycools: Reconcile: payout statement: %w", err)
		}
		match(DirectionPayout, rec.MerchantOrderID, rec.TransactionID, rec.Amount, rec.Status)
	}
	for _, e := range index {
		if !e.seen {
			rep.OnlyInBooks = append(rep.OnlyInBooks, ReconcileItem{MchOrderID: e.rec.MchOrderID, Direction: e.rec.Direction,
				BooksAmount: e.rec.Amount, BooksStatus: e.rec.Status, Problem: "in the books, not at PayCools"})
		}
	}
	sort.Slice(rep.OnlyInBooks, func(a, b int) bool { return rep.OnlyInBooks[a].MchOrderID < rep.OnlyInBooks[b].MchOrderID })
	for _, t := range totals {
		rep.Totals = append(rep.Totals, *t)
	}
	sort.Slice(rep.Totals, func(a, b int) bool {
		if rep.Totals[a].Currency != rep.Totals[b].Currency {
			return rep.Totals[a].Currency < rep.Totals[b].Currency
		}
		return rep.Totals[a].Direction < rep.Totals[b].Direction
	})
	return rep, nil
}

// normalStatus is a status in the SDK's spelling (COMPLETE is COMPLETED, FAIL is FAILED).
func normalStatus(s TransactionStatus) TransactionStatus {
	if v, ok := transactionStatusSpellings[strings.ToUpper(strings.TrimSpace(string(s)))]; ok {
		return TransactionStatus(v)
	}
	return s
}

// statusProblem says how two statuses disagree, or "" when they agree (or the books have
// none).
func statusProblem(paycools, books TransactionStatus) string {
	switch {
	case books == "" || paycools == books:
		return ""
	case paycools.Final() != books.Final():
		if paycools.Final() {
			return fmt.Sprintf("status: final at PayCools (%s), not final in the books (%s)", paycools, books)
		}
		return fmt.Sprintf("status: not final at PayCools (%s), final in the books (%s)", paycools, books)
	default:
		return fmt.Sprintf("status: PayCools %s, books %s", paycools, books)
	}
}

// CSVBooks are books read from CSV: a header row, then one order per row with the columns
// mchOrderId,direction,amount,currency,status (direction collection or payout; amount in minor
// units, digits only; currency and status may be empty). The file is the day's books: Records
// ignores its day argument. A bad row ends the iteration with an error naming its line:
// nothing is skipped silently.
type CSVBooks struct {
	// Open returns the CSV text; it is called once per Records.
	Open func() (io.ReadCloser, error)
}

// csvColumns is the header CSVBooks wants.
var csvColumns = []string{"mchOrderId", "direction", "amount", "currency", "status"}

// Records iterates over the rows.
func (b CSVBooks) Records(ctx context.Context, _ string) iter.Seq2[BookRecord, error] {
	return func(yield func(BookRecord, error) bool) {
		rc, err := b.Open()
		if err != nil {
			yield(BookRecord{}, err)
			return
		}
		defer rc.Close()
		r := csv.NewReader(rc)
		r.FieldsPerRecord = len(csvColumns)
		r.TrimLeadingSpace = true
		head, err := r.Read()
		if err != nil {
			yield(BookRecord{}, fmt.Errorf("CSV line 1: %w", err))
			return
		}
		for i, want := range csvColumns {
			if !strings.EqualFold(strings.TrimSpace(head[i]), want) {
				yield(BookRecord{}, fmt.Errorf("CSV line 1: column %d is %q, want the header %s", i+1, head[i], strings.Join(csvColumns, ",")))
				return
			}
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(BookRecord{}, err)
				return
			}
			row, err := r.Read()
			if err == io.EOF {
				return
			}
			line, _ := r.FieldPos(0)
			if err != nil {
				yield(BookRecord{}, fmt.Errorf("CSV: %w", err))
				return
			}
			rec, err := csvRecord(row)
			if err != nil {
				yield(BookRecord{}, fmt.Errorf("CSV line %d: %w", line, err))
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

func csvRecord(row []string) (BookRecord, error) {
	rec := BookRecord{MchOrderID: strings.TrimSpace(row[0]), Direction: Direction(strings.ToLower(strings.TrimSpace(row[1]))),
		Currency: Currency(strings.ToUpper(strings.TrimSpace(row[3])))}
	if rec.MchOrderID == "" {
		return rec, errors.New("mchOrderId is empty")
	}
	if rec.Direction != DirectionCollection && rec.Direction != DirectionPayout {
		return rec, fmt.Errorf("direction %q: want collection or payout", row[1])
	}
	amt := strings.TrimSpace(row[2])
	n, err := strconv.ParseInt(amt, 10, 64)
	if err != nil || n < 0 || strings.HasPrefix(amt, "+") {
		return rec, fmt.Errorf("amount %q: want minor units as digits (PHP 500.10 is 50010)", row[2])
	}
	rec.Amount = Amount(n)
	if st := strings.TrimSpace(row[4]); st != "" {
		norm := normalStatus(TransactionStatus(st))
		if norm != TransactionPending && norm != TransactionCompleted && norm != TransactionFailed {
			return rec, fmt.Errorf("status %q: want PENDING, COMPLETED or FAILED", st)
		}
		rec.Status = norm
	}
	return rec, nil
}
