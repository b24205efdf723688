package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"sort"
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
	// An error yielded for one record (a bad row) need not end the iteration: Reconcile reads
	// on and refuses the books with every error (up to 100). An iterator that cannot go on
	// returns after its error.
	Records(ctx context.Context, day string) iter.Seq2[BookRecord, error]
}

// ReconcileItem is one order that did not match, with both sides as far as they exist.
type ReconcileItem struct {
	// MchOrderID and Direction identify the order (MchOrderID is "" for an unreadable record
	// that does not say).
	MchOrderID string    `json:"mchOrderId"`
	Direction  Direction `json:"direction"`
	// TransactionID is PayCools' id ("" when PayCools does not have the order, or an unreadable
	// record does not say). In Duplicates, the id of the record that repeated the order.
	TransactionID string `json:"transactionId"`
	// PayCoolsAmount and BooksAmount are the two amounts (minor units, PHP 500.10 is 50010).
	PayCoolsAmount Amount `json:"paycoolsAmount"`
	BooksAmount    Amount `json:"booksAmount"`
	// PayCoolsCurrency and BooksCurrency are the two currencies: the statements'
	// (ReconcileOptions.Currency, as they carry none) and the books' record's ("" for the side
	// that does not have the order).
	PayCoolsCurrency Currency `json:"paycoolsCurrency"`
	BooksCurrency    Currency `json:"booksCurrency"`
	// PayCoolsStatus and BooksStatus are the two statuses, spellings normalised.
	PayCoolsStatus TransactionStatus `json:"paycoolsStatus"`
	BooksStatus    TransactionStatus `json:"booksStatus"`
	// Listed is, in Duplicates, how many records of the statements carry the order (2 or
	// more); 0 in the other lists.
	Listed int `json:"listed,omitempty"`
	// Record is the statement record as PayCools sent it, in Unreadable only: ids, amounts and
	// times as sent, any other value with its digit runs (account, mobile numbers) masked to
	// their last 4, cut to 1000 characters. What to show PayCools' support.
	Record string `json:"record,omitempty"`
	// Problem says what does not match, in words.
	Problem string `json:"problem"`
}

// ReconcileTotal sums one currency and direction on both sides.
type ReconcileTotal struct {
	Currency  Currency  `json:"currency"`
	Direction Direction `json:"direction"`
	// PayCoolsCount and PayCoolsAmount are the statement's readable records and their sum
	// (every record listed, duplicates included: what the statement says).
	PayCoolsCount  int    `json:"paycoolsCount"`
	PayCoolsAmount Amount `json:"paycoolsAmount"`
	// BooksCount and BooksAmount are the books' records and their sum.
	BooksCount  int    `json:"booksCount"`
	BooksAmount Amount `json:"booksAmount"`
}

// ReconcileReport is the result of Reconcile. Only the mismatches are listed: a day's matched
// records are counted, never held.
type ReconcileReport struct {
	// Day is the business day reconciled (yyyy-MM-dd).
	Day string `json:"day"`
	// Matched counts the orders that agree on both sides: listed once by the statements, in
	// the books once, same currency, amount and status.
	Matched int `json:"matched"`
	// OnlyAtPayCools are records of the statements the books do not have (one per order).
	OnlyAtPayCools []ReconcileItem `json:"onlyAtPayCools"`
	// OnlyInBooks are orders of the books the statements do not have.
	OnlyInBooks []ReconcileItem `json:"onlyInBooks"`
	// AmountMismatch are orders whose amounts differ.
	AmountMismatch []ReconcileItem `json:"amountMismatch"`
	// StatusMismatch are orders whose statuses disagree: final on one side and not the other,
	// or success on one side and failure on the other.
	StatusMismatch []ReconcileItem `json:"statusMismatch"`
	// CurrencyMismatch are orders whose books' currency is not the statements'
	// (ReconcileOptions.Currency); their amounts are not compared.
	CurrencyMismatch []ReconcileItem `json:"currencyMismatch"`
	// Duplicates are orders the statements list more than once: one record repeated (pages
	// that overlapped while PayCools' list changed) or several PayCools transactions for one
	// order (paid twice). Such an order never counts as matched.
	Duplicates []ReconcileItem `json:"duplicates"`
	// Unreadable are statement records the SDK could not decode, or that carry no
	// merchantOrderId, with the ids that could be read from them and their text. Their amount
	// is unknown, so they are in no total, and their order is neither matched nor missing.
	Unreadable []ReconcileItem `json:"unreadable"`
	// Totals per currency and direction, sorted.
	Totals []ReconcileTotal `json:"totals"`
	// Pages and Records count what was read from PayCools.
	Pages   int `json:"pages"`
	Records int `json:"records"`
}

// OK reports whether everything matched: no list of differences has an entry.
func (r *ReconcileReport) OK() bool {
	return len(r.OnlyAtPayCools) == 0 && len(r.OnlyInBooks) == 0 && len(r.AmountMismatch) == 0 && len(r.StatusMismatch) == 0 &&
		len(r.CurrencyMismatch) == 0 && len(r.Duplicates) == 0 && len(r.Unreadable) == 0
}

// ReconcileOptions tune Reconcile; the zero value is the default.
type ReconcileOptions struct {
	// Currency is the currency of the statements' amounts (they carry none) and of book
	// records without one; default PHP. A book record in another currency is a
	// CurrencyMismatch.
	Currency Currency
	// Progress, when set, is called after every statement page with the pages and records
	// read so far.
	Progress func(pages, records int)
}

// maxBooksErrors is how many bad book records Reconcile collects before it stops reading.
const maxBooksErrors = 100

// Reconcile matches one business day of PayCools' statements (2.2 collections and 2.3
// payouts, created on day, yyyy-MM-dd in PayCools' time, UTC+8 on the PH host) against the
// merchant's books, and reports every difference. The books are read once into an index; the
// statements are streamed page by page (Account.PaymentStatementRecords and
// PayoutStatementRecords), so PayCools' side of the day is never held in memory. A page that
// keeps failing ends the run with its error and no report: a partial report would show false
// mismatches. Books that yield errors (bad rows of a CSVBooks, an order twice) are refused
// with all of them (up to 100), before any statement is read. The statements are those of c's
// application: give it that application's books (paycoolssql: Ledger.Books(c.AppID())).
func Reconcile(ctx context.Context, c *Client, day string, books Books, opts ReconcileOptions) (*ReconcileReport, error) {
	if c == nil || books == nil {
		return nil, errors.New("paycools: Reconcile: nil client or books")
	}
	r := &reconciler{rep: &ReconcileReport{Day: day}, cur: normalCurrency(opts.Currency), index: map[reconcileKey]*reconcileEntry{},
		totals: map[[2]string]*ReconcileTotal{}, seed: maphash.MakeSeed()}
	if r.cur == "" {
		r.cur = CurrencyPHP
	}
	if err := r.readBooks(ctx, books, day); err != nil {
		return nil, err
	}
	// The statements, streamed; every page fetched counts for the progress line.
	fetched := 0
	onPage := func(n int) {
		r.rep.Pages++
		fetched += n
		if opts.Progress != nil {
			opts.Progress(r.rep.Pages, fetched)
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
		if p := unmatchable[PaymentRecord](rec.MerchantOrderID, rec.Raw); p != "" {
			r.unreadable(DirectionCollection, rec.Raw, p)
			continue
		}
		r.match(DirectionCollection, rec.MerchantOrderID, rec.TransactionID, rec.Amount, rec.Status)
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
		if p := unmatchable[PayoutRecord](rec.MerchantOrderID, rec.Raw); p != "" {
			r.unreadable(DirectionPayout, rec.Raw, p)
			continue
		}
		r.match(DirectionPayout, rec.MerchantOrderID, rec.TransactionID, rec.Amount, rec.Status)
	}
	return r.finish(), nil
}

type reconcileKey struct {
	dir Direction
	id  string
}

// reconcileEntry is one order of the books, or one the statements listed and the books do not
// have (held while it is a mismatch).
type reconcileEntry struct {
	rec     BookRecord
	inBooks bool
	listed  int    // records of the statements for the order
	first   uint64 // maphash of the first record's transaction id: PayCools' records are not held
	differ  bool   // a later record has another transaction id than the first
	bad     bool   // a difference was reported for the order
	dup     int    // 1 + its index in Duplicates, 0 when none
}

// reconciler is the state of one Reconcile: the books' index and the report so far.
type reconciler struct {
	rep    *ReconcileReport
	cur    Currency
	index  map[reconcileKey]*reconcileEntry
	totals map[[2]string]*ReconcileTotal
	seed   maphash.Seed
}

func (r *reconciler) total(cur Currency, dir Direction) *ReconcileTotal {
	k := [2]string{string(cur), string(dir)}
	t := r.totals[k]
	if t == nil {
		t = &ReconcileTotal{Currency: cur, Direction: dir}
		r.totals[k] = t
	}
	return t
}

// readBooks indexes the books, collecting their errors (up to maxBooksErrors).
func (r *reconciler) readBooks(ctx context.Context, books Books, day string) error {
	var errs []error
	for rec, err := range books.Records(ctx, day) {
		if err == nil {
			if rec.Currency = normalCurrency(rec.Currency); rec.Currency == "" {
				rec.Currency = r.cur
			}
			rec.Status = normalStatus(rec.Status)
			k := reconcileKey{rec.Direction, rec.MchOrderID}
			if _, dup := r.index[k]; dup {
				err = fmt.Errorf("%s order %q appears twice", rec.Direction, rec.MchOrderID)
			} else {
				r.index[k] = &reconcileEntry{rec: rec, inBooks: true}
				t := r.total(rec.Currency, rec.Direction)
				t.BooksCount++
				t.BooksAmount += rec.Amount
				continue
			}
		}
		errs = append(errs, err)
		if len(errs) == maxBooksErrors {
			errs = append(errs, fmt.Errorf("(stopped after %d problems)", maxBooksErrors))
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("paycools: Reconcile: books: %w", errors.Join(errs...))
	}
	return nil
}

// sight counts one statement record of order k (transaction txn) and returns the order's
// entry; a second record of one order makes it a duplicate.
func (r *reconciler) sight(k reconcileKey, txn string, amount Amount, status TransactionStatus) *reconcileEntry {
	e := r.index[k]
	if e == nil {
		e = &reconcileEntry{}
		r.index[k] = e
	}
	h := maphash.String(r.seed, txn)
	e.listed++
	if e.listed == 1 {
		e.first = h
		return e
	}
	e.bad = true
	e.differ = e.differ || h != e.first
	if e.dup == 0 {
		item := ReconcileItem{MchOrderID: k.id, Direction: k.dir, TransactionID: txn, PayCoolsAmount: amount, PayCoolsCurrency: r.cur,
			PayCoolsStatus: status}
		if e.inBooks {
			item.BooksAmount, item.BooksCurrency, item.BooksStatus = e.rec.Amount, e.rec.Currency, e.rec.Status
		}
		r.rep.Duplicates = append(r.rep.Duplicates, item)
		e.dup = len(r.rep.Duplicates)
	}
	r.rep.Duplicates[e.dup-1].Listed = e.listed
	return e
}

// match compares one readable statement record with the books.
func (r *reconciler) match(dir Direction, id, txn string, amount Amount, status TransactionStatus) {
	r.rep.Records++
	t := r.total(r.cur, dir)
	t.PayCoolsCount++
	t.PayCoolsAmount += amount
	status = normalStatus(status)
	e := r.sight(reconcileKey{dir, id}, txn, amount, status)
	item := ReconcileItem{MchOrderID: id, Direction: dir, TransactionID: txn, PayCoolsAmount: amount, PayCoolsCurrency: r.cur,
		PayCoolsStatus: status}
	if !e.inBooks {
		if e.listed == 1 {
			item.Problem = "at PayCools, not in the books"
			r.rep.OnlyAtPayCools = append(r.rep.OnlyAtPayCools, item)
		}
		return
	}
	item.BooksAmount, item.BooksCurrency, item.BooksStatus = e.rec.Amount, e.rec.Currency, e.rec.Status
	if e.rec.Currency != r.cur {
		item.Problem = fmt.Sprintf("currency: PayCools %s, books %s", r.cur, e.rec.Currency)
		r.rep.CurrencyMismatch = append(r.rep.CurrencyMismatch, item)
		e.bad = true
	} else if amount != e.rec.Amount {
		item.Problem = fmt.Sprintf("amount: PayCools %s, books %s", amount, e.rec.Amount)
		r.rep.AmountMismatch = append(r.rep.AmountMismatch, item)
		e.bad = true
	}
	if p := statusProblem(status, e.rec.Status); p != "" {
		item.Problem = p
		r.rep.StatusMismatch = append(r.rep.StatusMismatch, item)
		e.bad = true
	}
}

// unreadable reports a statement record that cannot be matched, with the ids its text gives.
func (r *reconciler) unreadable(dir Direction, raw json.RawMessage, problem string) {
	r.rep.Records++
	id, txn := statementRecordIDs(raw)
	item := ReconcileItem{MchOrderID: id, Direction: dir, TransactionID: txn, PayCoolsCurrency: r.cur,
		Record: recordText(raw, 1000), Problem: problem}
	if id != "" {
		e := r.sight(reconcileKey{dir, id}, txn, 0, "")
		e.bad = true // neither matched nor missing
		if e.inBooks {
			item.BooksAmount, item.BooksCurrency, item.BooksStatus = e.rec.Amount, e.rec.Currency, e.rec.Status
		}
	}
	r.rep.Unreadable = append(r.rep.Unreadable, item)
}

// finish counts the matches, lists the books' orders PayCools does not have, words the
// duplicates and sorts the totals.
func (r *reconciler) finish() *ReconcileReport {
	rep := r.rep
	for _, e := range r.index {
		switch {
		case !e.inBooks:
		case e.listed == 0:
			rep.OnlyInBooks = append(rep.OnlyInBooks, ReconcileItem{MchOrderID: e.rec.MchOrderID, Direction: e.rec.Direction,
				BooksAmount: e.rec.Amount, BooksCurrency: e.rec.Currency, BooksStatus: e.rec.Status, Problem: "in the books, not at PayCools"})
		case e.listed == 1 && !e.bad:
			rep.Matched++
		}
		if e.dup > 0 {
			d := &rep.Duplicates[e.dup-1]
			if e.differ {
				d.Problem = fmt.Sprintf("listed %d times at PayCools under different transactions (paid more than once?): look the order up by mchOrderId", e.listed)
			} else {
				d.Problem = fmt.Sprintf("transaction %s listed %d times (statement pages overlapped?)", d.TransactionID, e.listed)
			}
		}
	}
	sort.Slice(rep.OnlyInBooks, func(a, b int) bool {
		x, y := rep.OnlyInBooks[a], rep.OnlyInBooks[b]
		if x.MchOrderID != y.MchOrderID {
			return x.MchOrderID < y.MchOrderID
		}
		return x.Direction < y.Direction
	})
	for _, t := range r.totals {
		rep.Totals = append(rep.Totals, *t)
	}
	sort.Slice(rep.Totals, func(a, b int) bool {
		if rep.Totals[a].Currency != rep.Totals[b].Currency {
			return rep.Totals[a].Currency < rep.Totals[b].Currency
		}
		return rep.Totals[a].Direction < rep.Totals[b].Direction
	})
	return rep
}

// normalCurrency is a currency code in capitals, without spaces.
func normalCurrency(c Currency) Currency {
	return Currency(strings.ToUpper(strings.TrimSpace(string(c))))
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
