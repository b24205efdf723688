package paycoolssql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// BenchmarkSyncRecover runs Client.Sync and Client.Recover over a ledger holding open orders
// and, in the history cases, many more settled ones, on SQLite and PostgreSQL. Each operation
// is one whole Sync (or Recover) over every open order: Sync finds each still PENDING and
// leaves it open, Recover gets 503 for each and leaves it unknown, so every iteration sees the
// same open orders. The gateway is an in-process transport and the signer returns a fixed
// signature, so that the ledger's work is what grows. ns/order and B/order are per open order:
// they stay flat when the open orders grow tenfold, and when 100,000 settled rows are added.
func BenchmarkSyncRecover(b *testing.B) {
	cases := []struct{ open, history int }{{1000, 0}, {10000, 0}, {10000, 100000}}
	flavors := []struct {
		name string
		open func(testing.TB) testDB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}}
	for _, fl := range flavors {
		for _, tc := range cases {
			for _, op := range []string{"sync", "recover"} {
				b.Run(fmt.Sprintf("%s/%s/open=%d/history=%d", fl.name, op, tc.open, tc.history), func(b *testing.B) {
					benchSyncRecover(b, fl.open(b), op, tc.open, tc.history)
				})
			}
		}
	}
}

func benchSyncRecover(b *testing.B, d testDB, op string, open, history int) {
	ctx := context.Background()
	table := fmt.Sprintf("%s_syncb_%d", d.prefix, tableSeq.Add(1))
	l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
	if err != nil {
		b.Fatal(err)
	}
	openState, prefix := "created", "O"
	if op == "recover" {
		openState, prefix = "unknown", "R" // pendingPayouts answers their look-ups with 503
	}
	seedIntents(b, d, table, "H", history, "created", "COMPLETED")
	seedIntents(b, d, table, prefix, open, openState, "")

	var mu sync.Mutex
	now := time.UnixMilli(1_800_000_000_000)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	merchant, _ := testKeys(b)
	c, err := paycools.NewClient(testApp, fixedSigner{merchant}, paycools.WithBaseURL("https://pc.test"),
		paycools.WithHTTPClient(&http.Client{Transport: pendingPayouts{}}), paycools.WithRetries(0),
		paycools.WithLedger(l), paycools.WithSyncAfter(0), paycools.WithSyncWindow(0), paycools.WithClock(clock),
		paycools.WithNotificationStore(nil), paycools.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	fn := func(context.Context, *paycools.Notification) error { return nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if op == "sync" {
			rep, err := c.Sync(ctx, fn)
			if err != nil {
				b.Fatal(err)
			}
			n = len(rep.Orders)
		} else {
			rep, err := c.Recover(ctx)
			if err != nil {
				b.Fatal(err)
			}
			n = len(rep.Resolutions)
			mu.Lock()
			now = now.Add(10 * time.Minute) // Recover's claims end: the next Recover takes them again
			mu.Unlock()
		}
		if n != open {
			b.Fatalf("%s handled %d orders, want %d", op, n, open)
		}
	}
	b.StopTimer()
	per := float64(b.N) * float64(open)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/order")
}

// seedIntents writes n payout intents in state (final status final) in one statement.
func seedIntents(b *testing.B, d testDB, table, prefix string, n int, state, final string) {
	if n == 0 {
		return
	}
	gen := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?1) SELECT i FROM s`
	id, order := `printf('%s%031d', ?2, i)`, `printf('%s%011d', ?2, i)`
	if d.flavor == paycoolssql.Postgres {
		gen = `SELECT i FROM generate_series(1, $1::int) AS s(i)`
		id, order = `$2 || lpad(i::text, 31, '0')`, `$2 || lpad(i::text, 11, '0')`
	}
	p := func(k int) string {
		if d.flavor == paycoolssql.Postgres {
			return fmt.Sprintf("$%d", k)
		}
		return fmt.Sprintf("?%d", k)
	}
	q := `INSERT INTO ` + table + ` (id, app_id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail,
claim_token, claim_until, created_at, updated_at, sent_by, final_status, final_amount, final_at)
SELECT ` + id + `, 'app', 'Payouts.Create', ` + order + `, ` + order + `, '', 50010, ` + p(3) + `, ` + p(4) + `, 'DU' || ` + order + `, '', '', 0,
1700000000000 + i, 1700000000000 + i, 1700000000000 + i, ` + p(5) + `, CASE WHEN ` + p(5) + ` = '' THEN 0 ELSE 50010 END, 0
FROM (` + gen + `) AS g`
	if _, err := d.db.Exec(q, n, prefix, []byte(`{}`), state, final); err != nil {
		b.Fatal(err)
	}
}

// pendingPayouts answers a payout query with the order asked about, still PENDING, except
// for orders whose id starts with R (Recover's), and anything else with 503, without a
// network.
type pendingPayouts struct{}

func (pendingPayouts) RoundTrip(r *http.Request) (*http.Response, error) {
	var env struct {
		Param string `json:"param"`
	}
	var param struct {
		MchOrderID string `json:"mchOrderId"`
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	status, answer := http.StatusServiceUnavailable, `busy`
	if json.Unmarshal(body, &env) == nil && json.Unmarshal([]byte(env.Param), &param) == nil && param.MchOrderID != "" && !strings.HasPrefix(param.MchOrderID, "R") {
		status = http.StatusOK
		answer = `{"code":10000,"message":"Success","data":{"mchOrderId":"` + param.MchOrderID + `","transactionId":"DU` + param.MchOrderID +
			`","amount":50010,"currency":"PHP","transactionStatus":"PENDING"}}`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(answer)), Request: r}, nil
}
