package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// refund is one refund (doc section 8).
type refund struct {
	mchRefundOrderID, txID string
	original               *collection
	amount                 paycools.Amount
	reason, callbackURL    string
	status                 string // PENDING, COMPLETE, FAILED, CANCELLED
	created, returned      time.Time
	failedCode             int
	failedMessage          string
}

// Refund states as PayCools spells them (docs/families.md: COMPLETE, not COMPLETED).
const (
	refundComplete  = "COMPLETE"
	refundCancelled = "CANCELLED"
)

// refundWindow: no refund of a payment older than this (21403).
const refundWindow = 60 * 24 * time.Hour

func init() {
	addRoute(&route{
		op: paycools.OpRefundCreate, method: "POST", path: "/open-api/payment/refund",
		fields: rules(
			"mchRefundOrderId* str 1..32 fmt=alnum",
			"originalTransactionId* str 1..32",
			"refundAmount* int 1..",
			"refundReason str 1..200",
			"refundCallbackUrl* url 1..256",
		),
		handle: (*Server).refundCreate,
	})
	addRoute(&route{
		op: paycools.OpRefundListPayments, method: "POST", path: "/open-api/refund/payments",
		fields: rules("originalTransactionId str 1..32", "refundTransactionId str 1..32"),
		handle: (*Server).refundList,
	})
}

func (s *Server) refundCreate(c *call) (any, *apiError) {
	p := c.p
	id := p.str("mchRefundOrderId")
	if s.st.refunds[id] != nil {
		return nil, refuse(codeDuplicateRefund)
	}
	orig := s.st.collections[p.str("originalTransactionId")]
	amount := paycools.Amount(p.int("refundAmount"))
	switch {
	case orig == nil:
		return nil, refuse(codeNotFound)
	case orig.status != statusCompleted:
		return nil, refuse(codeOriginalNotDone)
	case c.now.Sub(orig.completed) > refundWindow:
		return nil, refuse(codeRefundTooOld)
	case orig.pendingRefund:
		return nil, refuse(codeRefundPending)
	case amount > orig.amount-orig.refunded:
		return nil, refuse(codeRefundAmount)
	}
	r := &refund{
		mchRefundOrderID: id, txID: s.nextID("R"), original: orig, amount: amount,
		reason: p.str("refundReason"), callbackURL: p.str("refundCallbackUrl"),
		status: statusPending, created: c.now,
	}
	orig.pendingRefund = true
	orig.refunded += amount
	s.st.refunds[id] = r
	s.st.refundByTx[r.txID] = r
	s.st.refundList = append(s.st.refundList, r)
	return r.answer(), nil
}

func (r *refund) answer() obj {
	o := obj{
		{"mchRefundOrderId", r.mchRefundOrderID},
		{"refundTransactionId", r.txID},
		{"originalTransactionId", r.original.txID},
		{"refundAmount", r.amount},
		{"feeRefunded", 0},
		{"refundStatus", r.status},
		{"refundCreateTime", wireTime(r.created)},
		{"refundReturnTime", wireTime(r.returned)},
		{"refundReason", r.reason},
	}
	if r.status == statusFailed {
		o = append(o, kv{"failedCode", r.failedCode}, kv{"failedMessage", r.failedMessage})
	}
	return o
}

func (s *Server) refundList(c *call) (any, *apiError) {
	orig, tx := c.p.str("originalTransactionId"), c.p.str("refundTransactionId")
	if orig == "" && tx == "" {
		return nil, paramError("originalTransactionId", "or refundTransactionId is required")
	}
	list := []obj{}
	if tx != "" {
		r := s.st.refundByTx[tx]
		if r == nil || (orig != "" && r.original.txID != orig) {
			return nil, refuse(codeNotFound)
		}
		return append(list, r.answer()), nil
	}
	if s.st.collections[orig] == nil {
		return nil, refuse(codeNotFound)
	}
	for _, r := range s.refundsOf(orig) {
		list = append(list, r.answer())
	}
	return list, nil
}

// refundsOf lists the refunds of one payment, oldest first.
func (s *Server) refundsOf(txID string) []*refund {
	var out []*refund
	for _, r := range s.st.refundList {
		if r.original.txID == txID {
			out = append(out, r)
		}
	}
	return out
}

// CompleteRefund settles the pending refund mchRefundOrderID as COMPLETE, takes its amount
// from the balance, and POSTs payment.refund.success to its refundCallbackUrl; the merchant's
// reply is returned.
func (s *Server) CompleteRefund(mchRefundOrderID string) (*CallbackResult, error) {
	return s.settleRefund(mchRefundOrderID, refundComplete, 0, "")
}

// FailRefund settles the pending refund as FAILED with failedCode (e.g. -10009, "Channel
// Refund Failed") and msg, and POSTs payment.refund.failed; the merchant's reply is returned.
func (s *Server) FailRefund(mchRefundOrderID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settleRefund(mchRefundOrderID, statusFailed, failedCode, msg)
}

// CancelRefund settles the pending refund as CANCELLED and POSTs payment.refund.cancel; the
// merchant's reply is returned.
func (s *Server) CancelRefund(mchRefundOrderID string) (*CallbackResult, error) {
	return s.settleRefund(mchRefundOrderID, refundCancelled, 0, "")
}

func (s *Server) settleRefund(id, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	r := s.st.refunds[id]
	if r == nil {
		s.mu.Unlock()
		return nil, notFound("refund", id)
	}
	if r.status != statusPending {
		s.mu.Unlock()
		return nil, badState("refund %q is already %s", id, r.status)
	}
	r.status, r.returned = status, s.now()
	r.original.pendingRefund = false
	name := "payment.refund.success"
	switch status {
	case refundComplete:
		s.st.balance -= r.amount
	case statusFailed:
		name = "payment.refund.failed"
		r.failedCode, r.failedMessage = failedCode, msg
		r.original.refunded -= r.amount
	case refundCancelled:
		name = "payment.refund.cancel"
		r.original.refunded -= r.amount
	}
	ev := append(obj{{"eventName", name}}, r.answer()...)
	url := r.callbackURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
