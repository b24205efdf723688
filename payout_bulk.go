package paycools

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"sync"
	"time"
)

// PayoutRowState is where one row of Payouts.CreateMany ended.
type PayoutRowState string

// Row states of Payouts.CreateMany.
const (
	// PayoutRowStateCreated: PayCools holds a payout for the row (TransactionID says which), made by
	// this run or, when Earlier is set, by an earlier one (nothing was sent this time).
	PayoutRowStateCreated PayoutRowState = "created"
	// PayoutRowStateRefused: PayCools answered with an error that proves nothing was created (Err
	// is the *APIError, with its Code and Message). A later run sends the row again.
	PayoutRowStateRefused PayoutRowState = "refused"
	// PayoutRowStateInvalid: the row failed validation (Err is the *ValidationError) or repeats the
	// mchOrderId of another row (DuplicateOf). Nothing was sent.
	PayoutRowStateInvalid PayoutRowState = "invalid"
	// PayoutRowStateUnknown: the request may have reached PayCools and nothing settled it, or an
	// earlier run's call still holds the row. It is never sent again blindly: a later run
	// settles it first (Client.Recover), then sends it only if PayCools has no payout for it.
	PayoutRowStateUnknown PayoutRowState = "unknown"
	// PayoutRowStateNotSent: nothing was sent for the row: the run stopped first (ctx ended), or the
	// ledger could not record its intent (Err says why). A later run sends it.
	PayoutRowStateNotSent PayoutRowState = "not-sent"
	// PayoutRowStateValid: the row passed validation in a dry run (CreateManyOptions.DryRun).
	PayoutRowStateValid PayoutRowState = "valid"
)

// DefaultBulkConcurrency is how many payouts CreateMany has in flight at once when
// CreateManyOptions.Concurrency is 0: a few calls keep both the signing cores and PayCools
// busy without looking like a flood.
const DefaultBulkConcurrency = 4

// DefaultBulkCallTimeout is the time allowed for one payout (its retries and in-call
// outcome resolution included) when CreateManyOptions.CallTimeout is 0.
const DefaultBulkCallTimeout = 30 * time.Second

// defaultBulkRateLimitRetries is how often a row answered "rate limited" is sent again.
const defaultBulkRateLimitRetries = 5

// CreateManyOptions tunes Payouts.CreateMany. The zero value is ready to use.
type CreateManyOptions struct {
	// Concurrency is how many payouts are in flight at once (default DefaultBulkConcurrency).
	Concurrency int
	// Rate caps how many payouts are started per second, over all workers (0: no cap). A
	// rate-limit answer from PayCools (code 21020/1013, HTTP 429) also pauses every worker
	// for the backoff.
	Rate float64
	// SkipInvalid sends the valid rows even when some are invalid. By default one invalid
	// row means nothing is sent.
	SkipInvalid bool
	// DryRun validates every row and reports each as PayoutRowStateValid or PayoutRowStateInvalid;
	// nothing is sent and the ledger is not read.
	DryRun bool
	// CallTimeout is the time allowed for one payout (default DefaultBulkCallTimeout). It also
	// bounds the ledger claim of the payout, so after a crash the next run can settle the
	// row once CallTimeout (plus 2 seconds) has passed.
	CallTimeout time.Duration
	// SettleWait is how long CreateMany follows, at the end of the run, the rows that another
	// call holds in the ledger (an earlier run that died, a replica running the same rows)
	// until that call or Recover settles them. The default covers the other call's claim and
	// the client's settle time after it (WithSettleTime), so that a row the dead run never
	// sent is proven absent and paid in this run: CallTimeout plus the settle time plus 5
	// seconds (10 min 35 s with the defaults). A row still open then is reported
	// PayoutRowStateUnknown.
	SettleWait time.Duration
	// RateLimitRetries is how often a row refused as rate limited is sent again after a
	// backoff (default 5; -1: never).
	RateLimitRetries int
}

// PayoutRowOutcome is what became of one row of Payouts.CreateMany.
type PayoutRowOutcome struct {
	// Index is the row's position in rows, from 0.
	Index int
	// MchOrderID is the row's merchant order id.
	MchOrderID string
	// Amount is the row's amount in minor units (PHP 500.10 is 50010).
	Amount Amount
	// PayMethodCode is the row's destination kind (BANK, EWALLET, SCANQR).
	PayMethodCode PayMethodCode
	// State is where the row ended.
	State PayoutRowState
	// TransactionID is PayCools' payout id when State is PayoutRowStateCreated.
	TransactionID string
	// Earlier is true when the payout was created by an earlier run (found in the ledger):
	// nothing was sent for the row this time.
	Earlier bool
	// DuplicateOf is the Index of another row with the same mchOrderId, or -1.
	DuplicateOf int
	// Err says why the row is not created: a *ValidationError (invalid), an *APIError
	// (refused: its Code and Message), the unknown-outcome error, a *LedgerError or the
	// context's error (not sent). On a PayoutRowStateCreated row found from an earlier run it is a
	// *OrderMismatchError when that payout's amount is not the row's. Nil otherwise.
	Err error
}

// BulkInvalidError ends a CreateMany run in which some rows are invalid (and SkipInvalid is
// off): every invalid row has been reported before it, and nothing was sent.
type BulkInvalidError struct {
	// Invalid is how many rows are invalid; Rows how many rows there are.
	Invalid, Rows int
}

// Error says how many rows are invalid and that nothing was sent.
func (e *BulkInvalidError) Error() string {
	return fmt.Sprintf("paycools: %s: %d of %d row(s) invalid, nothing was sent: fix them (or skip them with SkipInvalid) and run again",
		OpPayoutCreateMany, e.Invalid, e.Rows)
}

// OpPayoutCreateMany names Payouts.CreateMany in its errors. It is not a PayCools operation:
// each row is one OpPayoutCreate.
const OpPayoutCreateMany Operation = "Payouts.CreateMany"

// CreateMany pays out many rows (a disbursement file) exactly once, resumably: run it again
// with the same rows after a success, an error or a crash, and it pays only the rows that
// have no payout yet.
//
//  1. Every row is validated first, with the rules of Create, and a mchOrderId repeated in the
//     rows is an error. Each invalid row is yielded (PayoutRowStateInvalid, Err the
//     *ValidationError); unless SkipInvalid, the run then ends with a *BulkInvalidError and
//     nothing is sent. DryRun stops here.
//  2. Client.Recover settles what an earlier run left open.
//  3. The rows are sent by Concurrency workers, at most Rate per second, each through Create
//     and the client's ledger, which refuses a second intent for a mchOrderId that has an
//     open or created one: a row paid by an earlier run is reported PayoutRowStateCreated with
//     Earlier set and nothing is sent, and a row an earlier run's call still holds is waited
//     for (SettleWait), settled by Recover and then sent only if PayCools has no payout for
//     it. A row whose outcome stays unknown is reported PayoutRowStateUnknown, never sent blindly.
//
// rows is ranged over twice (validation, then sending): it must yield the same rows each
// time, e.g. by reading a file from its start; a row that differs the second time is
// reported invalid and not sent. Only a 64-bit hash of each row's mchOrderId (and the few
// rows another call holds) is kept in memory. The rows' params are not modified.
//
// The outcomes are yielded as the rows finish (not in row order; Index says which), on the
// goroutine ranging over the result. A non-nil error ends the sequence: the run could not go
// on (no ledger, a ledger failure in Recover, invalid rows, ctx nil). When ctx ends, or the
// loop breaks, no further row is sent: the calls in flight finish (within CallTimeout), and
// the rows not started are yielded as PayoutRowStateNotSent (not after a break).
//
// The client must have a ledger (WithLedger; paycoolssql.NewLedger for one that survives a
// restart): without it a re-run could pay twice, and CreateMany refuses to run.
func (s *PayoutService) CreateMany(ctx context.Context, rows iter.Seq[*PayoutCreateParams], opts CreateManyOptions) iter.Seq2[PayoutRowOutcome, error] {
	return func(yield func(PayoutRowOutcome, error) bool) {
		b, err := s.newBulk(ctx, rows, opts)
		if err != nil {
			yield(PayoutRowOutcome{DuplicateOf: -1}, err)
			return
		}
		b.run(yield)
	}
}

// bulk is one CreateMany run.
type bulk struct {
	s    *PayoutService
	c    *Client
	ctx  context.Context
	rows iter.Seq[*PayoutCreateParams]
	opts CreateManyOptions

	seed       maphash.Seed
	firstIndex map[uint64]int // hash of a mchOrderId -> index of its first row (pass 1)
	bad        map[int]bool   // rows found invalid in pass 1
	n          int            // rows in pass 1

	limiter *tokenBucket
	mu      sync.Mutex
	held    []heldRow // rows an earlier run's call still holds
}

// heldRow is a row whose mchOrderId has an open intent of another call.
type heldRow struct {
	index int
	p     PayoutCreateParams
	until time.Time // when that call's claim ends
}

func (s *PayoutService) newBulk(ctx context.Context, rows iter.Seq[*PayoutCreateParams], opts CreateManyOptions) (*bulk, error) {
	var fields []FieldError
	if ctx == nil {
		fields = append(fields, FieldError{Field: "ctx", Problem: "nil context"})
	}
	if rows == nil {
		fields = append(fields, FieldError{Field: "rows", Problem: "rows are required (nil given)"})
	}
	if opts.Concurrency < 0 {
		fields = append(fields, FieldError{Field: "Concurrency", Problem: "must be 0 (default) or more"})
	}
	if opts.Rate < 0 {
		fields = append(fields, FieldError{Field: "Rate", Problem: "must be 0 (no cap) or a positive number of payouts per second"})
	}
	if opts.CallTimeout < 0 || opts.SettleWait < 0 {
		fields = append(fields, FieldError{Field: "CallTimeout", Problem: "CallTimeout and SettleWait must be 0 (default) or positive"})
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Operation: OpPayoutCreateMany, Fields: fields}
	}
	if s.c.ledger == nil && !opts.DryRun {
		return nil, fmt.Errorf("paycools: %s: the client has no ledger (WithLedger), without which a re-run could pay a row twice: %w", OpPayoutCreateMany, ErrNoLedger)
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultBulkConcurrency
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = DefaultBulkCallTimeout
	}
	if opts.SettleWait == 0 {
		opts.SettleWait = opts.CallTimeout + 2*intentClaimMargin + s.c.settleTime + time.Second
	}
	if opts.RateLimitRetries == 0 {
		opts.RateLimitRetries = defaultBulkRateLimitRetries
	}
	return &bulk{s: s, c: s.c, ctx: ctx, rows: rows, opts: opts, seed: maphash.MakeSeed(), firstIndex: map[uint64]int{}, bad: map[int]bool{},
		limiter: newTokenBucket(opts.Rate, opts.Concurrency)}, nil
}

// key is what firstIndex keeps of a mchOrderId: a 64-bit hash, a few bytes a row instead of
// the id itself. Two ids with one hash (about one chance in 37 million for a million rows) would
// be reported as repeated: nothing is sent for them, never twice.
func (b *bulk) key(mchOrderID string) uint64 { return maphash.String(b.seed, mchOrderID) }

// run is the whole CreateMany run.
func (b *bulk) run(yield func(PayoutRowOutcome, error) bool) {
	ep := b.c.endpoints[OpPayoutCreate]
	if ep == nil || ep.path == "" {
		yield(PayoutRowOutcome{DuplicateOf: -1}, &UnsupportedOperationError{Operation: OpPayoutCreate, Dialect: b.c.dialect})
		return
	}
	if !b.validateAll(ep, yield) {
		return
	}
	if invalid := len(b.bad); invalid > 0 && !b.opts.SkipInvalid {
		yield(PayoutRowOutcome{DuplicateOf: -1}, &BulkInvalidError{Invalid: invalid, Rows: b.n})
		return
	}
	if b.opts.DryRun {
		return
	}
	rctx, cancel := context.WithTimeout(b.ctx, b.opts.CallTimeout)
	_, err := b.c.Recover(rctx)
	cancel()
	if err != nil && b.ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		yield(PayoutRowOutcome{DuplicateOf: -1}, fmt.Errorf("paycools: %s: settling the earlier runs first: %w", OpPayoutCreateMany, err))
		return
	}
	b.send(yield)
}

// validateAll is pass 1: every row through Create's validation, and the repeated mchOrderIds.
// It yields the invalid rows (and, in a dry run, the valid ones); false means stop.
func (b *bulk) validateAll(ep *endpoint, yield func(PayoutRowOutcome, error) bool) bool {
	for p := range b.rows {
		idx := b.n
		b.n++
		o := PayoutRowOutcome{Index: idx, DuplicateOf: -1, State: PayoutRowStateValid}
		var first *PayoutRowOutcome
		if p == nil {
			o.State, o.Err = PayoutRowStateInvalid, &ValidationError{Operation: OpPayoutCreate, Fields: []FieldError{{Field: "params", Problem: "params are required (nil given)"}}}
		} else {
			o.MchOrderID, o.Amount, o.PayMethodCode = p.MchOrderID, p.Amount, p.PayMethodCode
			q := p.filled()
			var fields []FieldError
			if err := b.c.validate(OpPayoutCreate, ep, &q); err != nil {
				var ve *ValidationError
				if errors.As(err, &ve) {
					fields = ve.Fields
				} else {
					o.State, o.Err = PayoutRowStateInvalid, err
				}
			}
			if q.MchOrderID != "" {
				if at, dup := b.firstIndex[b.key(q.MchOrderID)]; dup {
					o.DuplicateOf = at
					fields = append(fields, FieldError{Field: "mchOrderId", Problem: fmt.Sprintf("repeats the mchOrderId of row %d (index from 0): each payout needs its own", at)})
					if !b.bad[at] {
						b.bad[at] = true
						first = &PayoutRowOutcome{Index: at, MchOrderID: q.MchOrderID, State: PayoutRowStateInvalid, DuplicateOf: idx,
							Err: &ValidationError{Operation: OpPayoutCreate, Fields: []FieldError{{Field: "mchOrderId",
								Problem: fmt.Sprintf("is repeated at row %d (index from 0): each payout needs its own", idx)}}}}
					}
				} else {
					b.firstIndex[b.key(q.MchOrderID)] = idx
				}
			}
			if len(fields) > 0 && o.Err == nil {
				o.State, o.Err = PayoutRowStateInvalid, &ValidationError{Operation: OpPayoutCreate, Fields: fields}
			}
		}
		if o.State == PayoutRowStateInvalid {
			b.bad[idx] = true
		}
		if first != nil && !yield(*first, nil) {
			return false
		}
		if (o.State == PayoutRowStateInvalid || b.opts.DryRun) && !yield(o, nil) {
			return false
		}
	}
	return true
}
