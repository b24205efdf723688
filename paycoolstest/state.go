package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// state is everything the gateway holds; it is guarded by Server.mu.
type state struct {
	balance paycools.Amount

	payouts     map[string]*payout // by mchOrderId
	payoutList  []*payout
	idempotency map[string]bool

	collections    map[string]*collection // every payment received, by transactionId
	collectionList []*collection

	vaGroups    map[string]*vaGroup // by mchOrderId
	qrs         map[string]*qrCode  // by mchOrderId
	btGroups    map[string]*btGroup // by mchOrderId
	web         map[string]*webPayment
	webByTx     map[string]*webPayment
	refunds     map[string]*refund // by mchRefundOrderId
	refundByTx  map[string]*refund
	refundList  []*refund
	checkouts   map[string]*checkout // by mchOrderId
	checkoutIDs map[string]*checkout
	auths       map[string]*authorization // by requestId
	tokens      map[string]*token         // by payToken
	tokenList   []*token
	ddPayments  map[string]*ddPayment // by mchOrderId
	ddByTx      map[string]*ddPayment
	ekyc        map[string]*ekycSession // by requestId
}

func newState(balance paycools.Amount) *state {
	return &state{
		balance:     balance,
		payouts:     map[string]*payout{},
		idempotency: map[string]bool{},
		collections: map[string]*collection{},
		vaGroups:    map[string]*vaGroup{},
		qrs:         map[string]*qrCode{},
		btGroups:    map[string]*btGroup{},
		web:         map[string]*webPayment{},
		webByTx:     map[string]*webPayment{},
		refunds:     map[string]*refund{},
		refundByTx:  map[string]*refund{},
		checkouts:   map[string]*checkout{},
		checkoutIDs: map[string]*checkout{},
		auths:       map[string]*authorization{},
		tokens:      map[string]*token{},
		ddPayments:  map[string]*ddPayment{},
		ddByTx:      map[string]*ddPayment{},
		ekyc:        map[string]*ekycSession{},
	}
}

// Transaction states as the gateway writes them.
const (
	statusPending   = "PENDING"
	statusCompleted = "COMPLETED"
	statusFailed    = "FAILED"
)

// collection is one payment into the merchant (any collection family). It feeds the payment
// statement (2.2) and is what a refund (8.1) refers to by its transactionId.
type collection struct {
	txID, mchOrderID string
	method           string // display text of the product, as in the statement
	channel          string
	reference        string // reference number or account paid into, where the product has one
	amount           paycools.Amount
	name, mobile     string
	status           string
	created          time.Time
	completed        time.Time
	refunded         paycools.Amount // completed and pending refunds
	wireAmount       string          // the statement's amount text, when seeded unreadable (SeedRecord.WireAmount)
	pendingRefund    bool
}

// addCollection records a payment; the caller holds s.mu. A completed payment is credited to
// the balance.
func (s *Server) addCollection(c *collection) {
	s.st.collections[c.txID] = c
	s.st.collectionList = append(s.st.collectionList, c)
	if c.status == statusCompleted {
		s.st.balance += c.amount
	}
}

// settleCollection moves a pending payment to a final state; the caller holds s.mu.
func (s *Server) settleCollection(c *collection, status string, at time.Time) {
	c.status, c.completed = status, at
	if status == statusCompleted {
		s.st.balance += c.amount
	}
}

// inRange reports whether t falls on a PH calendar day in [start, end] (yyyy-MM-dd strings).
func inRange(t time.Time, start, end string) bool {
	d := wireDate(t)
	return d >= start && d <= end
}

// checkDates refuses an endDate before startDate.
func checkDates(p params) *apiError {
	if p.str("endDate") < p.str("startDate") {
		return paramError("endDate", "is before startDate")
	}
	return nil
}
