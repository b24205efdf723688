package paycools

// RepaymentVerificationHandler: the inbound question of doc 4.6, answered once per question
// with the decision stored.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// RepaymentVerificationHandler returns the http.Handler that answers PayCools' repayment
// verification question (doc 4.6): may this payment into a static virtual account be
// collected? fn decides:
//
//   - (true, nil): accept, HTTP 200 {"code":2000,"message":"Success","data":{}};
//   - (false, nil): refuse, HTTP 200 {"code":1000,"message":"Failed","data":{}};
//   - an error that is (or wraps) a *RepaymentRefusal: refuse with its code (1000, 1001 or
//     1002; another code is sent as 1000) and message, whatever accept says;
//   - any other error: HTTP 500 (the error text is logged, never sent).
//
// A body that does not verify gets 401 and fn is not called; a verified event other than
// payment.verification gets 400, so nothing is ever accepted by default.
//
// With the client's NotificationStore, each question is decided once: it is identified by
// what its signature covers (param's exact bytes; for a flat question the canonical signed
// string, so other white space or member order is the same question), and the decision
// (accept, or the refusal's code and message) is stored with it. Asked again, it gets the same
// answer without calling fn; asked while it is being decided, it waits up to 3 seconds for
// the decision, then gets 500. An error that is no refusal, or a panic, stores nothing, and
// the question is decided afresh when asked again.
//
// A flat question (PH dialect) gets the flat replies: {"code":2000,"msg":"Success"},
// {"code":1000,"msg":"Failed"}.
// It panics if fn is nil or the client cannot verify any question (as NotificationHandler).
func (c *Client) RepaymentVerificationHandler(fn func(context.Context, *RepaymentVerification) (accept bool, err error)) http.Handler {
	if !c.canVerifyCallbacks() {
		panic("paycools: RepaymentVerificationHandler: " + c.missingVerifier() + "; questions cannot be verified")
	}
	if fn == nil {
		panic("paycools: RepaymentVerificationHandler: nil function")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _, ok := c.readCallback(w, r)
		if !ok {
			return
		}
		q, isQ := n.Event.(*RepaymentVerification)
		if n.EventName != EventPaymentVerification || !isQ {
			c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools: RepaymentVerificationHandler got another event; refused",
				slog.String("event", n.EventName))
			writeReply(w, http.StatusBadRequest, replyParamError)
			return
		}
		if !c.fresh(r, n) {
			writeReply(w, http.StatusUnauthorized, replySignError)
			return
		}
		if c.refuseUnreadable(w, r, n) {
			return
		}
		// A question is decided once: asked again (PayCools repeating a question whose answer
		// it lost, or a replay), it gets the stored decision, never a second run of fn. The
		// key is the question's verified content (repaymentKey): two payments into one account
		// are two questions.
		ctx, claim := r.Context(), (*heldClaim)(nil)
		if c.notifyStore != nil {
			var ok bool
			if claim, ok = c.claimOrReply(w, r, repaymentKey(n), n.EventName, "", finishWait, func(result string) []byte {
				code, msg, ok := parseRepaymentDecision(result)
				if !ok { // finished without a decision (by an earlier version): refuse
					c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools: repayment verification asked again, with no stored decision; refused")
				} else {
					c.logger.LogAttrs(r.Context(), slog.LevelInfo, "paycools: repayment verification asked again; answered with the stored decision",
						slog.Int("code", code))
				}
				return repaymentReply(n.Form, code, msg)
			}); !ok {
				return
			}
			ctx = claim.ctx
		}
		var accept bool
		p, err := runGuarded(func() error {
			var ferr error
			accept, ferr = fn(ctx, q)
			return ferr
		})
		code, msg, decided := repaymentDecision(accept, err)
		if p != nil || !decided {
			if claim != nil {
				claim.release(r.Context()) // 500: the question may come again
			}
			if p != nil {
				c.logPanic(r, "paycools repayment verification panicked; answered 500", n.EventName, p)
			} else {
				c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools repayment verification failed; answered 500",
					slog.String("error", redactText(err.Error(), 300)))
			}
			writeReply(w, http.StatusInternalServerError, replyServerError)
			return
		}
		if claim != nil {
			claim.finish(r.Context(), formatRepaymentDecision(code, msg))
		}
		writeReply(w, http.StatusOK, repaymentReply(n.Form, code, msg))
	})
}

// repaymentDecision turns fn's answer into the reply's code and message; decided is false for
// an error that is no refusal (answered 500, not stored).
func repaymentDecision(accept bool, err error) (code int, msg string, decided bool) {
	var refusal *RepaymentRefusal
	switch {
	case errors.As(err, &refusal) && refusal == nil: // a typed-nil *RepaymentRefusal: refuse
		return repaymentRefuseCode, "Failed", true
	case errors.As(err, &refusal):
		code = refusal.Code
		if code != VerificationRefused && code != VerificationRefusedInvalidParam && code != VerificationRefusedAmountLimit {
			code = repaymentRefuseCode
		}
		msg = refusal.Message
		if msg == "" {
			msg = "Failed"
		}
		return code, msg, true
	case err != nil:
		return 0, "", false
	case accept:
		return repaymentAcceptCode, "Success", true
	}
	return repaymentRefuseCode, "Failed", true
}

// repaymentKey is the store key of a repayment verification question: the hash of what its
// signature covers, so that a question repeated with other white space or member order is
// the same question. The envelope's signature covers param's exact bytes; a flat question's
// covers the canonical sorted k=v string (CanonicalFlatString).
func repaymentKey(n *Notification) string {
	if n.Form == NotificationFormFlatSHA1 || n.Form == NotificationFormFlatRSA {
		if canon, err := CanonicalFlatString(n.Param); err == nil {
			sum := sha256.Sum256([]byte(canon))
			return EventPaymentVerification + ":flat-sha256=" + hex.EncodeToString(sum[:])
		}
	}
	sum := sha256.Sum256(n.Param)
	return EventPaymentVerification + ":sha256=" + hex.EncodeToString(sum[:])
}

// formatRepaymentDecision is the result stored for a decided question: "code:message".
func formatRepaymentDecision(code int, msg string) string {
	return strconv.Itoa(code) + ":" + msg
}

// parseRepaymentDecision reads a stored decision; a missing or unreadable one is a refusal
// (1000, "Failed") with ok false.
func parseRepaymentDecision(result string) (code int, msg string, ok bool) {
	c, m, found := strings.Cut(result, ":")
	code, err := strconv.Atoi(c)
	if !found || err != nil {
		return repaymentRefuseCode, "Failed", false
	}
	return code, m, true
}

// repaymentReply is the answer to a repayment verification question in its form
// (docs/dialects.md §11): the envelope form carries message and data, the flat form msg.
func repaymentReply(f NotificationForm, code int, message string) []byte {
	msg, _ := marshalCompact(message)
	if f == NotificationFormFlatSHA1 || f == NotificationFormFlatRSA {
		return []byte(fmt.Sprintf(`{"code":%d,"msg":%s}`, code, msg))
	}
	return []byte(fmt.Sprintf(`{"code":%d,"message":%s,"data":{}}`, code, msg))
}

// RepaymentVerification is PayCools' question (doc 4.6): may this payment into a static
// virtual account be collected? Answer it with Client.RepaymentVerificationHandler.
type RepaymentVerification struct {
	// EventName is "payment.verification".
	EventName string `json:"eventName"`
	// MchOrderID is the merchant's id of the virtual account group being paid.
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the channel the payer is using (open-api edition; absent on PH).
	ChannelCode BillsPaymentChannelCode `json:"channelCode"`
	// ReferenceNumber is the reference the payer entered (PH: customer contract number).
	ReferenceNumber string `json:"referenceNumber"`
	// Amount is what the payer wants to pay, in minor units (centavos); 0 when PayCools did not
	// send it (some channels).
	Amount Amount `json:"amount"`
	// Mobile is the payer's mobile number. LogValue masks it.
	Mobile string `json:"mobile" log:"mask"`
	// CreateTime is when PayCools asked.
	CreateTime Time `json:"createTime"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *RepaymentVerification) eventName() string { return e.EventName }

// LogValue logs the question with the mobile number masked (MaskAccountNumber) and without
// Raw.
func (q RepaymentVerification) LogValue() slog.Value {
	return maskedLogValue(q)
}

// RepaymentRefusal is a decided refusal of a repayment verification, returned as the error of
// the RepaymentVerificationHandler function. It is not a failure: the reply is HTTP 200 with
// its Code (VerificationRefused, VerificationRefusedInvalidParam or
// VerificationRefusedAmountLimit; any other code is sent as VerificationRefused) and Message.
type RepaymentRefusal struct {
	// Code is the refusal code sent to PayCools.
	Code int
	// Message is the text sent to PayCools, e.g. "unknown reference number".
	Message string
}

// Error describes the refusal.
func (r *RepaymentRefusal) Error() string {
	if r == nil {
		return "paycools: repayment refused"
	}
	return "paycools: repayment refused (" + itoa(r.Code) + "): " + r.Message
}
