package paycoolstest

import (
	"encoding/json"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

const (
	payoutPath      = "/open-api/philippines/disbursement/transfer"
	payoutCheckPath = "/open-api/disbursement/check"
)

func payoutFields(id string) map[string]any {
	return map[string]any{
		"mchOrderId": id, "idempotencyId": "IDEM-" + id + "-0001", "amount": 50010,
		"accountNo": "09171234567", "accountName": "Juan Dela Cruz",
		"payMethodCode": "EWALLET", "transferCode": "GCASH", "remark": "salary",
	}
}

func TestPayoutFlowRaw(t *testing.T) {
	s := newTestServer(t, WithBalance(100000))
	m := newMerchant(t)
	s.SetCallbackURL(m.URL)

	r := ok(t, do(t, s, payoutPath, payoutFields("PO1")))
	require.Equal(t, "PO1", r.str(t, "mchOrderId"))
	require.Equal(t, "PENDING", r.str(t, "transactionStatus"))
	tx := r.str(t, "transactionId")
	require.NotEmpty(t, tx)
	require.EqualValues(t, 100000-50010, s.Balance())

	g := ok(t, do(t, s, payoutCheckPath, map[string]any{"mchOrderId": "PO1", "countryCode": "PH"}))
	require.Equal(t, tx, g.str(t, "transactionId"))
	require.EqualValues(t, 50010, g.field(t, "amount"))
	ok(t, do(t, s, payoutCheckPath, map[string]any{"transactionId": tx, "countryCode": "PH"}))
	refused(t, do(t, s, payoutCheckPath, map[string]any{"mchOrderId": "NOPE", "countryCode": "PH"}), 21006)
	refused(t, do(t, s, payoutCheckPath, map[string]any{"countryCode": "PH"}), 21002)

	res, err := s.CompletePayout("PO1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged(), "reply %d %s", res.Status, res.Body)
	ev := event(t, s, res)
	require.Equal(t, "disbursement.success", ev["eventName"])
	require.Equal(t, "COMPLETED", ev["transactionStatus"])
	require.Equal(t, tx, ev["transactionId"])
	require.EqualValues(t, 50010, ev["amount"])
	require.Len(t, m.bodies, 1)

	var env map[string]string
	require.NoError(t, json.Unmarshal(m.bodies[0], &env))
	require.Equal(t, string(res.Param), env["param"])
	require.Equal(t, res.Sign, env["sign"])

	g = ok(t, do(t, s, payoutCheckPath, map[string]any{"mchOrderId": "PO1", "countryCode": "PH"}))
	require.Equal(t, "COMPLETED", g.str(t, "transactionStatus"))
	require.NotEmpty(t, g.str(t, "returnTime"))

	_, err = s.CompletePayout("PO1")
	require.ErrorIs(t, err, ErrState)
	_, err = s.CompletePayout("NOPE")
	require.ErrorIs(t, err, ErrNotFound)

	stmt := ok(t, do(t, s, "/api/v1/record/payoutList", map[string]any{"createDate": wireDate(s.now()), "page": 1}))
	var recs struct {
		Records []map[string]any `json:"records"`
	}
	require.NoError(t, json.Unmarshal(stmt.Data, &recs))
	require.Len(t, recs.Records, 1)
	require.Equal(t, "COMPLETE", recs.Records[0]["status"])
	require.Equal(t, json.Number("500.10").String(), jsonNumber(t, stmt.Data, "amount"))
	stmt = ok(t, do(t, s, "/api/v1/record/payoutList", map[string]any{"createDate": wireDate(s.now()), "page": 2}))
	require.JSONEq(t, `{"records":[]}`, string(stmt.Data))
}

// jsonNumber returns the literal of records[0][name] in a statement.
func jsonNumber(t *testing.T, data json.RawMessage, name string) string {
	t.Helper()
	var recs struct {
		Records []map[string]json.RawMessage `json:"records"`
	}
	require.NoError(t, json.Unmarshal(data, &recs))
	return string(recs.Records[0][name])
}

func TestPayoutFailureRestoresBalance(t *testing.T) {
	s := newTestServer(t, WithBalance(60000))
	m := newMerchant(t)
	s.SetCallbackURL(m.URL)
	ok(t, do(t, s, payoutPath, payoutFields("PO2")))
	require.EqualValues(t, 60000-50010, s.Balance())
	res, err := s.FailPayout("PO2", -10004, "Transaction Channel Rejected")
	require.NoError(t, err)
	ev := event(t, s, res)
	require.Equal(t, "disbursement.failed", ev["eventName"])
	require.EqualValues(t, -10004, ev["failedCode"])
	require.Equal(t, "Transaction Channel Rejected", ev["failedMessage"])
	require.EqualValues(t, 60000, s.Balance())
	g := ok(t, do(t, s, payoutCheckPath, map[string]any{"mchOrderId": "PO2", "countryCode": "PH"}))
	require.Equal(t, "FAILED", g.str(t, "transactionStatus"))
	require.EqualValues(t, -10004, g.field(t, "failedCode"))
}

func TestPayoutRefusals(t *testing.T) {
	s := newTestServer(t, WithBalance(60000))
	ok(t, do(t, s, payoutPath, payoutFields("PO3")))

	p := payoutFields("PO4")
	p["idempotencyId"] = "IDEM-PO3-0001"
	refused(t, do(t, s, payoutPath, p), 21015)

	refused(t, do(t, s, payoutPath, payoutFields("PO5")), 21014) // 60000-50010 left

	p = payoutFields("PO6")
	p["amount"] = 500_000_001
	refused(t, do(t, s, payoutPath, p), 21010)

	p = payoutFields("PO7")
	p["payMethodCode"] = "CASH"
	refused(t, do(t, s, payoutPath, p), 21019)

	p = payoutFields("PO8")
	p["transferCode"] = "NOWALLET"
	refused(t, do(t, s, payoutPath, p), 21013)

	p = payoutFields("PO9")
	p["payMethodCode"], p["transferCode"], p["accountNo"] = "BANK", "NOBANK", "1234567890"
	refused(t, do(t, s, payoutPath, p), 21012)

	for name, change := range map[string]func(map[string]any){
		"wallet number":  func(p map[string]any) { p["accountNo"] = "1234" },
		"name digits":    func(p map[string]any) { p["accountName"] = "R2D2" },
		"short idem":     func(p map[string]any) { p["idempotencyId"] = "short" },
		"amount string":  func(p map[string]any) { p["amount"] = "lots" },
		"amount low":     func(p map[string]any) { p["amount"] = 99 },
		"missing remark": func(p map[string]any) { delete(p, "accountName") },
		"long order id":  func(p map[string]any) { p["mchOrderId"] = "123456789012345678901234567890123" },
	} {
		t.Run(name, func(t *testing.T) {
			p := payoutFields("POX")
			change(p)
			refused(t, do(t, s, payoutPath, p), 21002)
		})
	}

	// An amount as a numeric string and a name in another script are accepted.
	s.SetBalance(paycools.Amount(1_000_000))
	p = payoutFields("PO10")
	p["amount"], p["accountName"] = "20000", "José Ñoño-O'Neil"
	ok(t, do(t, s, payoutPath, p))
}
