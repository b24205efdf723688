package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Client.Recover: the open intents of the ledger, written by calls a crash or a lost answer
// interrupted, resolved by asking PayCools about each order.

// recoverLookups asks PayCools about the order of an intent, by the same queries that the
// outcome resolution inside each create uses, and returns the undecoded answer (read by the
// create's money facts).
var recoverLookups = map[Operation]func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error){
	OpPayoutCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.Payouts.lookup(ctx, o))
	},
	OpRefundCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.Refunds.lookup(ctx, o))
	},
	OpWebPaymentCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.WebPayments.lookup(ctx, o))
	},
	OpCheckoutCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.Checkout.lookup(ctx, o))
	},
	OpDirectDebitCreatePayment: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.DirectDebit.lookup(ctx, o))
	},
}

// DefaultSettleTime is how long after the last attempt of a create was sent Recover waits
// before it takes "not found" for "never arrived" (10 minutes). A create PayCools was still
// processing when the call gave up is not listed yet; the default is twice the longest a call
// holds its intent with the default timeouts (5 minutes), so that a request still queued or
// being processed on PayCools' side when the SDK gave up has been made or dropped.
const DefaultSettleTime = 10 * time.Minute

// WithSettleTime sets how long after the last attempt of a money-moving create was sent
// Client.Recover waits before it marks the intent absent on a "not found" look-up (default
// DefaultSettleTime). Before that, "not found" leaves the intent unknown and a later Recover
// asks again; a found order is recorded at once whatever the settle time. Choose it longer
// than the longest PayCools may take to act on a request it received. d must be positive.
func WithSettleTime(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("paycools: WithSettleTime(%v): must be positive", d)
		}
		c.settleTime = d
		return nil
	}
}

// ErrNoOrderLookup is what Recover reports (IntentOutcome.Err wraps it), and what the
// outcome resolution of a create puts in UnresolvedOutcomeError.LookupErr, for an order that cannot be looked
// up by merchant order id with this client (in the PH dialect web payments and direct-debit
// charges are looked up by PayCools' transaction id only, which an unknown outcome does not
// give). Nothing is sent; the intent stays unknown until a verified callback for its order
// settles it (NotificationHandler), or the merchant resolves it by hand (README, "Resolving an
// intent by hand").
var ErrNoOrderLookup = errors.New("paycools: this order cannot be looked up by merchant order id in this dialect")

// RecoverReport is what Client.Recover did: one entry per intent it claimed.
type RecoverReport struct {
	// Resolutions lists each claimed intent and what became of it, oldest first.
	Resolutions []IntentOutcome
}

// IntentOutcome is one intent Recover claimed and what it found.
type IntentOutcome struct {
	// Intent is the intent as claimed (before the resolution).
	Intent Intent
	// State is what it was resolved to: IntentCreated, IntentAbsent, IntentRefused when the
	// merchant order id belongs to a different transaction (Err is the
	// *OrderMismatchError), or IntentUnknown when PayCools could not tell (Err says why: the
	// look-up failed, its answer proved nothing (ErrLookupInconclusive), "not found" came
	// before the settle time, or the order cannot be looked up in this dialect
	// (ErrNoOrderLookup); a later Recover tries again).
	State IntentState
	// TransactionID is PayCools' id of the order when State is IntentCreated.
	TransactionID string
	// Err is the lookup's or the ledger's error, when the intent is still open.
	Err error
}

// Unresolved counts the intents that are still open after the run.
func (r *RecoverReport) Unresolved() int {
	n := 0
	for _, o := range r.Resolutions {
		if !o.State.Final() {
			n++
		}
	}
	return n
}

// ErrNoLedger is what Recover returns for a client without WithLedger.
var ErrNoLedger = errors.New("paycools: Recover: the client has no ledger (WithLedger)")

// recoverBatch is how many intents one Recover claim takes at a time.
const recoverBatch = 50

// Recover resolves the open intents of the client's ledger whose claim has ended, those of
// the client's own application (Client.AppID) only: those of
// calls whose process died between writing the intent and writing the outcome, and those that
// ended with an unknown outcome. For each it asks PayCools by merchant order id, with the same
// queries the create's own outcome resolution uses: found (an answer naming the merchant order id with
// PayCools' transaction id) means IntentCreated, "transaction not found" a settle time after
// the last attempt was sent (WithSettleTime) means IntentAbsent (the request never arrived;
// create the order again if it is still wanted), and any other answer leaves it open
// (IntentUnknown, reported with the error) for a later Recover. An operation that cannot be
// looked up by merchant order id in the client's dialect is reported with ErrNoOrderLookup
// and nothing is sent: its verified callback settles it (NotificationHandler), or the
// merchant does by hand (Ledger.Resolve).
//
// An intent's claim lasts as long as the context of the call that wrote it (plus 2 seconds
// for clock differences), or 5 minutes when that context has no deadline: give money-moving
// calls a deadline so that Recover can settle a crashed call soon. Recover's own claims last
// the same way, from its ctx.
//
// Recover never sends money: after a restart the merchant's wish may have changed. It is safe
// to run from every replica at once: each intent is claimed by one Recover only. Run it at
// start-up, before serving, and from time to time. It stops early, with ctx's error, when ctx
// ends; the intents it claimed but did not resolve are taken again once their claim ends.
func (c *Client) Recover(ctx context.Context) (*RecoverReport, error) {
	if ctx == nil {
		return nil, &ValidationError{Operation: "Recover", Fields: []FieldError{{Field: "ctx", Problem: "nil context"}}}
	}
	if c.ledger == nil {
		return nil, ErrNoLedger
	}
	report := &RecoverReport{}
	token := newIntentID()
	var from time.Time // the cursor: the newest intent of the batch before
	for {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		now := c.clock()
		batch, err := c.ledger.ClaimOpen(ctx, c.appID, token, now, claimUntil(ctx, now), from, recoverBatch)
		if err != nil {
			return report, fmt.Errorf("paycools: Recover: ledger: %w", err)
		}
		if len(batch) == 0 {
			return report, nil
		}
		from = batch[len(batch)-1].CreatedAt
		for i := range batch {
			in := batch[i]
			out := c.recoverOne(ctx, &in)
			report.Resolutions = append(report.Resolutions, out)
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
		}
		// What this run resolved is final and what it could not resolve keeps this run's
		// claim, so the next batch holds only intents this run has not seen.
	}
}

// recoverOne resolves one claimed intent.
func (c *Client) recoverOne(ctx context.Context, in *Intent) IntentOutcome {
	out := IntentOutcome{Intent: *in, State: in.State}
	lookup, ok := recoverLookups[in.Operation]
	if !ok {
		out.Err = fmt.Errorf("paycools: Recover: %s is not a money-moving create", in.Operation)
		return out
	}
	o := moneyOrder{mchOrderID: in.MchOrderID, idempotencyID: in.IdempotencyID, lookupKey: in.LookupKey, amount: in.Amount}
	raw, err := lookup(ctx, c, o)
	found := c.endpoints[in.Operation].money.found(raw)
	var ve *ValidationError
	if errors.As(err, &ve) {
		// The SDK refused its own look-up: nothing was sent, and asking again never helps.
		out.State, out.Err = IntentUnknown, fmt.Errorf("%w: intent %s (%s %q) stays unknown: %v", ErrNoOrderLookup, in.ID, in.Operation, in.MchOrderID, err)
		return out
	}
	r := IntentResolution{At: c.clock()}
	switch {
	case err == nil:
		r.State, r.TransactionID = IntentCreated, found.txnID
		jerr := judgeFound(in.Operation, o, found)
		var mm *OrderMismatchError
		switch {
		case errors.As(jerr, &mm):
			// The order id is another transaction's: this intent's create did not happen.
			r.State, r.TransactionID, r.Detail = IntentRefused, "", redactText(mm.Error(), 300)
			out.Err = mm
		case jerr != nil:
			out.State, out.Err = IntentUnknown, jerr
			return out
		}
	case errors.Is(err, ErrTransactionNotFound):
		if settled := c.settledAt(in); r.At.Before(settled) {
			// PayCools may still be acting on the last attempt: not yet proof of absence.
			out.State, out.Err = IntentUnknown, fmt.Errorf("paycools: Recover: intent %s: PayCools has no order %q yet, but its last attempt was sent less than the settle time (%v) ago; a Recover from %s on decides",
				in.ID, in.MchOrderID, c.settleTime, settled.UTC().Format(time.RFC3339))
			return out
		}
		r.State, r.Detail = IntentAbsent, "Recover: PayCools has no order under this merchant order id"
	default:
		// Still open. Nothing is written: the intent keeps this run's claim until it ends, so
		// that this run does not take it again, and a later Recover tries once more.
		out.State, out.Err = IntentUnknown, err
		return out
	}
	if werr := c.ledger.Resolve(context.WithoutCancel(ctx), in.ID, r); werr != nil {
		out.State, out.Err = in.State, fmt.Errorf("paycools: Recover: ledger: %w", werr)
		return out
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "paycools Recover: intent resolved",
		slog.String("operation", string(in.Operation)), slog.String("intent", in.ID), slog.String("state", string(r.State)))
	out.State, out.TransactionID = r.State, r.TransactionID
	return out
}

// settledAt is when "not found" proves that the create of in never arrived: the settle time
// after its last attempt was sent (SentBy; UpdatedAt for intents written before SentBy
// existed, or CreatedAt).
func (c *Client) settledAt(in *Intent) time.Time {
	sent := in.SentBy
	if sent.IsZero() {
		sent = in.UpdatedAt
	}
	if sent.Before(in.CreatedAt) {
		sent = in.CreatedAt
	}
	return sent.Add(c.settleTime)
}
