//go:build unix

package paycools_test

// Benchmarks against the physical limit. A signed PayCools call is dominated by one RSA
// signature; everything the SDK adds on top of it must be noise. Each SDK benchmark runs beside
// a baseline: the shortest correct hand-written client doing the same job against the same
// loopback server with the same key and an equivalent http.Transport. scripts/bench prints the
// ratios SDK/baseline; BENCHMARKS.md records them.
//
// Besides ns/op (wall time) every benchmark reports cpu-ns/op: the CPU time of the whole test
// process (client, loopback server and Go runtime alike) per operation, from getrusage. On a
// machine shared with other work, wall time swings with the load while CPU time per operation
// stays put, so cpu-ns/op is the steadier measure of what the SDK adds. (getrusage is why
// this file builds on unix only.)

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

const benchAppID = "f90addc4861540ef9312e87d8f360e08"

// successAnswer is the fixed answer of the benchmark server: the 10.1 example answer.
const successAnswer = `{"code":10000,"message":"Success","data":{"userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","authUrl":"https://auth.example/x?a=1&b=2"}}`

// benchKey describes one key size: the merchant key that signs requests and the key pair that
// stands in for the PayCools platform (signs callbacks). There is no 4096-bit platform test
// key, so the 4096-bit merchant key plays both roles there.
type benchKey struct {
	name     string
	merchant string
	platform string
}

var benchKeys = []benchKey{
	{"rsa2048", "test_merchant_2048_pkcs8.pem", "test_platform_2048_pkcs1.pem"},
	{"rsa4096", "test_merchant_4096_pkcs8.pem", "test_merchant_4096_pkcs8.pem"},
}

func loadKey(tb testing.TB, name string) *rsa.PrivateKey {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		tb.Fatal(err)
	}
	k, err := paycools.ParsePrivateKey(b)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// newTransport is the one transport configuration both clients use: plain keep-alive, an
// idle pool large enough for every benchmark goroutine, no proxy lookup. Each client gets its
// own instance so that neither borrows the other's warm connections.
func newTransport() *http.Transport {
	return &http.Transport{
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
}

// benchServer is the trivial handler both clients call: it drains the request and answers the
// fixed success envelope. It does not verify (TestBenchClientsAreCorrect does).
func benchServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	answer := []byte(successAnswer)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// processCPU is the user+system CPU time the process has used so far.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs ops, which performs b.N operations, with allocations reported and the
// process CPU time per operation reported as cpu-ns/op.
func measure(b *testing.B, ops func()) {
	b.ReportAllocs()
	start := processCPU(b)
	ops()
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}

// serial runs op b.N times on the benchmark goroutine.
func serial(op func() error) func(*testing.B) {
	return func(b *testing.B) {
		measure(b, func() {
			for i := 0; i < b.N; i++ {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// parallel runs op b.N times from GOMAXPROCS goroutines (b.RunParallel).
func parallel(op func() error) func(*testing.B) {
	return func(b *testing.B) {
		measure(b, func() {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// paired runs sdk and baseline alternately, b.N operations each, on the benchmark goroutine
// (serial) or from GOMAXPROCS goroutines (parallel), timing every operation, and reports each
// side's mean as sdk-ns/op and baseline-ns/op and their ratio as sdk/baseline. The separate
// sdk and baseline benchmarks run one after the other, and the load of a shared machine
// changes between them; here both sides meet the same load, operation by operation, so the
// ratio keeps only what differs between them. Which side goes first alternates too.
func paired(parallelOps bool, sdk, baseline func() error) func(*testing.B) {
	return func(b *testing.B) {
		var (
			mu              sync.Mutex
			sdkNs, baseNs   time.Duration
			sdkOps, baseOps int
		)
		worker := func(next func() bool) error {
			var s, bl time.Duration
			var ns, nb int
			defer func() {
				mu.Lock()
				sdkNs, baseNs, sdkOps, baseOps = sdkNs+s, baseNs+bl, sdkOps+ns, baseOps+nb
				mu.Unlock()
			}()
			for i := 0; next(); i++ {
				first, second, d1, d2, n1, n2 := sdk, baseline, &s, &bl, &ns, &nb
				if i%2 == 1 {
					first, second, d1, d2, n1, n2 = baseline, sdk, &bl, &s, &nb, &ns
				}
				t0 := time.Now()
				if err := first(); err != nil {
					return err
				}
				t1 := time.Now()
				if err := second(); err != nil {
					return err
				}
				*d1 += t1.Sub(t0)
				*d2 += time.Since(t1)
				*n1++
				*n2++
			}
			return nil
		}
		measure(b, func() {
			if parallelOps {
				b.RunParallel(func(pb *testing.PB) {
					if err := worker(pb.Next); err != nil {
						b.Error(err)
					}
				})
				return
			}
			i := 0
			if err := worker(func() bool { i++; return i <= b.N }); err != nil {
				b.Fatal(err)
			}
		})
		if sdkOps > 0 && baseOps > 0 {
			sdkMean := float64(sdkNs) / float64(sdkOps)
			baseMean := float64(baseNs) / float64(baseOps)
			b.ReportMetric(sdkMean, "sdk-ns/op")
			b.ReportMetric(baseMean, "baseline-ns/op")
			b.ReportMetric(sdkMean/baseMean, "sdk/baseline")
		}
	}
}

// speedup measures the parallel speed-up of each named operation (sdk and baseline, or the
// machine references). It alternates slices: k operations of the first on one goroutine, then
// k shared by GOMAXPROCS goroutines, then the same for the next, until b.N operations have run
// each way for each; k starts at 4 operations per goroutine and doubles until a serial slice
// takes at least 10 ms (with one operation per goroutine, the slower of the two decided the
// parallel time alone). It reports, for each, the median over its slices of serial time ÷
// parallel time, as <name>-speed-up.
//
// The separate serial and parallel benchmarks run seconds apart, and on a shared VM the
// second core comes and goes: their ratio said as much about that as about the code. Slices a
// few milliseconds apart meet the same machine, the median keeps the typical slice, and the
// baseline, measured in the same stretch of time, shows what the machine gave. A lock on the
// hot path would lower every slice of one side.
func speedup(names []string, ops ...func() error) func(*testing.B) {
	return func(b *testing.B) {
		procs := runtime.GOMAXPROCS(0)
		// slice runs k operations of op serially, then k from procs goroutines, and returns
		// the serial time and the ratio.
		slice := func(op func() error, k int) (time.Duration, float64) {
			t0 := time.Now()
			for i := 0; i < k; i++ {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
			serialNs := time.Since(t0)
			var (
				next atomic.Int64
				wg   sync.WaitGroup
				errs = make(chan error, procs)
			)
			t1 := time.Now()
			for g := 0; g < procs; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(k) {
						if err := op(); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			parallelNs := time.Since(t1)
			select {
			case err := <-errs:
				b.Fatal(err)
			default:
			}
			return serialNs, float64(serialNs) / float64(parallelNs)
		}
		k := 4 * procs
		ratios := make([][]float64, len(ops))
		for done := 0; done < b.N; {
			k = min(k, b.N-done)
			var firstNs time.Duration
			for i, op := range ops {
				serialNs, r := slice(op, k)
				ratios[i] = append(ratios[i], r)
				if i == 0 {
					firstNs = serialNs
				}
			}
			done += k
			if firstNs < 10*time.Millisecond {
				k *= 2
			}
		}
		for i, r := range ratios {
			slices.Sort(r)
			b.ReportMetric(r[len(r)/2], names[i]+"-speed-up")
		}
	}
}

// BenchmarkSpeedupReference measures what this machine gives to work that scales perfectly
// in principle, with the same speedup slices: "cpu" is SHA-256 over 64 KiB (no allocation),
// "alloc" is the same plus 120 allocations of 540 bytes, the allocation profile of one
// RSA-4096 verification (121 allocations, 65 KB). scripts/bench prints both beside the
// speed-ups of the SDK and the baseline.
func BenchmarkSpeedupReference(b *testing.B) {
	buf := make([]byte, 64<<10)
	cpu := func() error {
		sum := sha256.Sum256(buf)
		if sum[0] == 0 && sum[1] == 0 && sum[2] == 0 && sum[3] == 0 {
			return errors.New("unlikely hash") // keeps the hash from being optimised away
		}
		return nil
	}
	alloc := func() error {
		for i := 0; i < 120; i++ {
			escape(make([]byte, 540))
		}
		return cpu()
	}
	b.Run("speedup", speedup([]string{"cpu", "alloc"}, cpu, alloc))
}

// escape is called through a variable so that the compiler cannot see that it keeps nothing:
// what is passed to it is allocated on the heap.
var escape = func([]byte) {}

// sideBySide runs every sub-benchmark of one comparison:
//
//	serial/sdk, serial/baseline       each implementation on its own, on one goroutine
//	serial/paired                     both interleaved (sdk-ns/op, baseline-ns/op, sdk/baseline)
//	serial/noise                      baseline against a second baseline, interleaved: the
//	                                  ratio a perfect SDK would get, the resolution of paired
//	parallel/sdk, parallel/baseline   the same from GOMAXPROCS goroutines (b.RunParallel)
//	parallel/paired
//	speedup                           serial and parallel slices alternated, sdk and baseline
//	                                  alternated too (sdk-speed-up, baseline-speed-up)
//
// baseline2 is a second, independent instance of the baseline (its own connections).
func sideBySide(b *testing.B, sdk, baseline, baseline2 func() error) {
	b.Run("serial", func(b *testing.B) {
		b.Run("sdk", serial(sdk))
		b.Run("baseline", serial(baseline))
		b.Run("paired", paired(false, sdk, baseline))
		b.Run("noise", paired(false, baseline2, baseline))
	})
	b.Run("parallel", func(b *testing.B) {
		b.Run("sdk", parallel(sdk))
		b.Run("baseline", parallel(baseline))
		b.Run("paired", paired(true, sdk, baseline))
	})
	b.Run("speedup", speedup([]string{"sdk", "baseline"}, sdk, baseline))
}

func sdkClient(tb testing.TB, baseURL string, merchant crypto.Signer, platform *rsa.PublicKey) *paycools.Client {
	tb.Helper()
	c, err := paycools.NewClient(benchAppID, merchant,
		paycools.WithBaseURL(baseURL),
		paycools.WithHTTPClient(&http.Client{Transport: newTransport()}),
		paycools.WithPlatformPublicKey(platform),
	)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// sdkParams is the request of both clients: the 10.1 documentation example.
func sdkParams() *paycools.DirectDebitAuthorizationLinkCreateParams {
	return &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID:    "Joey0ub5yxzecu4c866ub100",
		UserID:       "u0009",
		ChannelCode:  paycools.DirectDebitChannelCodeGCash,
		CountryCode:  paycools.CountryPH,
		NotifyURL:    "https://webhook.site/b89c5e5f-3056-438f-8329-b39ff5a181de",
		RedirectURL:  "https://kademo.intlalipay.cn/melitigo/Test_113.html",
		TerminalType: paycools.TerminalTypeWAP,
		OsType:       paycools.OSTypeAndroid,
	}
}

func sdkCall(ctx context.Context, c *paycools.Client) error {
	res, err := c.DirectDebit.CreateAuthorizationLink(ctx, sdkParams())
	if err != nil {
		return err
	}
	if res.AuthURL == "" {
		return errors.New("sdk: empty authUrl")
	}
	return nil
}

// The baseline: the shortest correct hand-written PayCools client (docs/envelope.md §2-§4, §7).

type baseParams struct {
	RequestID    string `json:"requestId"`
	UserID       string `json:"userId"`
	ChannelCode  string `json:"channelCode"`
	CountryCode  string `json:"countryCode"`
	NotifyURL    string `json:"notifyUrl"`
	RedirectURL  string `json:"redirectUrl"`
	TerminalType string `json:"terminalType"`
	OsType       string `json:"osType"`
	Timestamp    int64  `json:"timestamp"`
}

type baseEnvelope struct {
	AppID string `json:"appId"`
	Param string `json:"param"`
	Sign  string `json:"sign"`
}

type baseAuthLink struct {
	UserID      string `json:"userId"`
	RequestID   string `json:"requestId"`
	ChannelCode string `json:"channelCode"`
	AuthURL     string `json:"authUrl"`
}

type baseAnswer struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Data    baseAuthLink `json:"data"`
}

type baseClient struct {
	url    string
	signer crypto.Signer // an *rsa.PrivateKey: Sign with crypto.SHA256 is rsa.SignPKCS1v15
	http   *http.Client
}

func newBaseClient(baseURL string, signer crypto.Signer) *baseClient {
	return &baseClient{
		url:    baseURL + "/open-api/direct/debit/token/apply",
		signer: signer,
		http:   &http.Client{Transport: newTransport()},
	}
}

func baseRequest() baseParams {
	return baseParams{
		RequestID:    "Joey0ub5yxzecu4c866ub100",
		UserID:       "u0009",
		ChannelCode:  "PH_GCASH_DIRECT_DEBIT",
		CountryCode:  "PH",
		NotifyURL:    "https://webhook.site/b89c5e5f-3056-438f-8329-b39ff5a181de",
		RedirectURL:  "https://kademo.intlalipay.cn/melitigo/Test_113.html",
		TerminalType: "WAP",
		OsType:       "ANDROID",
	}
}

func (bc *baseClient) call(ctx context.Context, p baseParams) (*baseAuthLink, error) {
	p.Timestamp = time.Now().UnixMilli()
	param, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(param)
	sig, err := bc.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(baseEnvelope{AppID: benchAppID, Param: string(param), Sign: base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, bc.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := bc.http.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body) // read to EOF so the connection goes back to the pool
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var a baseAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("HTTP %d: not an envelope: %w", resp.StatusCode, err)
	}
	if a.Code != 10000 {
		return nil, fmt.Errorf("PayCools %d: %s", a.Code, a.Message)
	}
	return &a.Data, nil
}

func baseCall(ctx context.Context, bc *baseClient) error {
	res, err := bc.call(ctx, baseRequest())
	if err != nil {
		return err
	}
	if res.AuthURL == "" {
		return errors.New("baseline: empty authUrl")
	}
	return nil
}

// BenchmarkCall compares one signed call (DirectDebit.CreateAuthorizationLink) through the SDK
// with the hand-written baseline, serially and from GOMAXPROCS goroutines, with each key size,
// and once more as "overhead": both clients then sign with constSigner (a fixed signature,
// the server does not verify), so that only what is not RSA remains and the time the SDK adds
// stands out against a total of tens of microseconds instead of milliseconds. scripts/bench
// divides that difference by the baseline's real signed call.
func BenchmarkCall(b *testing.B) {
	cases := append(benchKeys, benchKey{"overhead", "test_merchant_2048_pkcs8.pem", "test_platform_2048_pkcs1.pem"})
	for _, k := range cases {
		b.Run(k.name, func(b *testing.B) {
			key := loadKey(b, k.merchant)
			var signer crypto.Signer = key
			if k.name == "overhead" {
				signer = constSigner{&key.PublicKey}
			}
			srv := benchServer(b)
			ctx := context.Background()
			sdk := sdkClient(b, srv.URL, signer, &loadKey(b, k.platform).PublicKey)
			base, base2 := newBaseClient(srv.URL, signer), newBaseClient(srv.URL, signer)
			sideBySide(b,
				func() error { return sdkCall(ctx, sdk) },
				func() error { return baseCall(ctx, base) },
				func() error { return baseCall(ctx, base2) })
		})
	}
}

// notificationParam is a payment.verification callback (doc 4.6), an event the SDK decodes
// into a typed struct.
const notificationParam = `{"eventName":"payment.verification","mchOrderId":"MCH20240912190719001","channelCode":"PH_BDO","referenceNumber":"1234567890123","amount":50010,"mobile":"09171234567","createTime":"2024-09-12 19:07:19"}`

// signedNotification is the callback body PayCools would POST, signed with platform.
func signedNotification(tb testing.TB, platform *rsa.PrivateKey) []byte {
	tb.Helper()
	sum := sha256.Sum256([]byte(notificationParam))
	sig, err := rsa.SignPKCS1v15(rand.Reader, platform, crypto.SHA256, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	body, err := json.Marshal(map[string]string{"param": notificationParam, "sign": base64.StdEncoding.EncodeToString(sig), "appId": benchAppID})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

type baseNotification struct {
	Param string `json:"param"`
	Sign  string `json:"sign"`
}

type baseVerification struct {
	EventName       string `json:"eventName"`
	MchOrderID      string `json:"mchOrderId"`
	ChannelCode     string `json:"channelCode"`
	ReferenceNumber string `json:"referenceNumber"`
	Amount          int64  `json:"amount"`
	Mobile          string `json:"mobile"`
	CreateTime      string `json:"createTime"`
}

// baseParseNotification is the shortest correct hand-written callback check (docs/envelope.md §9).
func baseParseNotification(pub *rsa.PublicKey, body []byte) (*baseVerification, error) {
	var n baseNotification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(n.Sign)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(n.Param))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return nil, err
	}
	var v baseVerification
	if err := json.Unmarshal([]byte(n.Param), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func sdkNotification(c *paycools.Client, body []byte) error {
	n, err := c.ParseNotification(body)
	if err != nil {
		return err
	}
	if v, ok := n.Event.(*paycools.RepaymentVerification); !ok || v.Amount != 50010 {
		return errors.New("sdk: event not decoded")
	}
	return nil
}

func baseNotificationCheck(pub *rsa.PublicKey, body []byte) error {
	v, err := baseParseNotification(pub, body)
	if err != nil {
		return err
	}
	if v.Amount != 50010 {
		return errors.New("baseline: event not decoded")
	}
	return nil
}

// BenchmarkNotification compares verifying and decoding one callback body through
// Client.ParseNotification with the baseline (rsa.VerifyPKCS1v15 + json.Unmarshal).
func BenchmarkNotification(b *testing.B) {
	for _, k := range benchKeys {
		b.Run(k.name, func(b *testing.B) {
			platform := loadKey(b, k.platform)
			pub := &platform.PublicKey
			body := signedNotification(b, platform)
			c := sdkClient(b, "http://127.0.0.1:1", loadKey(b, k.merchant), pub)
			check := func() error { return baseNotificationCheck(pub, body) }
			sideBySide(b, func() error { return sdkNotification(c, body) }, check, check)
		})
	}
}

// TestBenchClientsAreCorrect keeps the comparison honest: against a server that checks what
// it receives, the SDK and the baseline send the same appId and param fields, both signatures
// verify with the merchant public key over the exact param bytes, and both parse a real
// callback and refuse a tampered one.
func TestBenchClientsAreCorrect(t *testing.T) {
	for _, k := range benchKeys {
		t.Run(k.name, func(t *testing.T) {
			key := loadKey(t, k.merchant)
			platform := loadKey(t, k.platform)
			var (
				mu  sync.Mutex
				got []map[string]any
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var env baseEnvelope
				if err := json.NewDecoder(r.Body).Decode(&env); err != nil {
					t.Errorf("body is not an envelope: %v", err)
				}
				if env.AppID != benchAppID {
					t.Errorf("appId %q", env.AppID)
				}
				if err := paycools.VerifyParam(&key.PublicKey, []byte(env.Param), env.Sign); err != nil {
					t.Errorf("sign does not verify: %v", err)
				}
				var p map[string]any
				if err := json.Unmarshal([]byte(env.Param), &p); err != nil {
					t.Errorf("param: %v", err)
				}
				delete(p, "timestamp")
				mu.Lock()
				got = append(got, p)
				mu.Unlock()
				_, _ = io.WriteString(w, successAnswer)
			}))
			defer srv.Close()
			ctx := context.Background()
			if err := sdkCall(ctx, sdkClient(t, srv.URL, key, &platform.PublicKey)); err != nil {
				t.Fatal(err)
			}
			if err := baseCall(ctx, newBaseClient(srv.URL, key)); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 2 || fmt.Sprint(got[0]) != fmt.Sprint(got[1]) {
				t.Fatalf("the two clients sent different params: %v", got)
			}

			body := signedNotification(t, platform)
			c := sdkClient(t, srv.URL, key, &platform.PublicKey)
			if err := sdkNotification(c, body); err != nil {
				t.Fatal(err)
			}
			if err := baseNotificationCheck(&platform.PublicKey, body); err != nil {
				t.Fatal(err)
			}
			tampered := bytes.Replace(body, []byte("50010"), []byte("50011"), 1)
			if _, err := c.ParseNotification(tampered); err == nil {
				t.Error("sdk accepted a tampered callback")
			}
			if _, err := baseParseNotification(&platform.PublicKey, tampered); err == nil || !strings.Contains(err.Error(), "verification") {
				t.Errorf("baseline accepted a tampered callback: %v", err)
			}
		})
	}
}
