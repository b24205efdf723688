package paycools

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Sending the rows of Payouts.CreateMany: the workers, the pace (a token bucket that rate
// limits pause), the ledger's intents, and the rows held back for a second look.

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
