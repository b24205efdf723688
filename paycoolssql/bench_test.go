package paycoolssql_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// The SQL benchmarks compare the store and the ledger with the bare SQL statements they need,
// run by hand on the same database, in one loop: each iteration runs, in a rotating order,
//
//	sdk:        the SDK path with the store (a callback) or the ledger (a payout create);
//	bare:       the same SDK path without them;
//	statements: only the statements the store or ledger runs, by hand (db.QueryRow / db.Exec).
//
// and reports each one's ns/op, "added/statements" = (sdk − bare) ÷ statements (what the store
// or ledger adds, as a multiple of the statements' own cost; 1.0 is a free wrapper) and
// "sdk/(bare+statements)" (the SDK path against the same path with the statements run by
// hand). scripts/bench prints them with the targets (at most 1.2). The gateway side is made
// cheap on purpose so that the SQL is what is measured: callbacks use the PH flat SHA-1 form
// (a SHA-1, not an RSA verification), and payouts a signer with a fixed signature and a
// transport that answers at once without a network.

type rotation struct {
	ns [3]time.Duration
}

// run times the three sides of iteration i in a rotating order.
func (r *rotation) run(b *testing.B, i int, sides [3]func(i int) error) {
	for k := 0; k < 3; k++ {
		s := (i + k) % 3
		t0 := time.Now()
		if err := sides[s](i); err != nil {
			b.Fatal(err)
		}
		r.ns[s] += time.Since(t0)
	}
}

func (r *rotation) report(b *testing.B) {
	n := float64(b.N)
	sdk, bare, st := float64(r.ns[0])/n, float64(r.ns[1])/n, float64(r.ns[2])/n
	b.ReportMetric(sdk, "sdk-ns/op")
	b.ReportMetric(bare, "bare-ns/op")
	b.ReportMetric(st, "statements-ns/op")
	b.ReportMetric((sdk-bare)/st, "added/statements")
	b.ReportMetric(sdk/(bare+st), "sdk/(bare+statements)")
	b.ReportMetric(0, "ns/op")
}

const benchSecret = "bench-callback-secret"

// flatCallback is a flat SHA-1 payout callback for event i of a run, returned at the time at
// (PayCools' "yyyy-MM-dd HH:mm:ss" in UTC+8): the benchmark uses the real clock throughout, so
// that the handlers' replay window accepts the events on any day.
func flatCallback(run, at string, i int) []byte {
	body := fmt.Sprintf(`{"eventName":"disbursement.success","mchOrderId":"M%s%d","transactionId":"DU%s%d","amount":"50010","transactionStatus":"COMPLETE","returnTime":%q}`, run, i, run, i, at)
	msg, err := paycools.CanonicalFlatString([]byte(body))
	if err != nil {
		panic(err)
	}
	sum := sha1.Sum([]byte(msg + "&secret=" + benchSecret))
	return []byte(body[:len(body)-1] + `,"sign":"` + hex.EncodeToString(sum[:]) + `"}`)
}

func phCallbackClient(b *testing.B, opts ...paycools.Option) *paycools.Client {
	merchant, _ := testKeys(b)
	c, err := paycools.NewClient(testApp, merchant, append([]paycools.Option{
		paycools.WithDialect(paycools.DialectPH), paycools.WithCallbackSecret(benchSecret),
	}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func serve(h http.Handler, body []byte) error {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/notify", bytes.NewReader(body)))
	if w.Code != 200 {
		return fmt.Errorf("callback answered %d %s", w.Code, w.Body)
	}
	return nil
}

// storeStatements are the store's two statements for PostgreSQL, written out by hand.
func storeStatements(table string) (claim, finish string) {
	claim = `INSERT INTO ` + table + ` (app_id, event_key, state, claim_token, expires_at) VALUES ('app', $1, 'claimed', $2, $3)
ON CONFLICT (app_id, event_key) DO UPDATE SET
	state = CASE WHEN ` + table + `.expires_at <= $4 THEN 'claimed' ELSE ` + table + `.state END,
	claim_token = CASE WHEN ` + table + `.expires_at <= $4 THEN excluded.claim_token ELSE ` + table + `.claim_token END,
	expires_at = CASE WHEN ` + table + `.expires_at <= $4 THEN excluded.expires_at ELSE ` + table + `.expires_at END
RETURNING state, claim_token`
	finish = `INSERT INTO ` + table + ` (app_id, event_key, state, claim_token, expires_at) VALUES ('app', $1, 'done', $2, $3)
ON CONFLICT (app_id, event_key) DO UPDATE SET state = 'done', claim_token = excluded.claim_token, expires_at = excluded.expires_at`
	return claim, finish
}

func BenchmarkSQLCallback(b *testing.B) {
	d := openPostgres(b)
	ctx := context.Background()
	table := fmt.Sprintf("%s_bench_%d", d.prefix, tableSeq.Add(1))
	store, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
	if err != nil {
		b.Fatal(err)
	}
	fn := func(context.Context, *paycools.Notification) error { return nil }
	withStore := phCallbackClient(b, paycools.WithNotificationStore(store)).NotificationHandler(fn)
	bare := phCallbackClient(b, paycools.WithNotificationStore(nil)).NotificationHandler(fn)
	handTable := table + "_hand"
	if _, err := d.db.Exec(strings.ReplaceAll(strings.Split(paycoolssql.NotificationStoreDDL, ";")[0], "{T}", handTable)); err != nil {
		b.Fatal(err)
	}
	claim, finish := storeStatements(handTable)
	run := fmt.Sprint(time.Now().UnixNano())
	at := time.Now().In(time.FixedZone("PHT", 8*3600)).Format("2006-01-02 15:04:05")

	b.Run("paired", func(b *testing.B) {
		var r rotation
		for i := 0; i < b.N; i++ {
			r.run(b, i, [3]func(int) error{
				func(i int) error { return serve(withStore, flatCallback(run+"s", at, i)) },
				func(i int) error { return serve(bare, flatCallback(run+"b", at, i)) },
				func(i int) error {
					key := fmt.Sprintf("disbursement.success:transactionId=DU%sh%d:COMPLETE", run, i)
					now := time.Now()
					var state, token string
					if err := d.db.QueryRowContext(ctx, claim, key, "tok", now.Add(5*time.Minute).UnixMilli(), now.UnixMilli()).Scan(&state, &token); err != nil {
						return err
					}
					_, err := d.db.ExecContext(ctx, finish, key, token, now.Add(24*time.Hour).UnixMilli())
					return err
				},
			})
		}
		r.report(b)
	})
	// Throughput of the handler with the PostgreSQL store from GOMAXPROCS goroutines.
	b.Run("throughput", func(b *testing.B) {
		var seq atomic.Int64
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := serve(withStore, flatCallback(run+"t", at, int(seq.Add(1)))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "callbacks/s")
	})
}

// fixedSigner signs nothing: the signature is fixed, so that RSA does not drown the SQL.
type fixedSigner struct{ crypto.Signer }

func (fixedSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return bytes.Repeat([]byte{1}, 256), nil
}

// payoutAnswer answers every request with a created payout, without a network.
type payoutAnswer struct{}

func (payoutAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	body := `{"code":10000,"message":"Success","data":{"mchOrderId":"M","transactionId":"DU1","transactionStatus":"PENDING"}}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func BenchmarkSQLLedger(b *testing.B) {
	d := openPostgres(b)
	ctx := context.Background()
	table := fmt.Sprintf("%s_bench_%d", d.prefix, tableSeq.Add(1))
	ledger, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
	if err != nil {
		b.Fatal(err)
	}
	handTable := table + "_hand"
	if _, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(handTable)); err != nil {
		b.Fatal(err)
	}
	merchant, _ := testKeys(b)
	client := func(opts ...paycools.Option) *paycools.Client {
		c, err := paycools.NewClient(testApp, fixedSigner{merchant}, append([]paycools.Option{
			paycools.WithBaseURL("https://pc.test"), paycools.WithHTTPClient(&http.Client{Transport: payoutAnswer{}}),
		}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	withLedger, bare := client(paycools.WithLedger(ledger)), client()
	params := func(order string) *paycools.PayoutCreateParams {
		return &paycools.PayoutCreateParams{MchOrderID: order, Amount: 50010, AccountNo: "09171234567", AccountName: "Juan Dela Cruz",
			PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH"}
	}
	record := `INSERT INTO ` + handTable + ` (id, app_id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at)
VALUES ($1, 'app', $2, $3, $4, $5, $6, $7, $8, '', '', $9, $10, $11, $12) ON CONFLICT DO NOTHING`
	resolve := `UPDATE ` + handTable + ` SET state = $2, transaction_id = $3, detail = $4, updated_at = $5, claim_token = '', claim_until = 0
WHERE id = $1 AND (state IN ('pending', 'unknown') OR (state = 'absent' AND $6 = 1))`
	param := []byte(`{"accountName":"Juan Dela Cruz","accountNo":"09171234567","amount":50010,"idempotencyId":"PAYOUT-BENCH-0000001","mchOrderId":"PAYOUT-BENCH-0000001","payMethodCode":"EWALLET","timestamp":1764756000000,"transferCode":"GCASH"}`)
	run := fmt.Sprint(time.Now().UnixNano() % 1e9)

	var r rotation
	for i := 0; i < b.N; i++ {
		r.run(b, i, [3]func(int) error{
			func(i int) error {
				_, err := withLedger.Payouts.Create(ctx, params(fmt.Sprintf("PL%s%08d", run, i)))
				return err
			},
			func(i int) error {
				_, err := bare.Payouts.Create(ctx, params(fmt.Sprintf("PB%s%08d", run, i)))
				return err
			},
			func(i int) error {
				id, order, now := fmt.Sprintf("%032d", i), fmt.Sprintf("PH%s%08d", run, i), time.Now().UnixMilli()
				res, err := d.db.ExecContext(ctx, record, id, string(paycools.OpPayoutCreate), order, order, "", int64(50010), param,
					"pending", id, now+300_000, now, now)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return errors.New("hand insert: no row")
				}
				_, err = d.db.ExecContext(ctx, resolve, id, "created", "DU1", "", now, 1)
				return err
			},
		})
	}
	r.report(b)
}
