package paycoolstest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// BenchmarkReconcile reconciles one day of n records on each side (half collections, half
// payouts; PayCools' statements served by the fake in pages of 1000, the books a CSV in
// memory), for n = 10,000 and 100,000. It reports records/s (PayCools records matched per
// second, the fake's own work included) and, from one more run that forces a GC at every page,
// the live heap: books-live-MB once the books are indexed, and stream-extra-live-MB, the most
// the live heap grew beyond that while the statements streamed, and stream-growth-MB, the
// live heap at the last page minus at the first (the in-process fake's request
// log is cleared at each page, so that only the client's and the fake's page are counted). The second stays flat as the
// day grows (PayCools' records are never held); the first grows with the books' index.
func BenchmarkReconcile(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			m, p := keys()
			day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("PHT", 8*3600))
			s := paycoolstest.New(b, paycoolstest.WithKeys(m, p), paycoolstest.WithClock(func() time.Time { return day }),
				paycoolstest.WithStatementPageSize(1000), paycoolstest.WithBalance(1<<50))
			c := s.Client(paycools.WithRetries(0))
			seed := make([]paycoolstest.SeedRecord, n)
			var books strings.Builder
			books.WriteString("mchOrderId,direction,amount,currency,status\n")
			for i := range seed {
				id := fmt.Sprintf("R%07d", i)
				payout := i%2 == 1
				seed[i] = paycoolstest.SeedRecord{Payout: payout, MchOrderID: id, Amount: paycools.Amount(100 + i%5000)}
				dir := "collection"
				if payout {
					dir = "payout"
				}
				fmt.Fprintf(&books, "%s,%s,%d,PHP,COMPLETED\n", id, dir, 100+i%5000)
			}
			s.Seed(seed...)
			text := books.String()
			ctx := context.Background()
			run := func(progress func(pages, records int)) {
				rep, err := paycools.Reconcile(ctx, c, "2026-12-01", csvBooks(text), paycools.ReconcileOptions{Progress: progress})
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() || rep.Matched != n {
					b.Fatalf("matched %d of %d: %+v", rep.Matched, n, rep.Totals)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(nil)
			}
			b.StopTimer()
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")

			var base, peak, last uint64
			live := func() uint64 {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			run(func(pages, records int) {
				s.ClearRequests() // the fake's request log is the gateway's memory, not the client's
				h := live()
				if base == 0 {
					base = h // first page: the books are indexed, one page is in hand
				}
				peak, last = max(peak, h), h
			})
			b.ReportMetric(float64(base)/(1<<20), "books-live-MB")
			b.ReportMetric(float64(peak-base)/(1<<20), "stream-extra-live-MB")
			b.ReportMetric((float64(last)-float64(base))/(1<<20), "stream-growth-MB")
			b.ReportMetric(0, "ns/op")
		})
	}
}
