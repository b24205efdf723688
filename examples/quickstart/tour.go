package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// Family names, as printed in the first column.
const (
	famAccount     = "account"
	famPayouts     = "payouts"
	famBills       = "bills payment"
	famQR          = "qr codes"
	famBank        = "bank transfers"
	famWeb         = "web payments"
	famRefunds     = "refunds"
	famCheckout    = "checkout"
	famDirectDebit = "direct debit"
	famEKYC        = "ekyc"
)

// tour holds what the steps share.
type tour struct {
	out       io.Writer
	c         *paycools.Client
	gw        *paycoolstest.Server // the embedded fake gateway; nil against a real host
	notifyURL string
	waitFor   time.Duration // bound of each Wait
	runID     string        // makes this run's merchant ids unique
	ekycChan  string

	events    chan *paycools.Notification // verified callbacks, as the handler got them
	questions chan verification           // repayment verification questions and answers
	verified  int                         // callbacks shown as verified

	mu  sync.Mutex
	due map[string]paycools.Amount // bills: amount due per virtual account (mchOrderId)

	paidTxID string // a completed payment (web payments) for the refund step
	paid     paycools.Amount
}

// verification is one repayment verification question and the answer the merchant gave.
type verification struct {
	q       *paycools.RepaymentVerification
	refusal *paycools.RepaymentRefusal // nil: accepted
}

// line prints one aligned line: family, step, text.
func (t *tour) line(family, step, format string, a ...any) {
	fmt.Fprintf(t.out, "%-14s  %-9s  %s\n", family, step, fmt.Sprintf(format, a...))
}

// id is a merchant id for this run: prefix + run id, letters and digits only.
func (t *tour) id(prefix string) string { return prefix + t.runID }

func php(a paycools.Amount) string { return "PHP " + a.String() }

// onNotification is the merchant's callback code, run by NotificationHandler only after the
// signature verified. A real merchant updates its books here, idempotently.
func (t *tour) onNotification(_ context.Context, n *paycools.Notification) error {
	select {
	case t.events <- n:
		return nil
	default:
		return errors.New("too many callbacks queued") // 500: PayCools delivers again
	}
}

// onVerification answers PayCools' question "may this payment into a static virtual account be
// collected?": yes when the amount is positive and not above what is due.
func (t *tour) onVerification(_ context.Context, q *paycools.RepaymentVerification) (bool, error) {
	t.mu.Lock()
	due, known := t.due[q.MchOrderID]
	t.mu.Unlock()
	v := verification{q: q}
	switch {
	case !known:
		v.refusal = &paycools.RepaymentRefusal{Code: paycools.VerificationRefusedInvalidParam, Message: "unknown account"}
	case q.Amount > due:
		v.refusal = &paycools.RepaymentRefusal{Code: paycools.VerificationRefusedAmountLimit,
			Message: "more than the " + php(due) + " due"}
	}
	select {
	case t.questions <- v:
	default:
	}
	if v.refusal != nil {
		return false, v.refusal
	}
	return true, nil
}

// drive runs an outcome on the fake gateway (the payer pays, the bank settles, ...). Against a
// real host it only says what would happen there, and returns nil.
func (t *tour) drive(family, what string, fn func() (*paycoolstest.CallbackResult, error)) (*paycoolstest.CallbackResult, error) {
	if t.gw == nil {
		t.line(family, "drive", "skipped (real host): nothing here can make this happen: %s", what)
		return nil, nil
	}
	t.line(family, "drive", "%s (on the fake gateway)", what)
	res, err := fn()
	if err != nil {
		return res, fmt.Errorf("drive %s: %w", what, err)
	}
	return res, nil
}

// callback shows the callback that the outcome made PayCools send: the gateway's delivery
// result (acknowledged by our handler?) and the verified event the handler received.
func (t *tour) callback(family, event string, res *paycoolstest.CallbackResult) error {
	if t.gw == nil {
		t.line(family, "callback", "not awaited (real host): PayCools POSTs %s to the notifyUrl when it happens", event)
		return nil
	}
	if res == nil {
		return fmt.Errorf("no %s callback was sent", event)
	}
	if res.Err != nil {
		return fmt.Errorf("%s callback not delivered: %w", event, res.Err)
	}
	if !res.Acknowledged() {
		return fmt.Errorf("%s callback not acknowledged: HTTP %d %s", event, res.Status, res.Body)
	}
	return t.received(family, event, "verified and acknowledged")
}

// received takes the next verified callback from the handler and prints it.
func (t *tour) received(family, event, how string) error {
	select {
	case n := <-t.events:
		if n.EventName != event {
			return fmt.Errorf("expected a %s callback, got %s", event, n.EventName)
		}
		if n.Event == nil {
			return fmt.Errorf("%s callback: the SDK has no type for it", event)
		}
		t.verified++
		t.line(family, "callback", "%s %s: %s", event, how, describe(n))
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("no %s callback reached the handler", event)
	}
}

// question shows the repayment verification question the handler last answered.
func (t *tour) question(family string, res *paycoolstest.CallbackResult) error {
	select {
	case v := <-t.questions:
		answer, want := "accepted (2000)", paycools.VerificationAccepted
		if v.refusal != nil {
			answer, want = fmt.Sprintf("refused (%d %s)", v.refusal.Code, v.refusal.Message), v.refusal.Code
		}
		if res != nil && res.ReplyCode() != want {
			return fmt.Errorf("the handler answered %d, the gateway read %d", want, res.ReplyCode())
		}
		t.verified++
		t.line(family, "verify?", "%s verified: %s on %s for %s: %s",
			v.q.EventName, php(v.q.Amount), v.q.ChannelCode, v.q.MchOrderID, answer)
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("no repayment verification question reached the handler")
	}
}

// wait runs a bounded Wait. fn returns a description of the last state seen. Against a real host
// a wait that runs out of time is reported, not failed: the outcome depends on people there.
func (t *tour) wait(ctx context.Context, family string, fn func(context.Context) (string, error)) error {
	wctx, cancel := context.WithTimeout(ctx, t.waitFor)
	defer cancel()
	desc, err := fn(wctx)
	if err != nil {
		if t.gw == nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			if desc == "" {
				desc = "nothing seen"
			}
			t.line(family, "wait", "not final after %s (bounded): %s", t.waitFor, desc)
			return nil
		}
		return fmt.Errorf("wait: %w", err)
	}
	t.line(family, "wait", "final: %s", desc)
	return nil
}

// drainCallbacks prints the callbacks a real host sent during the run.
func (t *tour) drainCallbacks() {
	for {
		select {
		case n := <-t.events:
			t.verified++
			t.line("merchant", "callback", "%s verified: %s", n.EventName, describe(n))
		default:
			return
		}
	}
}

// describe summarizes a verified event in one line.
func describe(n *paycools.Notification) string {
	switch ev := n.Event.(type) {
	case *paycools.PayoutNotification:
		return fmt.Sprintf("payout %s %s %s", ev.MchOrderID, php(ev.Amount), ev.TransactionStatus)
	case *paycools.VirtualAccountPaymentNotification:
		return fmt.Sprintf("%s paid into %s (ref %s) %s", php(ev.Amount), ev.MchOrderID, ev.ReferenceNumber, ev.TransactionStatus)
	case *paycools.QRCodePaymentNotification:
		return fmt.Sprintf("%s paid on QR %s %s", php(ev.Amount), ev.MchOrderID, ev.TransactionStatus)
	case *paycools.BankTransferPaymentNotification:
		return fmt.Sprintf("%s transferred to %s (account %s) %s", php(ev.Amount), ev.MchOrderID,
			paycools.MaskAccountNumber(ev.PaymentAccount), ev.TransactionStatus)
	case *paycools.WebPaymentNotification:
		return fmt.Sprintf("web payment %s %s %s", ev.MchOrderID, php(ev.Amount), ev.TransactionStatus)
	case *paycools.RefundNotification:
		return fmt.Sprintf("refund %s of %s %s", ev.MchRefundOrderID, php(ev.RefundAmount), ev.RefundStatus)
	case *paycools.CheckoutNotification:
		return fmt.Sprintf("checkout %s %s via %s %s", ev.MchOrderID, php(ev.Amount), ev.ChannelCode, ev.TransactionStatus)
	case *paycools.DirectDebitAuthorizationNotification:
		return fmt.Sprintf("user %s token %s %s", ev.UserID, paycools.MaskAccountNumber(ev.PayToken), ev.TokenStatus)
	case *paycools.DirectDebitPaymentNotification:
		return fmt.Sprintf("charge %s %s %s", ev.MchOrderID, php(ev.Amount), ev.TransactionStatus)
	case *paycools.EKYCNotification:
		return fmt.Sprintf("verification %s of user %s %s", ev.RequestID, ev.UserID, ev.KYCStatus)
	default:
		return fmt.Sprintf("event the SDK does not type (%d bytes)", len(n.Param))
	}
}
