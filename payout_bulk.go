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

// bulkJob is one row to send.
type bulkJob struct {
	index int
	p     PayoutCreateParams
}

// send is pass 2: a feeder ranges over the rows again and hands the valid ones to the
// workers; the outcomes come back to the ranging goroutine, which yields them.
func (b *bulk) send(yield func(PayoutRowOutcome, error) bool) {
	runCtx, stop := context.WithCancel(b.ctx)
	defer stop()
	jobs := make(chan bulkJob)
	outs := make(chan PayoutRowOutcome, b.opts.Concurrency)
	var workers sync.WaitGroup
	for range b.opts.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				if o, held := b.pay(runCtx, j, true); !held {
					outs <- o
				}
			}
		}()
	}
	go func() {
		defer func() {
			close(jobs)
			workers.Wait()
			close(outs)
		}()
		b.feed(runCtx, jobs, outs)
	}()
	yielding := true
	for o := range outs {
		if yielding && !yield(o, nil) {
			yielding = false
			stop() // no further row is sent; the calls in flight finish
		}
	}
	if !yielding {
		return
	}
	for _, o := range b.settleHeld(runCtx) {
		if !yield(o, nil) {
			return
		}
	}
}

// feed ranges over the rows a second time and hands each valid one to a worker, or reports
// it at once when it must not be sent.
func (b *bulk) feed(ctx context.Context, jobs chan<- bulkJob, outs chan<- PayoutRowOutcome) {
	idx := -1
	for p := range b.rows {
		idx++
		if b.bad[idx] {
			continue
		}
		o := PayoutRowOutcome{Index: idx, DuplicateOf: -1}
		if p != nil {
			o.MchOrderID, o.Amount, o.PayMethodCode = p.MchOrderID, p.Amount, p.PayMethodCode
		}
		at, known := -1, false
		if p != nil {
			at, known = b.firstIndex[b.key(p.MchOrderID)]
		}
		if !known || at != idx || idx >= b.n {
			o.State, o.Err = PayoutRowStateInvalid, &ValidationError{Operation: OpPayoutCreate, Fields: []FieldError{{Field: "rows",
				Problem: "this row differs from the one validated first: rows must yield the same rows each time they are ranged over"}}}
			outs <- o
			continue
		}
		if err := ctx.Err(); err != nil {
			o.State, o.Err = PayoutRowStateNotSent, err
			outs <- o
			continue
		}
		if err := b.limiter.wait(ctx); err != nil {
			o.State, o.Err = PayoutRowStateNotSent, err
			outs <- o
			continue
		}
		select {
		case jobs <- bulkJob{index: idx, p: *p}:
		case <-ctx.Done():
			o.State, o.Err = PayoutRowStateNotSent, ctx.Err()
			outs <- o
		}
	}
}

// pay sends one row through Create and says what became of it. When an earlier run's call
// holds the row and mayHold is true, the row is kept for settleHeld and held is true.
func (b *bulk) pay(ctx context.Context, j bulkJob, mayHold bool) (o PayoutRowOutcome, held bool) {
	o = PayoutRowOutcome{Index: j.index, MchOrderID: j.p.MchOrderID, Amount: j.p.Amount, PayMethodCode: j.p.PayMethodCode, DuplicateOf: -1}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			o.State, o.Err = PayoutRowStateNotSent, err
			return o, false
		}
		// A call that has started finishes even when the run is stopped: its outcome is then
		// known, instead of being left for the next run's Recover.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.opts.CallTimeout)
		p, err := b.s.Create(cctx, &j.p)
		cancel()
		if err == nil {
			o.State, o.TransactionID = PayoutRowStateCreated, p.TransactionID
			return o, false
		}
		if errors.Is(err, ErrIntentOpen) {
			in, lerr := b.ledgerIntent(ctx, j.p.MchOrderID)
			switch {
			case lerr != nil:
				o.State, o.Err = PayoutRowStateNotSent, lerr
				return o, false
			case in == nil && attempt < 3:
				continue // settled between the two reads: try again
			case in != nil && in.State == IntentCreated:
				o.State, o.TransactionID, o.Earlier = PayoutRowStateCreated, in.TransactionID, true
				if in.Amount != j.p.Amount {
					o.Err = &OrderMismatchError{Operation: OpPayoutCreate, MchOrderID: j.p.MchOrderID, TransactionID: in.TransactionID,
						Fields: []string{"amount"}, Sent: OrderFacts{Amount: j.p.Amount}, Found: OrderFacts{Amount: in.Amount}}
				}
				return o, false
			case in != nil && mayHold:
				b.mu.Lock()
				b.held = append(b.held, heldRow{index: j.index, p: j.p, until: in.ClaimUntil})
				b.mu.Unlock()
				return o, true
			}
			o.State, o.Err = PayoutRowStateUnknown, fmt.Errorf("paycools: %s: order %q: another call holds it and it is still open in the ledger; run again later (Recover settles it first): %w",
				OpPayoutCreateMany, j.p.MchOrderID, err)
			return o, false
		}
		if d, limited := rateLimited(b.c, err, attempt); limited && attempt <= b.opts.RateLimitRetries {
			b.limiter.pause(d)
			if serr := b.c.sleep(ctx, d); serr != nil {
				o.State, o.Err = PayoutRowStateNotSent, errors.Join(serr, err)
				return o, false
			}
			continue
		}
		o.State, o.Err = rowStateOf(err), err
		return o, false
	}
}

// ledgerIntent is the open or created intent of a payout order, nil when there is none.
func (b *bulk) ledgerIntent(ctx context.Context, mchOrderID string) (*Intent, error) {
	ins, err := b.c.ledger.Intents(context.WithoutCancel(ctx), b.c.appID, OpPayoutCreate, mchOrderID)
	if err != nil {
		return nil, &LedgerError{Operation: OpPayoutCreate, MchOrderID: mchOrderID, Err: err}
	}
	for i := len(ins) - 1; i >= 0; i-- {
		if st := ins[i].State; st == IntentCreated || !st.Final() {
			return &ins[i], nil
		}
	}
	return nil, nil
}

// settleHeld follows the rows that another call held (an earlier run that died, or a replica
// running the same rows) for up to SettleWait: a row whose intent that call settles is
// reported from the ledger; once a claim has ended, Recover settles the intent; a row PayCools
// turns out not to have is sent. What is still open after SettleWait is reported unknown.
func (b *bulk) settleHeld(ctx context.Context) []PayoutRowOutcome {
	pending := b.held
	b.held = nil
	var out []PayoutRowOutcome
	deadline := time.Now().Add(b.opts.SettleWait)
	delay := 50 * time.Millisecond
	for len(pending) > 0 {
		var still []heldRow
		claimEnded := false
		settleBy := time.Time{} // the soonest moment a held intent's "not found" proves absence
		for _, h := range pending {
			job := bulkJob{index: h.index, p: h.p}
			in, err := b.ledgerIntent(ctx, h.p.MchOrderID)
			switch {
			case err != nil:
				out = append(out, PayoutRowOutcome{Index: h.index, MchOrderID: h.p.MchOrderID, Amount: h.p.Amount,
					PayMethodCode: h.p.PayMethodCode, DuplicateOf: -1, State: PayoutRowStateNotSent, Err: err})
			case in == nil || in.State == IntentCreated:
				o, _ := b.pay(ctx, job, false)
				out = append(out, o)
			default:
				claimEnded = claimEnded || !in.ClaimUntil.After(b.c.clock())
				if at := b.c.settledAt(in); settleBy.IsZero() || at.Before(settleBy) {
					settleBy = at
				}
				still = append(still, h)
			}
		}
		pending = still
		if len(pending) == 0 {
			break
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			for _, h := range pending {
				o, _ := b.pay(ctx, bulkJob{index: h.index, p: h.p}, false)
				out = append(out, o)
			}
			break
		}
		if claimEnded {
			// Recover keeps what it cannot settle yet claimed until its ctx ends (plus a
			// margin): end this one by the settle moment, so that the Recover after it can
			// take the intent again and decide.
			rctx, cancel := context.WithTimeout(ctx, min(b.opts.CallTimeout, max(settleBy.Sub(b.c.clock()), time.Second)))
			_, _ = b.c.Recover(rctx) // what it cannot settle stays open, and is reported unknown
			cancel()
		}
		_ = b.c.sleep(ctx, min(delay, time.Until(deadline)))
		delay = min(delay*3/2, time.Second)
	}
	return out
}

// rateLimited reports whether err is a rate-limit answer (nothing was created), and the
// backoff before sending again.
func rateLimited(c *Client, err error, attempt int) (time.Duration, bool) {
	var he *HTTPError
	switch {
	case errors.Is(err, ErrRateLimited):
		return c.backoff(attempt, 0), true
	case errors.As(err, &he) && he.StatusCode == 429:
		return c.backoff(attempt, he.RetryAfter), true
	}
	return 0, false
}

// rowStateOf is the row state of a Create error.
func rowStateOf(err error) PayoutRowState {
	var ve *ValidationError
	var le *LedgerError
	var te *TransportError
	switch {
	case errors.As(err, &ve):
		return PayoutRowStateInvalid
	case IsOutcomeUnknown(err):
		return PayoutRowStateUnknown
	case errors.As(err, &le), errors.As(err, &te), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return PayoutRowStateNotSent
	}
	return PayoutRowStateRefused
}

// tokenBucket spaces the starts of calls: at most rate per second (no cap when rate is 0), with
// bursts of up to burst (the number of workers); pause holds every start back for a while.
type tokenBucket struct {
	mu       sync.Mutex
	interval time.Duration // between two tokens
	burst    time.Duration // interval × burst: how far ahead of the schedule a start may be
	next     time.Time     // the schedule: when the next token is due
}

func newTokenBucket(rate float64, burst int) *tokenBucket {
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(time.Second) / rate)
	}
	return &tokenBucket{interval: interval, burst: interval * time.Duration(max(burst, 1)-1)}
}

// wait takes a token, waiting until one is due or ctx ends.
func (t *tokenBucket) wait(ctx context.Context) error {
	t.mu.Lock()
	now := time.Now()
	if t.next.Before(now.Add(-t.burst)) {
		t.next = now.Add(-t.burst)
	}
	at := t.next
	t.next = t.next.Add(t.interval)
	t.mu.Unlock()
	if d := time.Until(at); d > 0 {
		tm := time.NewTimer(d)
		defer tm.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tm.C:
		}
	}
	return nil
}

// pause moves the schedule so that no token is due for d (a rate-limit answer).
func (t *tokenBucket) pause(d time.Duration) {
	t.mu.Lock()
	if until := time.Now().Add(d); t.next.Before(until) {
		t.next = until
	}
	t.mu.Unlock()
}
