package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// payout is one payout (doc section 3).
type payout struct {
	mchOrderID, txID, idempotencyID string
	amount                          paycools.Amount
	accountNo, accountName          string
	payMethod, transferCode, remark string
	status                          string
	created, returned               time.Time
	failedCode                      int
	failedMessage                   string
	wireAmount                      string // the statement's amount text, when seeded unreadable (SeedRecord.WireAmount)
}

func init() {
	addRoute(&route{
		op: paycools.OpPayoutCreate, method: "POST", path: "/open-api/philippines/disbursement/transfer",
		fields: rules(
			"mchOrderId* str 1..32",
			"idempotencyId* str 10..30",
			"amount* int 1..",
			"accountNo* str 1..50",
			"accountName* str 1..128 fmt=name",
			"payMethodCode* str enum=BANK|EWALLET|SCANQR code=21019",
			"transferCode* str 1..50",
			"remark str 1..256",
		),
		handle: (*Server).payoutCreate,
	})
	addRoute(&route{
		op: paycools.OpPayoutGet, method: "POST", path: "/open-api/disbursement/check",
		fields: rules(
			"mchOrderId str 1..32",
			"transactionId str 1..32",
			"countryCode* str enum=PH|ID|MY|TH",
		),
		handle: (*Server).payoutGet,
	})
}

// Payout limits of the PH page (docs/families.md 3.1), in centavos.
const (
	payoutMin = 100
	payoutMax = 500_000_000
)

func (s *Server) payoutCreate(c *call) (any, *apiError) {
	p := c.p
	amount := paycools.Amount(p.int("amount"))
	switch {
	case amount < payoutMin:
		return nil, paramError("amount", "must be at least %d centavos (got %d)", payoutMin, amount)
	case amount > payoutMax:
		return nil, refuse(codeAmountLimit)
	}
	method, code := p.str("payMethodCode"), p.str("transferCode")
	switch method {
	case "EWALLET":
		if !formats["mobile09"].MatchString(p.str("accountNo")) {
			return nil, paramError("accountNo", "must be the wallet's mobile number 09xxxxxxxxx")
		}
		if !s.cfg.wallets[code] {
			return nil, refuse(codeWalletCode)
		}
	case "BANK":
		if !s.cfg.banks[code] {
			return nil, refuse(codeBankCode)
		}
	}
	if _, dup := s.st.payouts[p.str("mchOrderId")]; dup {
		return nil, refuse(codeDuplicateOrder)
	}
	if s.st.idempotency[p.str("idempotencyId")] {
		return nil, refuse(codeDuplicateIdem)
	}
	if amount > s.st.balance {
		return nil, refuse(codeBalance)
	}
	po := &payout{
		mchOrderID: p.str("mchOrderId"), txID: s.nextID("D"), idempotencyID: p.str("idempotencyId"),
		amount: amount, accountNo: p.str("accountNo"), accountName: p.str("accountName"),
		payMethod: method, transferCode: code, remark: p.str("remark"),
		status: statusPending, created: c.now,
	}
	s.st.balance -= amount
	s.st.payouts[po.mchOrderID] = po
	s.st.payoutList = append(s.st.payoutList, po)
	s.st.idempotency[po.idempotencyID] = true
	return obj{
		{"mchOrderId", po.mchOrderID},
		{"transactionId", po.txID},
		{"transactionStatus", po.status},
		{"transactionTime", wireTime(po.created)},
	}, nil
}

func (s *Server) payoutGet(c *call) (any, *apiError) {
	po, aerr := s.findPayout(c.p.str("mchOrderId"), c.p.str("transactionId"))
	if aerr != nil {
		return nil, aerr
	}
	return obj{
		{"mchOrderId", po.mchOrderID},
		{"transactionId", po.txID},
		{"countryCode", "PH"},
		{"currency", "PHP"},
		{"amount", po.amount},
		{"transactionStatus", po.status},
		{"createTime", wireTime(po.created)},
		{"returnTime", wireTime(po.returned)},
		{"remark", po.remark},
		{"failedCode", po.failedCode},
		{"failedMessage", po.failedMessage},
	}, nil
}

// findPayout looks a payout up by merchant order id or transaction id (both must agree when
// both are given).
func (s *Server) findPayout(mchOrderID, txID string) (*payout, *apiError) {
	if mchOrderID == "" && txID == "" {
		return nil, paramError("mchOrderId", "or transactionId is required")
	}
	if mchOrderID != "" {
		po := s.st.payouts[mchOrderID]
		if po == nil || (txID != "" && po.txID != txID) {
			return nil, refuse(codeNotFound)
		}
		return po, nil
	}
	for _, po := range s.st.payoutList {
		if po.txID == txID {
			return po, nil
		}
	}
	return nil, refuse(codeNotFound)
}

// CompletePayout settles a pending payout as COMPLETED and POSTs disbursement.success to the
// dashboard callback URL (SetCallbackURL). It returns the merchant's reply; the result's Err
// says so when no callback URL is set.
func (s *Server) CompletePayout(mchOrderID string) (*CallbackResult, error) {
	return s.settlePayout(mchOrderID, statusCompleted, 0, "")
}

// FailPayout settles a pending payout as FAILED with failedCode and msg (docs/codes.md §5, e.g.
// paycools.FailedCodeChannelRejected, -10004), gives the amount back to the balance and POSTs
// disbursement.failed to the dashboard callback URL. It returns the merchant's reply.
func (s *Server) FailPayout(mchOrderID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settlePayout(mchOrderID, statusFailed, failedCode, msg)
}

func (s *Server) settlePayout(mchOrderID, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	po := s.st.payouts[mchOrderID]
	if po == nil {
		s.mu.Unlock()
		return nil, notFound("payout", mchOrderID)
	}
	if po.status != statusPending {
		s.mu.Unlock()
		return nil, badState("payout %q is already %s", mchOrderID, po.status)
	}
	po.status, po.returned = status, s.now()
	name := "disbursement.success"
	if status == statusFailed {
		name = "disbursement.failed"
		po.failedCode, po.failedMessage = failedCode, msg
		s.st.balance += po.amount
	}
	ev := obj{
		{"eventName", name},
		{"mchOrderId", po.mchOrderID},
		{"transactionId", po.txID},
		{"countryCode", "PH"},
		{"currency", "PHP"},
		{"amount", po.amount},
		{"transactionStatus", po.status},
		{"createTime", wireTime(po.created)},
		{"returnTime", wireTime(po.returned)},
		{"remark", po.remark},
	}
	if status == statusFailed {
		ev = append(ev, kv{"failedCode", failedCode}, kv{"failedMessage", msg})
	}
	url := s.callbackURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
