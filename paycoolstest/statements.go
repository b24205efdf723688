package paycoolstest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// WithStatementPageSize sets how many records a statement page (2.2, 2.3) holds (default
// StatementPageSize), so that a test can put a record on a page boundary or page through a
// large day quickly.
func WithStatementPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.pageSize = n
		}
	}
}

func (s *Server) pageSize() int {
	if s.cfg.pageSize > 0 {
		return s.cfg.pageSize
	}
	return StatementPageSize
}

// WithStatementOverlap makes every statement page (2.2, 2.3) after the first begin with the
// last n records of the page before it, as a host whose list shifted between two page
// requests (a record inserted ahead) does: the walk sees those records twice, and
// paycools.Reconcile must report them as Duplicates. No record is lost: the pages grow by n.
func WithStatementOverlap(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.overlap = n
		}
	}
}

// pageBounds is the [from, to) range of the page f asks for among n records, with the
// overlap of WithStatementOverlap; a page past the end is empty.
func (s *Server) pageBounds(f statementFilter, n int) (int, int) {
	from, to := f.pageBounds(n, s.pageSize())
	if from < to && f.page > 1 {
		from = max(0, from-s.cfg.overlap)
	}
	return from, to
}

// statementAmount is a record's amount as the statement writes it: in pesos, or the text a
// test seeded (SeedRecord.WireAmount).
func statementAmount(a paycools.Amount, wire string) any {
	if wire != "" {
		return wire
	}
	return pesos(a)
}

// InjectStatementFault makes the next request for page page of a statement (op is
// paycools.OpAccountPaymentStatement or paycools.OpAccountPayoutStatement) misbehave as f
// says, once: e.g. Fault{HTTPStatus: 503} drops page 3 once, and the client's retry gets it.
func (s *Server) InjectStatementFault(op paycools.Operation, page int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := pageFaultKey(op, page)
	s.fault[k] = append(s.fault[k], f)
}

func pageFaultKey(op paycools.Operation, page int) string {
	return "page " + string(op) + " " + strconv.Itoa(page)
}

// takePageFault returns the pending fault for the page asked for in an envelope body of a
// statement route, if any.
func (s *Server) takePageFault(op paycools.Operation, body []byte) *Fault {
	if op != paycools.OpAccountPaymentStatement && op != paycools.OpAccountPayoutStatement {
		return nil
	}
	var env struct {
		Param string `json:"param"`
	}
	var p struct {
		Page json.Number `json:"page"`
	}
	if json.Unmarshal(body, &env) != nil || json.Unmarshal([]byte(env.Param), &p) != nil {
		return nil
	}
	n, err := p.Page.Int64()
	if err != nil {
		return nil
	}
	return s.takeFault(pageFaultKey(op, int(n)), "")
}

// SeedRecord is one record Seed puts straight into the gateway's books, as if it had been
// created and settled through the API, without callbacks.
type SeedRecord struct {
	// Payout: a payout (statement 2.3); otherwise a collection (statement 2.2).
	Payout bool
	// MchOrderID is the merchant order id; TransactionID is made up when empty.
	MchOrderID, TransactionID string
	// Amount in minor units.
	Amount paycools.Amount
	// Status is paycools.TransactionStatusPending, TransactionStatusCompleted or TransactionStatusFailed
	// (default completed).
	Status paycools.TransactionStatus
	// Time is the creation time (default the gateway's clock); a final record completes then.
	Time time.Time
	// WireAmount, when not "", is written as the record's amount in the statement (a JSON
	// string) instead of Amount in pesos: "N/A" or "1.005" make a record the SDK cannot read,
	// as a host's bug would. Amount still counts for the balance.
	WireAmount string
}

// Seed adds many records at once (statements, lookups and the balance see them; no callback
// is sent), for reconciliation tests and benchmarks. A completed collection adds to the
// balance and a payout that is not failed takes from it, as through the API.
func (s *Server) Seed(recs ...SeedRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range recs {
		status := string(r.Status)
		if status == "" {
			status = statusCompleted
		}
		at := r.Time
		if at.IsZero() {
			at = s.now()
		}
		var done time.Time
		if status != statusPending {
			done = at
		}
		txID := r.TransactionID
		if r.Payout {
			if txID == "" {
				txID = fmt.Sprintf("DS%018d", len(s.st.payoutList)+i)
			}
			po := &payout{mchOrderID: r.MchOrderID, txID: txID, idempotencyID: r.MchOrderID, amount: r.Amount,
				accountNo: "09171234567", accountName: "Seeded Payee", payMethod: "EWALLET", transferCode: "GCASH",
				status: status, created: at, returned: done, wireAmount: r.WireAmount}
			s.st.payouts[r.MchOrderID] = po
			s.st.payoutList = append(s.st.payoutList, po)
			if status != statusFailed {
				s.st.balance -= r.Amount
			}
			continue
		}
		if txID == "" {
			txID = fmt.Sprintf("CS%018d", len(s.st.collectionList)+i)
		}
		s.addCollection(&collection{txID: txID, mchOrderID: r.MchOrderID, method: "Seeded", channel: "GCASH",
			amount: r.Amount, name: "Seeded Payer", mobile: "09171234567", status: status, created: at, completed: done, wireAmount: r.WireAmount})
	}
}
