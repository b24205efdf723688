package paycoolssql_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// The history benchmarks check that the store and the ledger cost the same on a table of
// years of history as on an empty one: each iteration runs one operation on an empty table
// and the same operation on a table with -paycools.bigrows existing rows (or
// PAYCOOLS_BENCH_BIGROWS), in alternating order, and reports both ns/op and big/empty (target
// at most 1.2). They run only when the row count is given, so that CI's one-iteration
// benchmark smoke stays fast:
//
//	go test -run '^$' -bench BenchmarkHistory -benchtime 3000x ./paycoolssql -paycools.bigrows=1000000
//
// The rows are written by the database itself in one statement (generate_series on
// PostgreSQL, a recursive CTE on SQLite): a million rows take seconds.
var bigRows = flag.Int("paycools.bigrows", envInt("PAYCOOLS_BENCH_BIGROWS"), "existing rows of the history benchmarks (0: skip them)")

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

// seriesInsert is "INSERT INTO table (cols) SELECT exprs FROM" n rows numbered g = 1..n, in the
// flavor's idiom; exprs use g, {TEXT_G} (g as text) and {PAD_G} (g as 32 digits).
func seriesInsert(f paycoolssql.Flavor, table, cols, exprs string, n int) string {
	pg := map[string]string{"{TEXT_G}": "g::text", "{PAD_G}": "lpad(g::text, 32, '0')", "{BLOB}": "convert_to('{}', 'UTF8')"}
	lite := map[string]string{"{TEXT_G}": "CAST(g AS TEXT)", "{PAD_G}": "printf('%032d', g)", "{BLOB}": "X'7b7d'"}
	repl := pg
	if f == paycoolssql.SQLite {
		repl = lite
	}
	for k, v := range repl {
		exprs = strings.ReplaceAll(exprs, k, v)
	}
	if f == paycoolssql.SQLite {
		return fmt.Sprintf(`INSERT INTO %s (%s) WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d) SELECT %s FROM s`, table, cols, n, exprs)
	}
	return fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %d) AS s(g)`, table, cols, exprs, n)
}

// fill writes the rows of a big table and updates the planner's statistics, as autovacuum
// (ANALYZE) would on a real table.
func fill(b *testing.B, d testDB, table, cols, exprs string) {
	b.Helper()
	t0 := time.Now()
	if _, err := d.db.Exec(seriesInsert(d.flavor, table, cols, exprs, *bigRows)); err != nil {
		b.Fatalf("filling %s: %v", table, err)
	}
	if _, err := d.db.Exec("ANALYZE " + table); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d rows written in %v", table, *bigRows, time.Since(t0).Round(time.Millisecond))
}

// pairedHistory times op on the empty side and on the big side alternately, and reports, in
// a sub-benchmark "paired": the tables are filled once, by the caller, however often the
// testing package runs the loop.
func pairedHistory(b *testing.B, op func(big bool, i int) error) {
	b.Run("paired", func(b *testing.B) { runPaired(b, op) })
}

// pairedSeq numbers the operations of every run of every loop, so that each has new keys.
var pairedSeq atomic.Int64

func runPaired(b *testing.B, op func(big bool, i int) error) {
	var ns [2]time.Duration
	for i := 0; i < b.N; i++ {
		for k := 0; k < 2; k++ {
			big := (i+k)%2 == 1
			n := int(pairedSeq.Add(1))
			t0 := time.Now()
			if err := op(big, n); err != nil {
				b.Fatal(err)
			}
			if big {
				ns[1] += time.Since(t0)
			} else {
				ns[0] += time.Since(t0)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(ns[0])/n, "empty-ns/op")
	b.ReportMetric(float64(ns[1])/n, "big-ns/op")
	b.ReportMetric(float64(ns[1])/float64(ns[0]), "big/empty")
	b.ReportMetric(0, "ns/op")
}

func eachFlavorBench(b *testing.B, fn func(b *testing.B, d testDB)) {
	if *bigRows <= 0 {
		b.Skip("set -paycools.bigrows=N (or PAYCOOLS_BENCH_BIGROWS) to run the history benchmarks")
	}
	b.Run("sqlite", func(b *testing.B) { fn(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, openPostgres(b)) })
}

// BenchmarkHistoryStore: Claim then Finish of a new event, on an empty store and on one
// holding -paycools.bigrows handled events; with the inbox on, Received and Handled too, the
// inbox holding as many rows.
func BenchmarkHistoryStore(b *testing.B) {
	eachFlavorBench(b, func(b *testing.B, d testDB) {
		for _, withInbox := range []bool{false, true} {
			name := map[bool]string{false: "inbox-off", true: "inbox-on"}[withInbox]
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				var stores [2]*paycoolssql.NotificationStore
				for side := range stores {
					table := fmt.Sprintf("%s_hist%d", d.prefix, tableSeq.Add(1))
					opts := []paycoolssql.Option{paycoolssql.WithTable(table)}
					if withInbox {
						opts = append(opts, paycoolssql.WithInbox())
					}
					s, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, opts...)
					if err != nil {
						b.Fatal(err)
					}
					stores[side] = s
					b.Cleanup(func() { dropTables(d.db, table, table+"_inbox") })
					if side == 1 {
						until := strconv.FormatInt(time.Now().Add(24*time.Hour).UnixMilli(), 10)
						fill(b, d, table, "app_id, event_key, state, claim_token, expires_at, result",
							`'app', 'disbursement.success:transactionId=DH' || {TEXT_G} || ':COMPLETED', 'done', {PAD_G}, `+until+`, ''`)
						if withInbox {
							fill(b, d, table+"_inbox", "app_id, event_key, event_name, form, body, received_at, updated_at, state, attempts, last_error, expires_at",
								`'app', 'disbursement.success:transactionId=DH' || {TEXT_G} || ':COMPLETED', 'disbursement.success', 'envelope', {BLOB}, g, g, 'handled', 1, '', `+until)
						}
					}
				}
				body := []byte(`{"param":"{\"eventName\":\"disbursement.success\",\"transactionId\":\"DU1\"}","sign":"x"}`)
				run := fmt.Sprint(time.Now().UnixNano())
				pairedHistory(b, func(big bool, i int) error {
					s := stores[0]
					if big {
						s = stores[1]
					}
					key := fmt.Sprintf("disbursement.success:transactionId=DN%s%t%d:COMPLETED", run, big, i)
					cl, err := s.Claim(ctx, testApp, key)
					if err != nil {
						return err
					}
					if withInbox {
						if err := s.Received(ctx, paycools.ReceivedEvent{AppID: testApp, Key: key, EventName: "disbursement.success",
							Form: paycools.NotificationFormEnvelope, Body: body, ReceivedAt: time.Now()}); err != nil {
							return err
						}
						if err := s.Handled(ctx, testApp, key); err != nil {
							return err
						}
					}
					return s.Finish(ctx, testApp, key, cl.Token, "")
				})
			})
		}
	})
}

// BenchmarkHistoryLedger: Record then Resolve (created) of a new payout intent, on an empty
// ledger and on one holding -paycools.bigrows created intents of the past year.
func BenchmarkHistoryLedger(b *testing.B) {
	eachFlavorBench(b, func(b *testing.B, d testDB) {
		ctx := context.Background()
		var ledgers [2]*paycoolssql.Ledger
		for side := range ledgers {
			table := fmt.Sprintf("%s_histl%d", d.prefix, tableSeq.Add(1))
			l, err := paycoolssql.NewLedger(ctx, d.db, d.flavor, paycoolssql.WithTable(table))
			if err != nil {
				b.Fatal(err)
			}
			ledgers[side] = l
			b.Cleanup(func() { dropTables(d.db, table) })
			if side == 1 {
				// One intent every 30 seconds, back from now: a million is about a year.
				now := strconv.FormatInt(time.Now().UnixMilli(), 10)
				fill(b, d, table, "id, app_id, operation, mch_order_id, idempotency_id, lookup_key, amount, param, state, transaction_id, detail, claim_token, claim_until, created_at, updated_at",
					`{PAD_G}, 'app', '`+string(paycools.OpPayoutCreate)+`', 'HIST' || {TEXT_G}, 'HIST' || {TEXT_G}, '', 50010, {BLOB}, 'created', 'DU' || {TEXT_G}, '', '', 0, `+now+` - g * CAST(30000 AS BIGINT), `+now+` - g * CAST(30000 AS BIGINT)`)
			}
		}
		run := fmt.Sprint(time.Now().UnixNano() % 1e9)
		pairedHistory(b, func(big bool, i int) error {
			l := ledgers[0]
			if big {
				l = ledgers[1]
			}
			now := time.Now()
			id := fmt.Sprintf("%s%t%d", run, big, i)
			if err := l.Record(ctx, intent(id, "N"+id, now)); err != nil {
				return err
			}
			return l.Resolve(ctx, id, paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: "DU" + id, At: now})
		})
	})
}

// dropTables drops the benchmark's tables, so that a million rows do not stay behind.
func dropTables(db *sql.DB, tables ...string) {
	for _, t := range tables {
		_, _ = db.Exec("DROP TABLE IF EXISTS " + t)
	}
}
