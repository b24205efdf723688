package paycools

import (
	"context"
	"fmt"
	"unicode/utf8"
)

// Refund callback events (doc 8.3). All three carry a *RefundNotification. Decide on its
// RefundStatus, not on the event name: a documented failed refund arrives as
// payment.refund.success with refundStatus FAILED.
const (
	// EventRefundSuccess is sent when a refund completed (check RefundStatus all the same).
	EventRefundSuccess = "payment.refund.success"
	// EventRefundFailed is sent when a refund failed.
	EventRefundFailed = "payment.refund.failed"
	// EventRefundCancel is sent when a refund was cancelled.
	EventRefundCancel = "payment.refund.cancel"
)

// RefundStatus is the state of a refund. Decoding is case-insensitive, turns COMPLETED into
// RefundStatusCompleted and CANCEL / CANCELED into RefundStatusCancelled, and keeps any other value as it
// came.
type RefundStatus string

// Refund states.
const (
	// RefundStatusPending means the refund was accepted and is not final (what Create returns).
	RefundStatusPending RefundStatus = "PENDING"
	// RefundStatusCompleted means the money went back to the payer (final). PayCools spells it
	// COMPLETE; COMPLETED is decoded to it too.
	RefundStatusCompleted RefundStatus = "COMPLETE"
	// RefundStatusFailed means the refund failed (final); FailedCode and FailedMessage say why.
	RefundStatusFailed RefundStatus = "FAILED"
	// RefundStatusCancelled means the refund was cancelled (final). Unconfirmed: inferred from the
	// payment.refund.cancel event; CANCEL and CANCELED are decoded to it too.
	RefundStatusCancelled RefundStatus = "CANCELLED"
)

var refundStatusSpellings = map[string]string{
	"PENDING":  "PENDING",
	"COMPLETE": "COMPLETE", "COMPLETED": "COMPLETE",
	"FAILED":    "FAILED",
	"CANCELLED": "CANCELLED", "CANCEL": "CANCELLED", "CANCELED": "CANCELLED",
}

// UnmarshalJSON decodes the status, normalising the spellings listed on RefundStatus.
func (s *RefundStatus) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, refundStatusSpellings)
	if err != nil {
		return err
	}
	*s = RefundStatus(v)
	return nil
}

// Final reports whether the refund is in a final state: COMPLETE, FAILED or CANCELLED. PENDING
// and unknown values are not final.
func (s RefundStatus) Final() bool {
	return s == RefundStatusCompleted || s == RefundStatusFailed || s == RefundStatusCancelled
}

// RefundCreateParams asks PayCools to give (part of) a completed payment back to the payer
// (doc 8.1).
type RefundCreateParams struct {
	// MchRefundOrderID is the merchant's unique id of this refund (1–32 letters and digits).
	// Resolving an unknown outcome resends with the same id, so never reuse it for another refund.
	MchRefundOrderID string `json:"mchRefundOrderId" pc:"required,len=1..32,pattern=alnum"`
	// OriginalTransactionID is PayCools' transactionId of the payment to refund (1–32).
	OriginalTransactionID string `json:"originalTransactionId" pc:"required,len=1..32"`
	// RefundAmount is the amount to give back, in minor units (PHP 500.10 is 50010; IDR in whole
	// rupiah); > 0 and not more than what is left to refund (PayCools checks that: 21406).
	RefundAmount Amount `json:"refundAmount" pc:"required,range=1.."`
	// RefundReason is the reason (1–200), echoed back.
	RefundReason string `json:"refundReason,omitempty" pc:"len=1..200"`
	// RefundCallbackURL is where the refund result (8.3) is POSTed (1–256, absolute http(s) URL).
	RefundCallbackURL string `json:"refundCallbackUrl" pc:"required,len=1..256,url"`
	RequestFields
}

// RefundListPaymentsParams looks refunds up (doc 8.2): all refunds of one payment, or one
// refund. Give at least one of the two ids.
type RefundListPaymentsParams struct {
	// OriginalTransactionID lists all refunds of this payment (PayCools transactionId, 1–32).
	OriginalTransactionID string `json:"originalTransactionId,omitempty" pc:"len=1..32"`
	// RefundTransactionID lists this one refund (PayCools refundTransactionId, 1–32).
	RefundTransactionID string `json:"refundTransactionId,omitempty" pc:"len=1..32"`
	RequestFields
}

func (p *RefundListPaymentsParams) validate(v *validation) {
	v.requireOneOf("originalTransactionId", p.OriginalTransactionID, "refundTransactionId", p.RefundTransactionID)
}

// Refund is a refund as PayCools reports it (answer of 8.1, element of 8.2).
type Refund struct {
	// MchRefundOrderID is the merchant's id of the refund.
	MchRefundOrderID string `json:"mchRefundOrderId"`
	// RefundTransactionID is PayCools' id of the refund.
	RefundTransactionID string `json:"refundTransactionId"`
	// OriginalTransactionID is PayCools' id of the refunded payment.
	OriginalTransactionID string `json:"originalTransactionId"`
	// RefundAmount is the amount refunded, in minor units (centavos).
	RefundAmount Amount `json:"refundAmount"`
	// FeeRefunded is the part of the original fee given back, in minor units (centavos).
	FeeRefunded Amount `json:"feeRefunded"`
	// RefundStatus is the refund state; PENDING right after Create.
	RefundStatus RefundStatus `json:"refundStatus"`
	// RefundCreateTime is when the refund was created.
	RefundCreateTime Time `json:"refundCreateTime"`
	// RefundReturnTime is when the refund finished.
	RefundReturnTime Time `json:"refundReturnTime"`
	// RefundReason is the reason given at creation.
	RefundReason string `json:"refundReason"`
	// FailedCode is the failure code, only on failure (e.g. FailedCodeRefundFailed, -10009).
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure reason, only on failure (a number is kept as its text).
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// RefundList is the answer of 8.2: the refunds found.
type RefundList struct {
	// Refunds holds the refunds found (the data array).
	Refunds []Refund `json:"-" wire:"data"`
	ResultMeta
}

// RefundNotification is the event of the refund callbacks (EventRefundSuccess,
// EventRefundFailed, EventRefundCancel; doc 8.3). Decide on RefundStatus, not on the event
// name, and deduplicate on RefundTransactionID + RefundStatus.
type RefundNotification struct {
	// EventName is one of the three refund events.
	EventName string `json:"eventName"`
	// Refund is the refund as the callback reports it: decide on RefundStatus. FeeRefunded is
	// absent in the J&T edition and RefundReason is optional. Its Raw (n.Raw) is the verified
	// param and its Response is nil.
	Refund
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *RefundNotification) eventName() string { return e.EventName }

// Create asks PayCools to refund a completed payment (doc 8.1). PayCools accepts it as
// PENDING; the outcome arrives at RefundCallbackURL (8.3), or wait for it with Wait.
//
// Create moves money, so it never guesses: when the request ends with an unknown outcome
// (IsOutcomeUnknown), it lists the refunds of OriginalTransactionID (8.2) and looks for
// MchRefundOrderID. Found: that refund is returned with no error. Not listed: the create is sent
// once more with the same params (same MchRefundOrderID); if PayCools answers that the refund
// order id is already used (ErrDuplicateRefundOrder, 21407), the first request did arrive and the
// refund is looked up again. When the lookup itself fails, the original error is returned, still
// marked OutcomeUnknown. WithResolveOutcome(false) turns this off.
func (s *RefundService) Create(ctx context.Context, p *RefundCreateParams) (*Refund, error) {
	if p == nil {
		return do[Refund](ctx, s.c, OpRefundCreate, p) // the *ValidationError for nil params
	}
	q := *p // every send uses the same values, whatever the caller does with p meanwhile
	create := func(ctx context.Context) (*Refund, error) { return do[Refund](ctx, s.c, OpRefundCreate, &q) }
	order := moneyOrder{mchOrderID: q.MchRefundOrderID, lookupKey: q.OriginalTransactionID, amount: q.RefundAmount}
	return createAndResolve(ctx, s.c, OpRefundCreate, order, create, s.lookup)
}

// lookup finds the refund of a create among the refunds of its original transaction (8.2):
// the outcome look-up of Create and of Client.Recover. An empty list proves nothing (the
// listing may lag behind the create, or the original transaction id be another's): it wraps
// ErrLookupInconclusive, not ErrTransactionNotFound, so the outcome stays unknown. A list
// that holds other refunds but not this one is "not found".
func (s *RefundService) lookup(ctx context.Context, o moneyOrder) (*Refund, error) {
	list, err := s.ListPayments(ctx, &RefundListPaymentsParams{OriginalTransactionID: o.lookupKey})
	if err != nil {
		return nil, err
	}
	if len(list.Refunds) == 0 {
		return nil, fmt.Errorf("%w: %s lists no refund of the original transaction", ErrLookupInconclusive, OpRefundListPayments)
	}
	for i := range list.Refunds {
		if list.Refunds[i].MchRefundOrderID == o.mchOrderID {
			r := list.Refunds[i]
			return &r, nil
		}
	}
	return nil, errRefundNotListed
}

// ListPayments looks refunds up (doc 8.2): all refunds of OriginalTransactionID, or the one
// refund RefundTransactionID.
func (s *RefundService) ListPayments(ctx context.Context, p *RefundListPaymentsParams) (*RefundList, error) {
	return do[RefundList](ctx, s.c, OpRefundListPayments, p)
}

// RefundWaitParams names the refund Refunds.Wait waits for: the ListPayments query (8.2)
// that lists it, and which refund of the list it is. It is not sent as such: each poll sends
// the ListPayments params built from it.
type RefundWaitParams struct {
	// OriginalTransactionID lists all refunds of this payment (PayCools transactionId, 1–32).
	// One of OriginalTransactionID / RefundTransactionID is required.
	OriginalTransactionID string `json:"originalTransactionId,omitempty"`
	// RefundTransactionID lists this one refund (PayCools refundTransactionId, 1–32).
	RefundTransactionID string `json:"refundTransactionId,omitempty"`
	// MchRefundOrderID is the merchant's id of the refund waited for (1–32, as Create
	// requires). Empty means the refund whose refundTransactionId is RefundTransactionID.
	MchRefundOrderID string `json:"mchRefundOrderId,omitempty"`
	// RequestFields are sent with every ListPayments poll (Extra; leave Timestamp 0, so that
	// every poll carries a fresh one).
	RequestFields
}

// listParams is the ListPayments query of every poll.
func (p *RefundWaitParams) listParams() *RefundListPaymentsParams {
	return &RefundListPaymentsParams{OriginalTransactionID: p.OriginalTransactionID,
		RefundTransactionID: p.RefundTransactionID, RequestFields: p.RequestFields}
}

// check refuses, before anything is sent, a wait that names no refund or one that Create
// could not have made (ListPayments validates the rest).
func (p *RefundWaitParams) check() error {
	var problem string
	switch {
	case p == nil:
		return &ValidationError{Operation: OpRefundListPayments, Fields: []FieldError{{Field: "params", Problem: "params are required (nil given)"}}}
	case p.MchRefundOrderID == "" && p.RefundTransactionID == "":
		problem = "Wait needs the mchRefundOrderId of the refund (or RefundTransactionID): set MchRefundOrderID to the one given to Create"
	case utf8.RuneCountInString(p.MchRefundOrderID) > 32:
		problem = "must be 1–32 characters, as Create requires: no refund can have this id, so the wait could never end"
	default:
		return nil
	}
	return &ValidationError{Operation: OpRefundListPayments, Fields: []FieldError{{Field: "mchRefundOrderId", Problem: problem}}}
}

// Wait polls ListPayments until the refund p names is final (COMPLETE, FAILED or
// CANCELLED), and returns it: the refund MchRefundOrderID among those listed, or, with
// MchRefundOrderID empty, the one whose refundTransactionId is RefundTransactionID. PENDING,
// unknown states and a refund not listed yet keep polling; transient failures (transport,
// 5xx, retryable codes) do not stop the wait, any other error does. A p that names no refund
// is refused with a *ValidationError before anything is sent.
//
// The wait ends only when the refund is final, an error stops it, or ctx ends: give ctx a
// deadline. When ctx ends, Wait returns the last state it saw of the refund (nil if it was never
// listed) with the context error. Typical use, right after Create:
//
//	r, err := c.Refunds.Wait(ctx, &paycools.RefundWaitParams{
//		RefundTransactionID: created.RefundTransactionID,
//		MchRefundOrderID:    created.MchRefundOrderID,
//	})
func (s *RefundService) Wait(ctx context.Context, p *RefundWaitParams) (*Refund, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	q, id := p.listParams(), p.MchRefundOrderID
	match := func(r *Refund) bool { return r.MchRefundOrderID == id }
	if id == "" {
		match = func(r *Refund) bool { return r.RefundTransactionID == q.RefundTransactionID }
	}
	var seen *Refund
	get := func(ctx context.Context) (*Refund, error) {
		r, err := s.find(ctx, q, match)
		if err == nil {
			seen = r
		} else if err != errRefundNotListed {
			return nil, err
		}
		return seen, nil
	}
	return waitFinal(ctx, s.c, get, func(r *Refund) bool { return r != nil && r.RefundStatus.Final() })
}

// errRefundNotListed says that ListPayments answered but did not list the refund looked for.
// It wraps ErrTransactionNotFound, which is what createAndResolve acts on.
var errRefundNotListed = wrapError("paycools: "+string(OpRefundListPayments)+": the refund is not in the list", ErrTransactionNotFound)

// find lists refunds with p and returns (a copy of) the first one that match accepts, or
// errRefundNotListed.
func (s *RefundService) find(ctx context.Context, p *RefundListPaymentsParams, match func(*Refund) bool) (*Refund, error) {
	list, err := s.ListPayments(ctx, p)
	if err != nil {
		return nil, err
	}
	for i := range list.Refunds {
		if match(&list.Refunds[i]) {
			r := list.Refunds[i]
			return &r, nil
		}
	}
	return nil, errRefundNotListed
}

func init() {
	registerEvent[RefundNotification](EventRefundSuccess, EventRefundFailed, EventRefundCancel)
}
