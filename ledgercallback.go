package paycools

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// LateCreationError reports a late creation that meets a newer intent: an intent that Recover
// had found absent was made by PayCools after all (Late, now IntentLate, with PayCools'
// TransactionID), and the order had been recorded again since (Newer: pending, unknown or
// created). Money may have moved twice, or the newer create will be refused as a duplicate:
// the merchant must look at both. NotificationHandler logs it at error level (intent ids
// whole) and the late intent's Detail names the newer ones.
type LateCreationError struct {
	// Late is the intent PayCools made late, as it was before (State IntentAbsent).
	Late Intent
	// TransactionID is PayCools' id of the late order.
	TransactionID string
	// Newer are the order's intents recorded since that are open or created.
	Newer []Intent
}

func (e *LateCreationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paycools: %s %q: intent %s, found absent by Recover, was made by PayCools late (%s); the order was recorded again since:",
		e.Late.Operation, e.Late.MchOrderID, e.Late.ID, e.TransactionID)
	for _, n := range e.Newer {
		fmt.Fprintf(&b, " intent %s (%s", n.ID, n.State)
		if n.TransactionID != "" {
			fmt.Fprintf(&b, ", %s", n.TransactionID)
		}
		b.WriteString(")")
	}
	b.WriteString("; check both with PayCools: money may have moved twice")
	return b.String()
}

// notificationOrder is what a verified callback says about the order of a money-moving create
// that the ledger can hold: the create, the merchant order id, PayCools' id and the amount. ok
// is false for other events, and for checkout events, whose transaction id is not the
// checkout id the ledger keeps (checkout orders are looked up by merchant order id anyway).
func notificationOrder(ev any) (op Operation, mchOrderID, txnID string, amount Amount, ok bool) {
	op, mchOrderID, txnID, amount, _, _, ok = notificationFinal(ev)
	if !ok || op == OpCheckoutCreate {
		return "", "", "", 0, false
	}
	return op, mchOrderID, txnID, amount, true
}

// settleLedgerOrReply lets a verified callback settle the ledger (see settleLedger). When the
// ledger cannot be read or written it answers 500, so that PayCools delivers the event again,
// and returns false.
func (c *Client) settleLedgerOrReply(w http.ResponseWriter, r *http.Request, n *Notification) bool {
	if err := c.settleLedger(r.Context(), n); err != nil {
		c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools ledger: a callback could not settle its intent; answered 500, PayCools will deliver again",
			slog.String("event", n.EventName), slog.String("error", redactText(err.Error(), 300)))
		writeReply(w, http.StatusInternalServerError, replyServerError)
		return false
	}
	return true
}

// settleLedger records what a verified callback proves: PayCools holds the order it names
// under its transaction id. When the ledger already records that id, nothing changes. Else an
// open intent (pending or unknown) of the order with the same amount becomes created; this is
// the only way an intent can be settled in the PH dialect for web payments and direct-debit
// charges, which cannot be looked up by merchant order id. Else an absent intent with the same
// amount becomes late, and when the order was recorded again since, a *LateCreationError is
// logged at error level. A callback whose amount is not the intent's settles nothing. It
// returns an error only when the ledger failed. It is the one place where callbacks settle
// the ledger: a later synchronisation of the ledger with PayCools can call it per event.
func (c *Client) settleLedger(ctx context.Context, n *Notification) error {
	if c.ledger == nil || n == nil {
		return nil
	}
	op, order, txn, amount, ok := notificationOrder(n.Event)
	if !ok || order == "" || txn == "" {
		return nil
	}
	intents, err := c.ledger.Intents(ctx, c.appID, op, order)
	if err != nil {
		return fmt.Errorf("paycools: ledger: %w", err)
	}
	var open, absent *Intent
	for i := range intents {
		in := &intents[i]
		switch {
		case in.TransactionID == txn && (in.State == IntentCreated || in.State == IntentLate):
			return nil // already recorded
		case in.Amount != amount:
			// Another amount (or none): not proof that this is the intent's order.
		case in.State == IntentPending || in.State == IntentUnknown:
			open = in
		case in.State == IntentAbsent:
			absent = in // the newest absent one, intents being oldest first
		}
	}
	target := open
	if target == nil {
		target = absent
	}
	if target == nil {
		return nil
	}
	r := IntentResolution{State: IntentCreated, TransactionID: txn, At: c.clock(),
		Detail: "settled by the verified callback " + n.EventName}
	var late *LateCreationError
	if target == absent {
		late = &LateCreationError{Late: *absent, TransactionID: txn}
		for _, in := range intents {
			if in.ID != absent.ID && (in.State == IntentPending || in.State == IntentUnknown || in.State == IntentCreated) {
				late.Newer = append(late.Newer, in)
			}
		}
		r.State, r.Detail = IntentLate, "made by PayCools after Recover found it absent (callback "+n.EventName+")"
		if len(late.Newer) > 0 {
			r.Detail = late.Error()
		}
	}
	if err := c.ledger.Resolve(context.WithoutCancel(ctx), target.ID, r); err != nil {
		return fmt.Errorf("paycools: ledger: intent %s: %w", target.ID, err)
	}
	if late != nil && len(late.Newer) > 0 {
		c.logger.LogAttrs(ctx, slog.LevelError, late.Error(),
			slog.String("operation", string(op)), slog.String("intent", target.ID), slog.String("transaction", txn))
		return nil
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "paycools ledger: intent settled by a verified callback",
		slog.String("operation", string(op)), slog.String("intent", target.ID), slog.String("state", string(r.State)),
		slog.String("transaction", txn))
	return nil
}

// notificationFinal is what a verified callback (or Client.Sync's notification) says about
// the final state of a money-moving order: the create, the merchant order id, PayCools' id
// (for checkouts the payment's id, not the checkout id the ledger keeps), the amount, the
// status in its canonical spelling, and whether that status is final. ok is false for events
// of other families.
func notificationFinal(ev any) (op Operation, mchOrderID, txnID string, amount Amount, status string, final, ok bool) {
	switch e := ev.(type) {
	case *PayoutNotification:
		return OpPayoutCreate, e.MchOrderID, e.TransactionID, e.Amount, string(e.TransactionStatus), e.TransactionStatus.Final(), true
	case *WebPaymentNotification:
		return OpWebPaymentCreate, e.MchOrderID, e.TransactionID, e.Amount, string(e.TransactionStatus), e.TransactionStatus.Final(), true
	case *DirectDebitPaymentNotification:
		return OpDirectDebitCreatePayment, e.MchOrderID, e.TransactionID, e.Amount, string(e.TransactionStatus), e.TransactionStatus.Final(), true
	case *RefundNotification:
		return OpRefundCreate, e.MchRefundOrderID, e.RefundTransactionID, e.RefundAmount, string(e.RefundStatus), e.RefundStatus.Final(), true
	case *CheckoutNotification:
		return OpCheckoutCreate, e.MchOrderID, e.TransactionID, e.Amount, string(e.TransactionStatus), e.TransactionStatus.Final(), true
	}
	return "", "", "", 0, "", false, false
}

// finalizeLedger records in the ledger the final state that a handled event reports (its
// function succeeded, now or before): the created or late intent of its order that PayCools
// holds under the event's transaction id (checkouts: by merchant order id and amount) gets
// the event's status and amount, so that Client.Sync no longer asks about it. A failure is
// logged: the order stays unsettled, and the next Sync finds the event handled in the
// notification store and records it then.
func (c *Client) finalizeLedger(ctx context.Context, n *Notification) {
	if c.ledger == nil || n == nil {
		return
	}
	op, order, txn, amount, status, final, ok := notificationFinal(n.Event)
	if !ok || !final || order == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	intents, err := c.ledger.Intents(ctx, c.appID, op, order)
	if err == nil {
		for _, in := range intents {
			if (in.State != IntentCreated && in.State != IntentLate) || in.FinalStatus != "" {
				continue
			}
			if op == OpCheckoutCreate && in.Amount != amount || op != OpCheckoutCreate && in.TransactionID != txn {
				continue // not proof that this is the intent's order
			}
			if err = c.ledger.Finalize(ctx, in.ID, OrderFinal{Status: status, Amount: amount, At: c.clock()}); err != nil {
				break
			}
		}
	}
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools ledger: the final state of a handled event was not recorded; the next Sync records it",
			slog.String("event", n.EventName), slog.String("error", redactText(err.Error(), 300)))
	}
}
