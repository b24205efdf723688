package paycoolstest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// StatementPageSize is how many records one statement page holds by default (PayCools does not
// document its page size); WithStatementPageSize sets another.
const StatementPageSize = 50

func init() {
	addRoute(&route{
		op: paycools.OpAccountBalance, method: "POST", path: "/open-api/account/balance",
		fields: rules("countryCode* str enum=PH|ID|MY|TH"),
		handle: func(s *Server, c *call) (any, *apiError) {
			return obj{{"balance", s.st.balance}}, nil
		},
	})
	statement := rules(
		"createDate date",
		"completeDate date",
		"page* int 1..",
		"status str enum=PENDING|COMPLETE|FAILED",
	)
	addRoute(&route{
		op: paycools.OpAccountPaymentStatement, method: "POST", path: "/api/v1/record/paymentList",
		fields: statement, handle: (*Server).paymentStatement,
	})
	addRoute(&route{
		op: paycools.OpAccountPayoutStatement, method: "POST", path: "/api/v1/record/payoutList",
		fields: statement, handle: (*Server).payoutStatement,
	})
}

// statementFilter is the request of 2.2 / 2.3.
type statementFilter struct {
	createDate, completeDate, status string
	page                             int64
	// the days as [from, to) in PH time, so that keep compares instants instead of formatting
	// every record's date (a seeded day has 100,000 records per page asked)
	createFrom, createTo, completeFrom, completeTo time.Time
}

// dayRange is [start of day, start of the next day) in PH time; zero when day does not parse
// (the rules already refused it).
func dayRange(day string) (time.Time, time.Time) {
	t, err := time.ParseInLocation("2006-01-02", day, phZone)
	if err != nil {
		return time.Time{}, time.Time{}
	}
	return t, t.AddDate(0, 0, 1)
}

func statementOf(p params) (statementFilter, *apiError) {
	f := statementFilter{createDate: p.str("createDate"), completeDate: p.str("completeDate"), status: p.str("status"), page: p.int("page")}
	if f.createDate == "" && f.completeDate == "" {
		return f, paramError("createDate", "or completeDate is required")
	}
	f.createFrom, f.createTo = dayRange(f.createDate)
	f.completeFrom, f.completeTo = dayRange(f.completeDate)
	return f, nil
}

// keep reports whether a record belongs to the statement.
func (f statementFilter) keep(status string, created, completed time.Time) bool {
	if f.createDate != "" && (created.Before(f.createFrom) || !created.Before(f.createTo)) {
		return false
	}
	if f.completeDate != "" && (completed.IsZero() || completed.Before(f.completeFrom) || !completed.Before(f.completeTo)) {
		return false
	}
	return f.status == "" || f.status == phStatus(status)
}

// pageBounds is the [from, to) range of page f.page among n records, for a page size.
func (f statementFilter) pageBounds(n, size int) (int, int) {
	from := (f.page - 1) * int64(size)
	if from >= int64(n) {
		return 0, 0
	}
	return int(from), int(min(from+int64(size), int64(n)))
}

// phStatus is the PH spelling of a transaction status, used by the /api/v1 statements.
func phStatus(status string) string {
	if status == statusCompleted {
		return "COMPLETE"
	}
	return status
}

// pesos writes centavos as a decimal number of pesos ("arrives in pesos", docs/families.md).
func pesos(a paycools.Amount) json.Number {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	return json.Number(fmt.Sprintf("%s%d.%02d", sign, a/100, a%100))
}

// mask hides the middle of an account number or name: 0917****5678.
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	keep := min(3, len(r)/3)
	return string(r[:keep]) + "****" + string(r[len(r)-keep:])
}

func (s *Server) paymentStatement(c *call) (any, *apiError) {
	f, aerr := statementOf(c.p)
	if aerr != nil {
		return nil, aerr
	}
	// Filter first, then build only the page asked for: a seeded day of 100,000 records stays
	// cheap to page through.
	var kept []*collection
	for _, col := range s.st.collectionList {
		if f.keep(col.status, col.created, col.completed) {
			kept = append(kept, col)
		}
	}
	from, to := s.pageBounds(f, len(kept))
	recs := []obj{}
	for _, col := range kept[from:to] {
		recs = append(recs, obj{
			{"merchantOrderId", col.mchOrderID},
			{"transactionId", col.txID},
			{"paymentMethod", col.method},
			{"paymentChannel", col.channel},
			{"amount", statementAmount(col.amount, col.wireAmount)},
			{"fee", pesos(0)},
			{"name", col.name},
			{"mobile", col.mobile},
			{"status", phStatus(col.status)},
			{"appName", "PayCools Sandbox"},
			{"createTime", wireTime(col.created)},
			{"completeTime", wireTime(col.completed)},
		})
	}
	return obj{{"records", recs}}, nil
}

func (s *Server) payoutStatement(c *call) (any, *apiError) {
	f, aerr := statementOf(c.p)
	if aerr != nil {
		return nil, aerr
	}
	var kept []*payout
	for _, po := range s.st.payoutList {
		if f.keep(po.status, po.created, po.returned) {
			kept = append(kept, po)
		}
	}
	from, to := s.pageBounds(f, len(kept))
	recs := []obj{}
	for _, po := range kept[from:to] {
		recs = append(recs, obj{
			{"merchantOrderId", po.mchOrderID},
			{"transactionId", po.txID},
			{"amount", statementAmount(po.amount, po.wireAmount)},
			{"fee", pesos(0)},
			{"remittingBank", "Union Bank"},
			{"remittingAccount", "915****5678"},
			{"recipientName", mask(po.accountName)},
			{"recipientAccount", mask(po.accountNo)},
			{"receivingChannel", po.transferCode},
			{"status", phStatus(po.status)},
			{"createTime", wireTime(po.created)},
			{"completeTime", wireTime(po.returned)},
		})
	}
	return obj{{"records", recs}}, nil
}
