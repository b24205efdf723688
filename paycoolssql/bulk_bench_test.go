//go:build unix

package paycoolssql_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// BenchmarkBulkPayouts measures Payouts.CreateMany (issue 25) against the fake gateway
// (paycoolstest, in process, verifying every signature) with the SQLite and the PostgreSQL
// ledger, beside a hand-written worker pool that does the same work: the same number of
// goroutines, each payout the ledger's insert (Ledger.Record), the signed call (json.Marshal
// of the params, SHA-256 + rsa.SignPKCS1v15, base64, the envelope, POST, the answer's code)
// and the ledger's update (Ledger.Resolve). Run it with -benchtime 1x and
// PAYCOOLS_BULK_ROWS=10000 (scripts/bench does): one iteration pays that many payouts (200
// without the variable, for the CI smoke run) on each side, in 20 slices that alternate
// between the two sides (which goes first alternates too), so that both meet the same load
// on a shared machine. Between the slices, RSA-2048 PKCS#1 v1.5 signatures on GOMAXPROCS
// goroutines measure the machine's signing limit in the same run.
//
// Then both sides pay rows more payouts each at the same time, and sdk/hand-together is the
// hand pool's payouts ÷ CreateMany's when the first of them is done: on a machine whose speed
// changes from second to second, the steadiest comparison, since both meet the same load.
//
// It reports sdk-payouts/s and hand-payouts/s (from the slices), sdk/hand (the time ratio over the whole run;
// target ≤ 1.1) and the median, min and max of the 20 slice pairs' ratios (on a loaded
// machine the median is the steadier figure), sdk-cpu/hand-cpu (the process's CPU time
// during each side's slices, the gateway's share included on both), rsa-signs/s (the median
// slice) and each side's payouts/s as a share of it. The memory leaf runs CreateMany on
// 1,000, 10,000 and 100,000 streamed rows (500 and 5,000 in the smoke run) with a ledger and
// a transport that keep nothing, and reports the peak live heap of each and the growth per
// row.
func BenchmarkBulkPayouts(b *testing.B) {
	// The CI smoke run (-benchtime 1x over every benchmark) must stay short: without
	// PAYCOOLS_BULK_ROWS (scripts/bench sets 10,000) a few hundred rows only.
	rows, sizes, signing := 200, []int{500, 5_000}, 20*time.Millisecond
	if s := os.Getenv("PAYCOOLS_BULK_ROWS"); s != "" {
		sizes, signing = []int{1_000, 10_000, 100_000}, 200*time.Millisecond
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			b.Fatalf("PAYCOOLS_BULK_ROWS=%q: want a number of rows, 10 or more", s)
		}
		rows = n
	}
	b.Run("sqlite", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "ledger.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1) // as `paycools payouts` does
		for range b.N {
			bulkCompare(b, db, paycoolssql.SQLite, "bulk", rows, signing)
		}
	})
	b.Run("postgres", func(b *testing.B) {
		d := openPostgres(b)
		for range b.N {
			bulkCompare(b, d.db, d.flavor, d.prefix+"_bulk", rows, signing)
		}
	})
	b.Run("memory", func(b *testing.B) {
		for range b.N {
			bulkMemory(b, sizes)
		}
	})
}

// bulkCompare pays rows payouts with CreateMany and rows with the hand-written pool.
// Before each slice pair and after the last, the signing limit is measured for signing.
func bulkCompare(b *testing.B, db *sql.DB, flavor paycoolssql.Flavor, prefix string, rows int, signing time.Duration) {
	ctx := context.Background()
	merchant, platform := testKeys(b)
	s := paycoolstest.NewServer(paycoolstest.WithAppID(testApp), paycoolstest.WithKeys(merchant, platform), paycoolstest.WithBalance(1<<60))
	defer s.Close()
	seq := tableSeq.Add(1)
	newLedger := func(side string) *paycoolssql.Ledger {
		l, err := paycoolssql.NewLedger(ctx, db, flavor, paycoolssql.WithTable(fmt.Sprintf("%s_%s_%d_%d", prefix, side, time.Now().UnixNano()%1e9, seq)))
		if err != nil {
			b.Fatal(err)
		}
		return l
	}
	sdkLedger, handLedger := newLedger("sdk"), newLedger("hand")
	transport := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}
	c := s.Client(paycools.WithLedger(sdkLedger), paycools.WithHTTPClient(&http.Client{Transport: transport}))
	hand := &handPool{base: s.URL(), appID: s.AppID(), key: merchant, ledger: handLedger,
		http: &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}}}
	conc := paycools.DefaultBulkConcurrency
	const slices = 20
	per := rows / slices
	var sdkTime, handTime, sdkCPU, handCPU time.Duration
	var signs, ratios []float64
	b.ResetTimer()
	for sl := range slices {
		signs = append(signs, rsaSignsPerSecond(merchant, signing))
		var sdkSlice, handSlice time.Duration
		sdk := func() {
			start, cpu := time.Now(), processCPU()
			defer func() { sdkSlice = time.Since(start); sdkTime += sdkSlice; sdkCPU += processCPU() - cpu }()
			n := 0
			for o, err := range c.Payouts.CreateMany(ctx, bulkBenchRows("S", sl*per, per), paycools.CreateManyOptions{Concurrency: conc}) {
				if err != nil {
					b.Fatal(err)
				}
				if o.State != paycools.PayoutRowStateCreated {
					b.Fatalf("row %d: %s: %v", o.Index, o.State, o.Err)
				}
				n++
			}
			if n != per {
				b.Fatalf("%d outcomes for %d rows", n, per)
			}
		}
		handSide := func() {
			start, cpu := time.Now(), processCPU()
			if err := hand.run(ctx, bulkBenchRows("H", sl*per, per), conc); err != nil {
				b.Fatal(err)
			}
			handSlice = time.Since(start)
			handTime += handSlice
			handCPU += processCPU() - cpu
		}
		if sl%2 == 0 {
			sdk()
			handSide()
		} else {
			handSide()
			sdk()
		}
		ratios = append(ratios, sdkSlice.Seconds()/handSlice.Seconds())
	}

	// Together: both sides at once, over rows more payouts each, so that they meet the very
	// same machine at every instant; when the first one is done, the payouts each has made so
	// far are compared (after that the other would have the machine to itself).
	var sdkDone, handDone atomic.Int64
	var snap sync.Once
	var sdkAtFirst, handAtFirst int64
	first := func() { snap.Do(func() { sdkAtFirst, handAtFirst = sdkDone.Load(), handDone.Load() }) }
	hand.done = &handDone
	var both sync.WaitGroup
	both.Add(2)
	go func() {
		defer both.Done()
		defer first()
		for o, err := range c.Payouts.CreateMany(ctx, bulkBenchRows("S", slices*per, rows), paycools.CreateManyOptions{Concurrency: conc}) {
			if err != nil || o.State != paycools.PayoutRowStateCreated {
				panic(fmt.Sprintf("row %d: %s: %v %v", o.Index, o.State, o.Err, err))
			}
			sdkDone.Add(1)
		}
	}()
	go func() {
		defer both.Done()
		defer first()
		if err := hand.run(ctx, bulkBenchRows("H", slices*per, rows), conc); err != nil {
			panic(err)
		}
	}()
	both.Wait()
	b.StopTimer()
	b.ReportMetric(float64(handAtFirst)/float64(sdkAtFirst), "sdk/hand-together")
	signs = append(signs, rsaSignsPerSecond(merchant, signing))
	sort.Float64s(signs)
	limit := signs[len(signs)/2]
	total := float64(per * slices)
	sdkRate, handRate := total/sdkTime.Seconds(), total/handTime.Seconds()
	b.ReportMetric(sdkRate, "sdk-payouts/s")
	b.ReportMetric(handRate, "hand-payouts/s")
	sort.Float64s(ratios)
	b.ReportMetric(sdkTime.Seconds()/handTime.Seconds(), "sdk/hand")
	b.ReportMetric(ratios[len(ratios)/2], "sdk/hand-median-slice")
	b.ReportMetric(ratios[0], "sdk/hand-min-slice")
	b.ReportMetric(ratios[len(ratios)-1], "sdk/hand-max-slice")
	b.ReportMetric(sdkCPU.Seconds()/handCPU.Seconds(), "sdk-cpu/hand-cpu")
	b.ReportMetric(limit, "rsa-signs/s")
	b.ReportMetric(sdkRate/limit, "sdk-share-of-rsa")
	b.ReportMetric(handRate/limit, "hand-share-of-rsa")
	if want := paycools.Amount(1<<60) - bulkBenchSum(slices*per+rows)*2; s.Balance() != want {
		b.Fatalf("gateway balance %d, want %d: not exactly one payout per row", s.Balance(), want)
	}
}

// processCPU is the CPU time of the whole process (client, gateway, database driver) so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bulkBenchRows yields n payout rows from row first, made as they are read (a streamed file).
func bulkBenchRows(side string, first, n int) iter.Seq[*paycools.PayoutCreateParams] {
	return func(yield func(*paycools.PayoutCreateParams) bool) {
		for i := first; i < first+n; i++ {
			if !yield(&paycools.PayoutCreateParams{MchOrderID: fmt.Sprintf("BULK%s%010d", side, i), Amount: paycools.Amount(100 + i%1000),
				AccountNo: "09171234567", AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH"}) {
				return
			}
		}
	}
}

func bulkBenchSum(n int) paycools.Amount {
	var sum paycools.Amount
	for i := range n {
		sum += paycools.Amount(100 + i%1000)
	}
	return sum
}

// rsaSignsPerSecond is how many RSA-2048 PKCS#1 v1.5 SHA-256 signatures GOMAXPROCS goroutines
// make per second, over d.
func rsaSignsPerSecond(key *rsa.PrivateKey, d time.Duration) float64 {
	var n atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := sha256.Sum256([]byte("paycools bulk " + strconv.Itoa(g)))
			for time.Now().Before(deadline) {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, msg[:]); err != nil {
					panic(err)
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// handPool is the hand-written twin of CreateMany: a worker pool, the ledger's two statements
// around each signed call, no validation pass, no Recover, no reconcile.
type handPool struct {
	base, appID string
	key         *rsa.PrivateKey
	ledger      *paycoolssql.Ledger
	http        *http.Client
	done        *atomic.Int64 // counts the payouts made, when set
}

type handParam struct {
	MchOrderID    string `json:"mchOrderId"`
	IdempotencyID string `json:"idempotencyId"`
	Amount        int64  `json:"amount"`
	AccountNo     string `json:"accountNo"`
	AccountName   string `json:"accountName"`
	PayMethodCode string `json:"payMethodCode"`
	TransferCode  string `json:"transferCode"`
	Timestamp     int64  `json:"timestamp"`
}

func (h *handPool) run(ctx context.Context, rows iter.Seq[*paycools.PayoutCreateParams], workers int) error {
	jobs := make(chan *paycools.PayoutCreateParams)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if err := h.pay(ctx, p); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for p := range rows {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func (h *handPool) pay(ctx context.Context, p *paycools.PayoutCreateParams) error {
	now := time.Now()
	param, err := json.Marshal(handParam{MchOrderID: p.MchOrderID, IdempotencyID: p.MchOrderID, Amount: int64(p.Amount), AccountNo: p.AccountNo,
		AccountName: p.AccountName, PayMethodCode: string(p.PayMethodCode), TransferCode: p.TransferCode, Timestamp: now.UnixMilli()})
	if err != nil {
		return err
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	in := &paycools.Intent{ID: fmt.Sprintf("%x", id), AppID: testApp, Operation: paycools.OpPayoutCreate, MchOrderID: p.MchOrderID, IdempotencyID: p.MchOrderID,
		Amount: p.Amount, Param: param, State: paycools.IntentPending, CreatedAt: now, UpdatedAt: now, ClaimUntil: now.Add(time.Minute)}
	in.ClaimToken = in.ID
	if err := h.ledger.Record(ctx, in); err != nil {
		return err
	}
	digest := sha256.Sum256(param)
	sig, err := rsa.SignPKCS1v15(nil, h.key, crypto.SHA256, digest[:])
	if err != nil {
		return err
	}
	body, err := json.Marshal(struct {
		AppID string `json:"appId"`
		Param string `json:"param"`
		Sign  string `json:"sign"`
	}{h.appID, string(param), base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/open-api/philippines/disbursement/transfer", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	var ans struct {
		Code int `json:"code"`
		Data struct {
			TransactionID string `json:"transactionId"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return err
	}
	if ans.Code != 10000 {
		return fmt.Errorf("hand pool: code %d: %s", ans.Code, raw)
	}
	if err := h.ledger.Resolve(ctx, in.ID, paycools.IntentResolution{State: paycools.IntentCreated, TransactionID: ans.Data.TransactionID, At: time.Now()}); err != nil {
		return err
	}
	if h.done != nil {
		h.done.Add(1)
	}
	return nil
}

// nullLedger keeps nothing: the memory leaf measures CreateMany alone.
type nullLedger struct{}

func (nullLedger) Record(context.Context, *paycools.Intent) error                   { return nil }
func (nullLedger) Resolve(context.Context, string, paycools.IntentResolution) error { return nil }
func (nullLedger) ClaimOpen(context.Context, string, string, time.Time, time.Time, time.Time, int) ([]paycools.Intent, error) {
	return nil, nil
}
func (nullLedger) ClaimUnsettled(context.Context, string, string, time.Time, time.Time, time.Time, time.Time, int) ([]paycools.Intent, error) {
	return nil, nil
}
func (nullLedger) Finalize(context.Context, string, paycools.OrderFinal) error { return nil }
func (nullLedger) Unclaim(context.Context, string, string) error               { return nil }
func (nullLedger) Intents(context.Context, string, paycools.Operation, string) ([]paycools.Intent, error) {
	return nil, nil
}

// bulkMemory runs CreateMany over streamed rows (1,000, 10,000 and 100,000) with a ledger and a
// transport that keep nothing (and a fixed signature, for speed), sampling the live heap.
func bulkMemory(b *testing.B, sizes []int) {
	merchant, _ := testKeys(b)
	c, err := paycools.NewClient(testApp, fixedSigner{merchant}, paycools.WithBaseURL("https://pc.test"),
		paycools.WithHTTPClient(&http.Client{Transport: payoutAnswer{}}), paycools.WithLedger(nullLedger{}))
	if err != nil {
		b.Fatal(err)
	}
	peaks := map[int]float64{}
	for _, n := range sizes {
		runtime.GC()
		stop := make(chan struct{})
		var peak atomic.Uint64
		var sampler sync.WaitGroup
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				metrics.Read(sample)
				if v := sample[1].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		for o, err := range c.Payouts.CreateMany(context.Background(), bulkBenchRows(fmt.Sprint(n), 0, n), paycools.CreateManyOptions{}) {
			if err != nil {
				b.Fatal(err)
			}
			if o.State != paycools.PayoutRowStateCreated {
				b.Fatal(errors.Join(errors.New(string(o.State)), o.Err))
			}
		}
		close(stop)
		sampler.Wait()
		peaks[n] = float64(peak.Load())
	}
	for _, n := range sizes {
		b.ReportMetric(peaks[n]/(1<<20), fmt.Sprintf("peak-heap-MB-%d-rows", n))
	}
	first, last := sizes[0], sizes[len(sizes)-1]
	b.ReportMetric((peaks[last]-peaks[first])/float64(last-first), "heap-B-per-row")
}
