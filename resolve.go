package paycools

// Resolving the unknown outcome of a money-moving create inside the call: the order is looked
// up by its merchant order id, compared with what was sent, and the create resent only when it
// provably never arrived. (The daily report that matches PayCools' statements with the
// merchant's books is reconcile.go.)

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// createAndResolve runs a money-moving create. When it ends with an unknown outcome (and the
// client resolves it), it asks PayCools about the merchant order id instead of guessing:
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
func createAndResolve[T any](ctx context.Context, c *Client, op Operation, order moneyOrder, create func(context.Context) (*T, error), lookup func(context.Context, moneyOrder) (*T, error)) (*T, error) {
	var in *Intent
	if c.ledger != nil && ctx != nil {
		in = &Intent{ID: newIntentID(), Operation: op, MchOrderID: order.mchOrderID, IdempotencyID: order.idempotencyID,
			LookupKey: order.lookupKey, Amount: order.amount}
		ctx = context.WithValue(ctx, intentKey{}, in)
	}
	res, err := resolveCreate(ctx, c, op, order, create, lookup)
	if in != nil && in.State != "" {
		id := ""
		if err == nil && res != nil {
			id = c.endpoints[op].money.found(rawOf(res)).txnID
		}
		c.settleIntent(ctx, in, id, err)
	}
	return res, err
}

// resolveCreate is createAndResolve without the ledger.
func resolveCreate[T any](ctx context.Context, c *Client, op Operation, order moneyOrder, create func(context.Context) (*T, error), lookup func(context.Context, moneyOrder) (*T, error)) (*T, error) {
	res, err := create(ctx)
	if err == nil || !c.resolveOutcome || !IsOutcomeUnknown(err) || ctx.Err() != nil {
		return res, err
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: outcome unknown; resolving it by merchant order id",
		slog.String("operation", string(op)))
	// settle judges a lookup that answered: the order is proven (returned), another
	// transaction's (*OrderMismatchError), or nothing is proven (still unknown).
	settle := func(found *T, did string) (*T, error) {
		jerr := judgeFound(op, order, c.endpoints[op].money.found(rawOf(found)))
		var mm *OrderMismatchError
		switch {
		case jerr == nil:
			return found, nil
		case errors.As(jerr, &mm):
			return nil, mm
		}
		return nil, &UnresolvedOutcomeError{Operation: op, MchOrderID: order.mchOrderID, Err: err, Did: did, LookupErr: jerr}
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
				return nil, &UnresolvedOutcomeError{Operation: op, MchOrderID: order.mchOrderID, Err: err, Did: did, LookupErr: qerr2}
			}
			return settle(found, did)
		}
		return nil, err2
	default:
		var ve *ValidationError
		if errors.As(qerr, &ve) { // the SDK refused its own look-up: nothing was sent
			qerr = fmt.Errorf("%w: %v", ErrNoOrderLookup, qerr)
		}
		c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: outcome look-up failed; outcome still unknown",
			slog.String("operation", string(op)), slog.String("error", redactText(qerr.Error(), 200)))
		return nil, &UnresolvedOutcomeError{Operation: op, MchOrderID: order.mchOrderID, Err: err, Did: "looked it up by merchant order id", LookupErr: qerr}
	}
}

// ErrLookupInconclusive is what an outcome look-up (in a create, or in Client.Recover) wraps
// when PayCools answered with success but the answer does not prove the order either way: it
// does not name the merchant order id, carries no PayCools transaction id (data null, {}),
// names another order, lists no refund at all, or its amount cannot be read. The outcome of
// the create stays unknown: nothing is resent, nothing is marked absent or refused.
var ErrLookupInconclusive = errors.New("paycools: the look-up answer proves nothing about the order")

// judgeFound decides what an outcome look-up that answered with success proves, given the
// merchant order id and PayCools' transaction id the answer names and its undecoded data:
// nil when it is this create's order, a *OrderMismatchError when the order under the id is
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

// OrderMismatchError says that the order PayCools holds under the merchant order id of a
// create whose outcome was unknown is a different transaction: its amount, currency,
// destination account or idempotency id is not what this call sent. The call's own create did
// not happen under that id (PayCools keeps one order per id); the merchant order id is taken.
// It is never returned as success.
type OrderMismatchError struct {
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

func (e *OrderMismatchError) Error() string {
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

// checkFound compares the order an outcome look-up found (its undecoded data) with what the
// create sent, for every fact the answer carries: nil when none differs, a
// *OrderMismatchError when one does, an error wrapping ErrLookupInconclusive when the
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
	return &OrderMismatchError{Operation: op, MchOrderID: o.mchOrderID, TransactionID: f.txnID, Fields: fields, Sent: sent, Found: found}
}

// rawOf is the Raw field (the undecoded data) of a result struct pointer.
func rawOf(v any) json.RawMessage {
	if m := resultMetaOf(v); m != nil {
		return m.Raw
	}
	return nil
}

// UnresolvedOutcomeError is the error of a money-moving create whose outcome stayed unknown although
// the SDK tried to settle it: it says what the resolution did and what its look-up answered.
// It unwraps to the create's own error (Err), so IsOutcomeUnknown stays true and errors.As
// still finds the *TransportError or *HTTPError; LookupErr is kept apart so that errors.Is
// with a look-up sentinel does not mistake it for the create's answer.
type UnresolvedOutcomeError struct {
	// Operation is the create.
	Operation Operation
	// MchOrderID is the merchant order id it was looked up by.
	MchOrderID string
	// Err is the create's error (outcome unknown).
	Err error
	// Did says what the resolution did.
	Did string
	// LookupErr is the look-up's error.
	LookupErr error
}

func (e *UnresolvedOutcomeError) Error() string {
	return fmt.Sprintf("%v; resolving %s for %q: %s, which failed: %v; the outcome is still unknown: look the order up again before sending it, under the same merchant order id",
		e.Err, e.Operation, e.MchOrderID, e.Did, redactText(e.LookupErr.Error(), 200))
}

// Unwrap returns the create's error.
func (e *UnresolvedOutcomeError) Unwrap() error { return e.Err }

// found reads the order a look-up answered (its undecoded data) by the facts: the merchant
// order id and PayCools' id it names (empty when absent or not a string or number).
func (f *moneyFacts) found(raw json.RawMessage) foundOrder {
	var ids map[string]json.RawMessage
	_ = json.Unmarshal(raw, &ids)
	mch, _ := decodeString(ids[f.orderField])
	txn, _ := decodeString(ids[f.txnField])
	return foundOrder{mchOrderID: mch, txnID: txn, raw: raw, facts: f}
}

// foundOrder is what a look-up of a money-moving create answered: the merchant order id and
// PayCools' id it names, its undecoded data, and the facts it was read by.
type foundOrder struct {
	mchOrderID, txnID string
	raw               json.RawMessage
	facts             *moneyFacts
}

// rawResult is the undecoded data of a look-up's result, for moneyFacts.found.
func rawResult[T any](res *T, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return rawOf(res), nil
}
