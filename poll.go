package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// waitFinal polls get until final says the result is final, or ctx ends. The wait between
// polls starts at the client's poll minimum and grows by half up to its maximum. Transient
// failures (transport, HTTP, retryable codes) do not stop the wait; any other error does. When
// ctx ends it returns the last result it saw with the context error (joined with the last poll's
// error, if that poll failed).
func waitFinal[T any](ctx context.Context, c *Client, get func(context.Context) (*T, error), final func(*T) bool) (*T, error) {
	var last *T
	delay := c.pollMin
	start := time.Now()
	for poll := 1; ; poll++ {
		res, err := get(ctx)
		if c.waitObserver != nil {
			var seen any
			if last != nil || err == nil {
				seen = res
			}
			c.waitObserver(ctx, WaitProgress{Poll: poll, Elapsed: time.Since(start), Last: seen, Err: err,
				Final: err == nil && final(res)})
		}
		if err == nil {
			last = res
			if final(res) {
				return res, nil
			}
		} else if !transient(err) {
			return last, err
		}
		if ctx.Err() != nil {
			return last, joinCtx(ctx.Err(), err)
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return last, joinCtx(serr, err)
		}
		delay += delay / 2
		if delay > c.pollMax {
			delay = c.pollMax
		}
	}
}

func joinCtx(ctxErr, last error) error {
	if last == nil || errors.Is(last, ctxErr) {
		return ctxErr
	}
	return errors.Join(ctxErr, last)
}

// transient reports whether a failed poll may succeed later.
func transient(err error) bool {
	var te *TransportError
	var he *HTTPError
	var ae *APIError
	switch {
	case errors.As(err, &te):
		return true
	case errors.As(err, &he):
		return he.StatusCode == 429 || he.StatusCode >= 500
	case errors.As(err, &ae):
		return ae.Retryable()
	}
	return false
}

// createOrReconcile runs a money-moving create. When it ends with an unknown outcome (and the
// client reconciles), it asks PayCools about the merchant order id instead of guessing:
//
//   - found: the create happened; its current state is returned with no error;
//   - "transaction not found": the create never arrived; it is sent once more with the same
//     merchant order id (and idempotency id). If that answers "duplicate", the first one did
//     arrive after all, and the order is looked up again;
//   - anything else: the original error, still marked OutcomeUnknown.
//
// A money-moving call therefore never double-spends and never reports a failure it cannot
// prove. With a ledger (WithLedger), the intent is written before the first request is sent
// (by call, through the intent in ctx) and its outcome after.
func createOrReconcile[T any](ctx context.Context, c *Client, op Operation, order moneyOrder, create func(context.Context) (*T, error), lookup func(context.Context, moneyOrder) (*T, error)) (*T, error) {
	var in *Intent
	if c.ledger != nil && ctx != nil {
		in = &Intent{ID: newIntentID(), Operation: op, MchOrderID: order.mchOrderID, IdempotencyID: order.idempotencyID,
			LookupKey: order.lookupKey, Amount: order.amount}
		ctx = context.WithValue(ctx, intentKey{}, in)
	}
	res, err := reconcileCreate(ctx, c, op, order, create, lookup)
	if in != nil && in.State != "" {
		id := ""
		if err == nil && res != nil {
			id = c.endpoints[op].money.found(rawOf(res)).txnID
		}
		c.settleIntent(ctx, in, id, err)
	}
	return res, err
}

// reconcileCreate is createOrReconcile without the ledger.
func reconcileCreate[T any](ctx context.Context, c *Client, op Operation, order moneyOrder, create func(context.Context) (*T, error), lookup func(context.Context, moneyOrder) (*T, error)) (*T, error) {
	res, err := create(ctx)
	if err == nil || !c.reconcile || !IsOutcomeUnknown(err) || ctx.Err() != nil {
		return res, err
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: outcome unknown; reconciling by merchant order id",
		slog.String("operation", string(op)))
	// settle judges a lookup that answered: the order is proven (returned), another
	// transaction's (*ReconcileMismatchError), or nothing is proven (still unknown).
	settle := func(found *T, did string) (*T, error) {
		jerr := judgeFound(op, order, c.endpoints[op].money.found(rawOf(found)))
		var mm *ReconcileMismatchError
		switch {
		case jerr == nil:
			return found, nil
		case errors.As(jerr, &mm):
			return nil, mm
		}
		return nil, &ReconcileError{Operation: op, MchOrderID: order.mchOrderID, Err: err, Did: did, LookupErr: jerr}
	}
	found, qerr := lookup(ctx, order)
	switch {
	case qerr == nil:
		return settle(found, "looked it up by merchant order id")
	case errors.Is(qerr, ErrTransactionNotFound):
		res2, err2 := create(ctx)
		if err2 == nil {
			return res2, nil
		}
		if errors.Is(err2, ErrDuplicateOrder) || errors.Is(err2, ErrDuplicateIdempotency) || errors.Is(err2, ErrDuplicateRefundOrder) {
			did := "looked it up (not found), sent it once more, was told it is a duplicate, and looked it up again"
			found, qerr2 := lookup(ctx, order)
			if qerr2 != nil {
				return nil, &ReconcileError{Operation: op, MchOrderID: order.mchOrderID, Err: err, Did: did, LookupErr: qerr2}
			}
			return settle(found, did)
		}
		return nil, err2
	default:
		var ve *ValidationError
		if errors.As(qerr, &ve) { // the SDK refused its own look-up: nothing was sent
			qerr = fmt.Errorf("%w: %v", ErrNoOrderLookup, qerr)
		}
		c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: reconcile query failed; outcome still unknown",
			slog.String("operation", string(op)), slog.String("error", redactText(qerr.Error(), 200)))
		return nil, &ReconcileError{Operation: op, MchOrderID: order.mchOrderID, Err: err, Did: "looked it up by merchant order id", LookupErr: qerr}
	}
}

// ErrLookupInconclusive is what a reconcile look-up (in a create, or in Client.Recover) wraps
// when PayCools answered with success but the answer does not prove the order either way: it
// does not name the merchant order id, carries no PayCools transaction id (data null, {}),
// names another order, lists no refund at all, or its amount cannot be read. The outcome of
// the create stays unknown: nothing is resent, nothing is marked absent or refused.
var ErrLookupInconclusive = errors.New("paycools: the look-up answer proves nothing about the order")

// judgeFound decides what a reconcile look-up that answered with success proves, given the
// merchant order id and PayCools' transaction id the answer names and its undecoded data:
// nil when it is this create's order, a *ReconcileMismatchError when the order under the id is
// a different transaction, or an error wrapping ErrLookupInconclusive when it proves nothing
// (the outcome stays unknown).
func judgeFound(op Operation, o moneyOrder, f foundOrder) error {
	switch {
	case f.mchOrderID != o.mchOrderID:
		return fmt.Errorf("%w: it names merchant order id %q, not %q", ErrLookupInconclusive, redactText(f.mchOrderID, 40), o.mchOrderID)
	case f.txnID == "":
		return fmt.Errorf("%w: it carries no PayCools transaction id for %q", ErrLookupInconclusive, o.mchOrderID)
	}
	return checkFound(op, o, f)
}

// OrderFacts are what a money-moving create sent, or what PayCools holds under its merchant
// order id, as far as the answer carries them (zero when it does not).
type OrderFacts struct {
	// Amount in minor units (refunds: the refund amount).
	Amount Amount
	// Currency, when sent or answered.
	Currency Currency
	// Account is the destination account (payouts); Error masks it.
	Account string
	// IdempotencyID is the idempotency id (payouts).
	IdempotencyID string
}

// ReconcileMismatchError says that the order PayCools holds under the merchant order id of a
// create whose outcome was unknown is a different transaction: its amount, currency,
// destination account or idempotency id is not what this call sent. The call's own create did
// not happen under that id (PayCools keeps one order per id); the merchant order id is taken.
// It is never returned as success.
type ReconcileMismatchError struct {
	// Operation is the create.
	Operation Operation
	// MchOrderID is the merchant order id both share.
	MchOrderID string
	// TransactionID is PayCools' id of the order found.
	TransactionID string
	// Fields names what differs: "amount", "currency", "account", "idempotencyId".
	Fields []string
	// Sent is what this call sent; Found what PayCools answered.
	Sent, Found OrderFacts
}

func (e *ReconcileMismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paycools: %s: merchant order id %q belongs to a different transaction", e.Operation, e.MchOrderID)
	if e.TransactionID != "" {
		fmt.Fprintf(&b, " (%s)", e.TransactionID)
	}
	for _, f := range e.Fields {
		switch f {
		case "amount":
			fmt.Fprintf(&b, "; amount sent %s, found %s", e.Sent.Amount, e.Found.Amount)
		case "currency":
			fmt.Fprintf(&b, "; currency sent %s, found %s", e.Sent.Currency, e.Found.Currency)
		case "account":
			fmt.Fprintf(&b, "; account sent %s, found %s", MaskAccountNumber(e.Sent.Account), MaskAccountNumber(e.Found.Account))
		case "idempotencyId":
			fmt.Fprintf(&b, "; idempotencyId sent %q, found %q", e.Sent.IdempotencyID, e.Found.IdempotencyID)
		}
	}
	return b.String()
}

// checkFound compares the order a reconcile lookup found (its undecoded data) with what the
// create sent, for every fact the answer carries: nil when none differs, a
// *ReconcileMismatchError when one does, an error wrapping ErrLookupInconclusive when the
// amount cannot be read (an unreadable amount is not a different one).
func checkFound(op Operation, o moneyOrder, f foundOrder) error {
	var m map[string]json.RawMessage
	if len(f.raw) == 0 || json.Unmarshal(f.raw, &m) != nil {
		return nil
	}
	str := func(name string) string {
		s, _ := decodeString(m[name])
		return s
	}
	sent := OrderFacts{Amount: o.amount, Currency: o.currency, Account: o.account, IdempotencyID: o.idempotencyID}
	var found OrderFacts
	var fields []string
	amountName := f.facts.amountField
	if v, ok := m[amountName]; ok && !isJSONNull(v) {
		if err := json.Unmarshal(v, &found.Amount); err != nil {
			return fmt.Errorf("%w: its %s %s cannot be read as minor units", ErrLookupInconclusive, amountName, redactText(string(v), 40))
		}
		if found.Amount != o.amount {
			fields = append(fields, "amount")
		}
	}
	if found.Currency = Currency(str("currency")); found.Currency != "" && o.currency != "" && found.Currency != o.currency {
		fields = append(fields, "currency")
	}
	if found.Account = str("accountNo"); found.Account != "" && o.account != "" && found.Account != o.account {
		fields = append(fields, "account")
	}
	if found.IdempotencyID = str("idempotencyId"); found.IdempotencyID != "" && o.idempotencyID != "" && found.IdempotencyID != o.idempotencyID {
		fields = append(fields, "idempotencyId")
	}
	if len(fields) == 0 {
		return nil
	}
	return &ReconcileMismatchError{Operation: op, MchOrderID: o.mchOrderID, TransactionID: f.txnID, Fields: fields, Sent: sent, Found: found}
}

// rawOf is the Raw field (the undecoded data) of a result struct pointer.
func rawOf(v any) json.RawMessage {
	if m := resultMetaOf(v); m != nil {
		return m.Raw
	}
	return nil
}

// ReconcileError is the error of a money-moving create whose outcome stayed unknown although
// the SDK tried to settle it: it says what the reconcile did and what its look-up answered.
// It unwraps to the create's own error (Err), so IsOutcomeUnknown stays true and errors.As
// still finds the *TransportError or *HTTPError; LookupErr is kept apart so that errors.Is
// with a look-up sentinel does not mistake it for the create's answer.
type ReconcileError struct {
	// Operation is the create.
	Operation Operation
	// MchOrderID is the merchant order id it was looked up by.
	MchOrderID string
	// Err is the create's error (outcome unknown).
	Err error
	// Did says what the reconcile did.
	Did string
	// LookupErr is the look-up's error.
	LookupErr error
}

func (e *ReconcileError) Error() string {
	return fmt.Sprintf("%v; reconcile %s for %q: %s, which failed: %v; the outcome is still unknown: look the order up again before sending it, under the same merchant order id",
		e.Err, e.Operation, e.MchOrderID, e.Did, redactText(e.LookupErr.Error(), 200))
}

// Unwrap returns the create's error.
func (e *ReconcileError) Unwrap() error { return e.Err }

// WaitProgress is one poll of a Wait, as the WithWaitObserver function sees it.
type WaitProgress struct {
	// Poll counts from 1.
	Poll int
	// Elapsed is the time since the Wait started.
	Elapsed time.Duration
	// Last is what this poll returned (a *Payout, *Refund, ...), nil when it failed.
	Last any
	// Err is the poll's error; transient errors do not end the wait.
	Err error
	// Final reports whether this poll ends the wait with a final state.
	Final bool
}

// WithWaitObserver calls fn after every poll of every Wait method, on the waiting goroutine:
// to show progress, or to log a wait that is taking long. fn must be quick; it must not call
// the client.
func WithWaitObserver(fn func(ctx context.Context, p WaitProgress)) Option {
	return func(c *Client) error {
		c.waitObserver = fn
		return nil
	}
}
