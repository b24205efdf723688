package paycools

// NotificationHandler: a callback read, verified, claimed once, handled and answered, with the
// replies each form wants.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
)

// Replies of the callback handlers (docs/envelope.md §9, §10).
var (
	replySuccess     = []byte(`{"code":10000,"message":"Success"}`)
	replyParamError  = []byte(`{"code":21002,"message":"Request param error"}`)
	replySignError   = []byte(`{"code":21001,"message":"Request sign error"}`)
	replyServerError = []byte(`{"code":21000,"message":"Server error, Please try again later."}`)
)

func writeReply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (nerr *notificationError) reply(w http.ResponseWriter) {
	switch nerr.status {
	case http.StatusUnauthorized:
		writeReply(w, nerr.status, replySignError)
	default:
		writeReply(w, nerr.status, replyParamError)
	}
}

// readCallback enforces POST and the 1 MiB cap, and verifies the body.
func (c *Client) readCallback(w http.ResponseWriter, r *http.Request) (*Notification, []byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeReply(w, http.StatusMethodNotAllowed, replyParamError)
		return nil, nil, false
	}
	body, err := readCapped(r.Body, maxNotificationBytes)
	if errors.Is(err, errBodyTooLarge) {
		writeReply(w, http.StatusRequestEntityTooLarge, replyParamError)
		return nil, nil, false
	}
	if err != nil {
		writeReply(w, http.StatusBadRequest, replyParamError)
		return nil, nil, false
	}
	n, nerr := c.parseNotification(r.Context(), body)
	if nerr != nil {
		c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools callback refused",
			slog.Int("http_status", nerr.status), slog.String("error", nerr.err.Error()))
		nerr.reply(w)
		return nil, nil, false
	}
	return n, body, true
}

// NotificationHandler returns the http.Handler for a PayCools notifyUrl. For each POST it
// verifies the signature over the exact param bytes with the platform public key (401 and fn
// not called when it fails), decodes the event, calls fn, and answers 200
// {"code":10000,"message":"Success"} when fn returns nil, or 500 when fn returns an error, so
// that PayCools delivers the event again. Bodies over 1 MiB get 413.
//
// PayCools delivers at least once. The client's NotificationStore (default: in memory, 24h,
// claims of DefaultNotificationLease) runs fn once per event, keyed by NotificationKey: a
// redelivery of an event fn already handled is acknowledged without calling fn, a delivery
// arriving while the same event is claimed gets 500 (so it comes back if the first fails), a
// claim whose process died is taken over once its lease ends, and a store error before fn
// runs gets 500. While fn runs its claim is renewed every third of the lease; when the claim
// is lost, fn's context is cancelled with cause ErrClaimLost. When fn fails, the claim is
// released so that the next delivery runs fn again. Once fn succeeded the event is handled
// and acknowledged, even when the store fails to record it: the record is retried with
// backoff (keeping the claim, so a redelivery meanwhile gets 500 and never runs fn) and each
// failure is logged. With several processes, use a shared store
// (paycoolssql.NewNotificationStore) or keep fn idempotent.
// Events outside the replay window (24 h by default, WithNotificationMaxAge) get 401; an event
// whose money or status field cannot be read gets 500 without calling fn; a panic in fn
// releases the claim and gets 500.
// A repayment-verification question that reaches this handler is answered with a
// refusal, never accepted; serve those with RepaymentVerificationHandler.
//
// When the store keeps an event inbox (it implements EventRecorder: paycoolssql with
// WithInbox), each delivery that runs fn is recorded with its exact body, and fn's outcome
// after it. A handled event runs fn again only for a delivery carrying the one-time token of
// ReplayHeader that the store gave for it (ReplayClaimer, `paycools events replay`).
//
// With a ledger (WithLedger), a verified payout, web payment, direct-debit or refund event first
// settles the intent of its order (see the README, "Callbacks settle the ledger"); when the
// ledger fails, it answers 500 without calling fn, so that PayCools delivers again. Once fn
// has succeeded for a final payout, web payment, checkout, direct-debit or refund event (or
// the store says it did before), the ledger records the order's final status and amount, so
// that Client.Sync no longer asks about it.
//
// In the PH dialect it also takes the flat callback forms, and answers a handled flat callback
// {"code":1,"msg":"success","data":{}} (the reply follows the form of the request).
//
// A callback that names another merchant application's appId gets 401 and fn is not called
// (docs/dialects.md §10.3); to serve several appIds on one URL, use NotificationMux.
//
// NotificationHandler panics if fn is nil or the client cannot verify any callback: in the
// open-api dialect it needs the platform public key, in the PH dialect the key or the callback
// secret (WithCallbackSecret). A callback endpoint that cannot verify must not be served.
func (c *Client) NotificationHandler(fn func(context.Context, *Notification) error) http.Handler {
	if !c.canVerifyCallbacks() {
		panic("paycools: NotificationHandler: " + c.missingVerifier() + "; callbacks cannot be verified")
	}
	if fn == nil {
		panic("paycools: NotificationHandler: nil function")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, body, ok := c.readCallback(w, r)
		if !ok {
			return
		}
		if n.EventName == EventPaymentVerification {
			c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools: repayment verification reached NotificationHandler; refused (serve it with RepaymentVerificationHandler)")
			writeReply(w, http.StatusOK, repaymentReply(n.Form, repaymentRefuseCode, "Failed"))
			return
		}
		if !c.fresh(r, n) {
			writeReply(w, http.StatusUnauthorized, replySignError)
			return
		}
		if c.refuseUnreadable(w, r, n) {
			return
		}
		if !c.settleLedgerOrReply(w, r, n) {
			return
		}
		ctx, claim := r.Context(), (*heldClaim)(nil)
		if c.notifyStore != nil {
			var ok bool
			key, replayToken := NotificationKey(n), r.Header.Get(ReplayHeader)
			handledBefore := func(string) []byte {
				c.finalizeLedger(r.Context(), n) // fn ran for this event before (a delivery or Sync)
				return successReply(n.Form)
			}
			if claim, ok = c.claimOrReply(w, r, key, n.EventName, replayToken, 0, handledBefore); !ok {
				return
			}
			ctx = claim.ctx
			c.recordEvent(r, n.EventName, func(ctx context.Context, rec EventRecorder) error {
				return rec.Received(ctx, ReceivedEvent{AppID: c.appID, Key: key, EventName: n.EventName, Form: n.Form, Body: body,
					ReceivedAt: c.clock(), Replay: replayToken != ""})
			})
		}
		p, err := runGuarded(func() error { return fn(ctx, n) })
		if claim != nil {
			c.recordOutcome(r, claim, p, err)
		}
		if p != nil {
			// The claim is released at once, so that the next delivery runs fn again.
			if claim != nil {
				claim.release(r.Context())
			}
			c.logPanic(r, "paycools callback handler panicked; answered 500, PayCools will deliver again", n.EventName, p)
			writeReply(w, http.StatusInternalServerError, replyServerError)
			return
		}
		if err != nil {
			if claim != nil {
				claim.release(r.Context())
			}
			c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools callback handler failed; PayCools will deliver again",
				slog.String("event", n.EventName), slog.String("error", redactText(err.Error(), 300)))
			writeReply(w, http.StatusInternalServerError, replyServerError)
			return
		}
		// fn succeeded: the event is handled, and acknowledged even if the store fails to
		// record it (finish retries and logs); answering 500 would have it run again.
		if claim != nil {
			claim.finish(r.Context(), "")
		}
		c.finalizeLedger(r.Context(), n)
		writeReply(w, http.StatusOK, successReply(n.Form))
	})
}

// successReply is the acknowledgement of a handled callback in its form (docs/dialects.md
// §10.2).
func successReply(f NotificationForm) []byte {
	if f == NotificationFormEnvelope {
		return replySuccess
	}
	return flatCallbackReply
}

// canVerifyCallbacks reports whether some callback form of the client's dialect can be
// verified with what is configured.
func (c *Client) canVerifyCallbacks() bool {
	for _, f := range c.spec.callbackForms {
		if f == NotificationFormFlatSHA1 && len(c.callbackSecret) > 0 || f != NotificationFormFlatSHA1 && len(c.platformKey) > 0 {
			return true
		}
	}
	return false
}

// missingVerifier names what a client that cannot verify callbacks lacks.
func (c *Client) missingVerifier() string {
	if c.accepts(NotificationFormFlatSHA1) {
		return "neither a PayCools platform public key (WithPlatformPublicKey) nor a callback secret (WithCallbackSecret) is configured"
	}
	return "no PayCools platform public key configured (WithPlatformPublicKey)"
}

// callbackPanic is a panic of the merchant's callback function, caught.
type callbackPanic struct {
	value any
	stack []byte
}

// runGuarded calls f and catches a panic, so that the callback handlers can release the
// event's claim and answer 500 instead of leaving PayCools without an answer and the event
// claimed until its lease ends.
func runGuarded(f func() error) (p *callbackPanic, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = &callbackPanic{value: v, stack: debug.Stack()}
		}
	}()
	return nil, f()
}

// logPanic logs a caught panic with its stack (redacted, as the merchant's data may be in the
// panic value). http.ErrAbortHandler is re-raised after the answer, as net/http expects.
func (c *Client) logPanic(r *http.Request, msg, event string, p *callbackPanic) {
	if p.value == http.ErrAbortHandler {
		panic(http.ErrAbortHandler)
	}
	c.logger.LogAttrs(r.Context(), slog.LevelError, msg, slog.String("event", event),
		slog.String("panic", redactText(fmt.Sprint(p.value), 300)), slog.String("stack", redactText(string(p.stack), 4000)))
}

// amountType is the type of every money field.
var amountType = reflect.TypeOf(Amount(0))

// unreadableMoneyOrStatus returns the first field of n.Unreadable that is a money field or a
// status of the typed event, or "".
func unreadableMoneyOrStatus(n *Notification) string {
	if len(n.Unreadable) == 0 || n.Event == nil {
		return ""
	}
	t := reflect.TypeOf(n.Event).Elem()
	for _, path := range n.Unreadable {
		top := path
		if i := strings.IndexAny(top, ".["); i >= 0 {
			top = top[:i]
		}
		for _, sf := range reflect.VisibleFields(t) { // an embedded resource's fields are the event's own
			if jsonName(sf) != top && !strings.EqualFold(sf.Name, top) {
				continue
			}
			if sf.Type == amountType || strings.HasSuffix(sf.Type.Name(), "Status") {
				return path
			}
		}
	}
	return ""
}

// refuseUnreadable answers 500 for an event whose money or status field could not be read,
// and says so in the log; it reports whether it did.
func (c *Client) refuseUnreadable(w http.ResponseWriter, r *http.Request, n *Notification) bool {
	field := unreadableMoneyOrStatus(n)
	if field == "" {
		return false
	}
	c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools callback not handled: a money or status field cannot be read; answered 500, PayCools will deliver again",
		slog.String("event", n.EventName), slog.String("field", field))
	writeReply(w, http.StatusInternalServerError, replyServerError)
	return true
}
