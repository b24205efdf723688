package paycools

import (
	"context"
	"errors"
	"log/slog"
)

// waitFinal polls get until final says the result is final, or ctx ends. The wait between
// polls starts at the client's poll minimum and grows by half up to its maximum. Transient
// failures (transport, HTTP, retryable codes) do not stop the wait; any other error does. When
// ctx ends it returns the last result it saw with the context error (joined with the last poll's
// error, if that poll failed).
func waitFinal[T any](ctx context.Context, c *Client, get func(context.Context) (*T, error), final func(*T) bool) (*T, error) {
	var last *T
	delay := c.pollMin
	for {
		res, err := get(ctx)
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
func createOrReconcile[T any](ctx context.Context, c *Client, op Operation, order moneyOrder, create func(context.Context) (*T, error), lookup func(context.Context, moneyOrder) (*T, error), txnID func(*T) string) (*T, error) {
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
			id = txnID(res)
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
	found, qerr := lookup(ctx, order)
	switch {
	case qerr == nil:
		return found, nil
	case errors.Is(qerr, ErrTransactionNotFound):
		res2, err2 := create(ctx)
		if err2 == nil {
			return res2, nil
		}
		if errors.Is(err2, ErrDuplicateOrder) || errors.Is(err2, ErrDuplicateIdempotency) || errors.Is(err2, ErrDuplicateRefundOrder) {
			if found, qerr := lookup(ctx, order); qerr == nil {
				return found, nil
			}
			return nil, err
		}
		return nil, err2
	default:
		c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: reconcile query failed; outcome still unknown",
			slog.String("operation", string(op)), slog.String("error", redactText(qerr.Error(), 200)))
		return nil, err
	}
}
