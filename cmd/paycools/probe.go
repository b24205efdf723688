package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// runProbe implements "paycools probe": with a merchant's real credentials on a test host it
// tries harmless read-only calls in every candidate dialect and envelope-signing variant, says
// for each what the host answered and whether the signature was accepted, and prints the Go
// options to use (docs/dialects.md §13). It never sends a money-moving call.
func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("probe", "-base-url URL -app-id ID -key FILE [-platform-key FILE] [-timeout 10s]", `
Find out which wire dialect and envelope signing a PayCools host accepts, with your test
credentials. It sends only read-only calls (balance, checkout channels, and queries for an
order id that cannot exist) in the open-api and PH dialects and, for the envelope calls, in
both signing variants; it never creates, pays, refunds or cancels anything. Each line shows
what the host answered (no key, secret or sign is printed, the appId only by its last four
characters), so the output can go into a bug report. It ends with the options to paste.

Flags default to PAYCOOLS_BASE_URL, PAYCOOLS_APP_ID and PAYCOOLS_PRIVATE_KEY_FILE (or the key
itself in PAYCOOLS_PRIVATE_KEY). Exit status: 0 when some variant was accepted, 1 when none
was, 2 for a usage error.`, stderr)
	cr := credentialFlags(fset, "the PayCools test host, e.g. https://api-uat.paycools.com")
	platformFile := fset.String("platform-key", os.Getenv("PAYCOOLS_PLATFORM_PUBLIC_KEY_FILE"), "the PayCools platform public key file (optional: checked to parse, for the callback setup; no call needs it)")
	timeout := fset.Duration("timeout", 10*time.Second, "time allowed for each request")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	key, status := cr.key(fset)
	if key == nil {
		return status
	}
	if *platformFile != "" {
		b, err := readFile(*platformFile)
		if err == nil {
			_, err = paycools.ParsePublicKey(b)
		}
		if err != nil {
			return usageError(fset, "-platform-key: %v", err)
		}
	}
	p := &prober{base: strings.TrimRight(*cr.baseURL, "/"), appID: *cr.appID, key: key, timeout: *timeout, out: stdout}
	return p.run(ctx)
}

// verdict is how one answer reads (docs/dialects.md §13, first match wins).
type verdict string

const (
	verdictRefused      verdict = "signature refused"
	verdictNoRoute      verdict = "no route"
	verdictInconclusive verdict = "inconclusive"
	verdictAccepted     verdict = "accepted"
	verdictUnreachable  verdict = "unreachable"
)

// probeCall is one read-only call of the probe.
type probeCall struct {
	op       paycools.Operation
	envelope bool // the operation is an envelope one in the dialect: it is tried in each signing variant
	do       func(ctx context.Context, c *paycools.Client) error
}

type prober struct {
	base    string
	appID   string
	key     *rsa.PrivateKey
	timeout time.Duration
	out     io.Writer
}

// probeOrderID is an order id that cannot exist: PROBE<unix ms><random>.
func probeOrderID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "PROBE" + strconv.FormatInt(time.Now().UnixMilli(), 10) + strings.ToUpper(hex.EncodeToString(b[:]))
}

// probeCalls are the only calls the probe makes: none of them moves money.
var probeCalls = []probeCall{
	{op: paycools.OpAccountBalance, do: func(ctx context.Context, c *paycools.Client) error {
		_, err := c.Account.Balance(ctx, &paycools.AccountBalanceParams{CountryCode: paycools.CountryPH})
		return err
	}},
	{op: paycools.OpPayoutGet, do: func(ctx context.Context, c *paycools.Client) error {
		_, err := c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: probeOrderID()})
		return err
	}},
	{op: paycools.OpCheckoutChannels, envelope: true, do: func(ctx context.Context, c *paycools.Client) error {
		_, err := c.Checkout.Channels(ctx, &paycools.CheckoutChannelsParams{CountryCode: paycools.CountryPH})
		return err
	}},
	{op: paycools.OpCheckoutGet, envelope: true, do: func(ctx context.Context, c *paycools.Client) error {
		_, err := c.Checkout.Get(ctx, &paycools.CheckoutGetParams{MchOrderID: probeOrderID()})
		return err
	}},
}

// probeResult is one request and how it read.
type probeResult struct {
	dialect paycools.Dialect
	signing paycools.EnvelopeSigning
	call    probeCall
	v       verdict
	hint    string
	// noAnswer is true when the call got no HTTP answer at all (refused, DNS, timeout).
	noAnswer bool
}

func (p *prober) run(ctx context.Context) int {
	fmt.Fprintf(p.out, "paycools probe: %s, appId …%s\n\n", p.base, last4(p.appID))
	var results []probeResult
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		for _, call := range probeCalls {
			variants := []paycools.EnvelopeSigning{0}
			if call.envelope {
				variants = []paycools.EnvelopeSigning{paycools.EnvelopeSignsParam, paycools.EnvelopeSignsAppIDAndParam}
			}
			for _, v := range variants {
				results = append(results, p.try(ctx, d, v, call))
			}
		}
	}
	return p.summary(results)
}

// try makes one call and prints its line.
func (p *prober) try(ctx context.Context, d paycools.Dialect, v paycools.EnvelopeSigning, call probeCall) probeResult {
	opts := []paycools.Option{paycools.WithBaseURL(p.base), paycools.WithDialect(d), paycools.WithRetries(0),
		paycools.WithResolveOutcome(false), paycools.WithHTTPClient(&http.Client{Timeout: p.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }})}
	if v != 0 {
		opts = append(opts, paycools.WithEnvelopeSigning(v))
	}
	// The code of the last answer, success codes included (an error carries only refusals).
	var lastCode atomic.Int64
	lastCode.Store(-1)
	opts = append(opts, paycools.WithAttemptObserver(func(_ context.Context, a paycools.Attempt) {
		if a.HTTPStatus != 0 {
			lastCode.Store(int64(a.Code))
		}
	}))
	c, err := paycools.NewClient(p.appID, p.key, opts...)
	res := probeResult{dialect: d, signing: v, call: call}
	if err != nil {
		res.v, res.hint = verdictUnreachable, err.Error()
		return res
	}
	method, path, _ := c.Endpoint(call.op)
	form := "flat"
	if call.envelope || d == paycools.DialectOpenAPI {
		form = "envelope"
	}
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	err = call.do(cctx, c)
	status, code, msg := 200, "-", "success"
	if n := lastCode.Load(); n >= 0 {
		code = strconv.FormatInt(n, 10)
	}
	var ae *paycools.APIError
	var he *paycools.HTTPError
	var te *paycools.TransportError
	switch {
	case err == nil:
		res.v = verdictAccepted
	case errors.As(err, &ae):
		// The host's own words, redacted as the SDK's error texts are: a host that echoes the
		// request would otherwise put the sign on every line.
		status, code, msg = ae.HTTPStatus, strconv.Itoa(ae.Code), paycools.Redact(ae.Message)
		res.v, res.hint = classifyCode(ae.Code, ae.Message)
	case errors.As(err, &he):
		status, code, msg = he.StatusCode, "-", "not a PayCools answer"
		res.v = verdictNoRoute
	case errors.As(err, &te):
		status, msg = 0, "no answer: "+shorten(paycools.Redact(te.Err.Error()), 60)
		res.v, res.noAnswer = verdictUnreachable, true
	default:
		status, msg = 0, shorten(paycools.Redact(err.Error()), 80)
		res.v = verdictUnreachable
	}
	signing := "-"
	if v != 0 {
		signing = v.String()
	}
	fmt.Fprintf(p.out, "%-8s %-11s %-24s %-4s %-40s %-8s http=%-3d code=%-5s %-18s %s\n",
		d, signing, call.op, method, path, form, status, code, res.v, shorten(msg, 60))
	return res
}

// classifyCode reads a PayCools refusal (docs/dialects.md §13 rules 1, 3, 4).
func classifyCode(code int, message string) (verdict, string) {
	switch {
	case code == 1003 || code == 21001 || strings.Contains(strings.ToLower(message), "sign"):
		return verdictRefused, ""
	case code == 1001 || code == 21003:
		return verdictInconclusive, "fix the appId first (the host checks it before the signature)"
	case code == 1002 || code == 21016:
		return verdictInconclusive, "have PayCools allow this machine's IP first (the host checks it before the signature)"
	}
	return verdictAccepted, ""
}

// summary judges the results side by side and prints the options to use.
func (p *prober) summary(results []probeResult) int {
	accepted := map[paycools.Dialect]int{}
	var hints []string
	for _, r := range results {
		if r.v == verdictAccepted {
			accepted[r.dialect]++
		}
		if r.hint != "" && !contains(hints, r.hint) {
			hints = append(hints, r.hint)
		}
	}
	fmt.Fprintln(p.out)
	for _, h := range hints {
		fmt.Fprintln(p.out, "inconclusive:", h)
	}
	if nothingAnswered(results) {
		fmt.Fprintf(p.out, "nothing answered at %s: every call failed before any HTTP answer came back (connection refused, DNS or timeout), so the appId and the key were not tested; check the base URL (-base-url or PAYCOOLS_BASE_URL), that the host is reachable from this machine (firewall, proxy, VPN) and -timeout\n", p.base)
		return exitFail
	}
	if accepted[paycools.DialectOpenAPI] == 0 && accepted[paycools.DialectPH] == 0 {
		fmt.Fprintln(p.out, "no variant was accepted: check the base URL, the appId and that the key is the one registered with PayCools (paycools doctor)")
		return exitFail
	}
	d := paycools.DialectOpenAPI
	if accepted[paycools.DialectPH] > accepted[paycools.DialectOpenAPI] {
		d = paycools.DialectPH
	}
	// The envelope variant of the winning dialect: accepted while its sibling is refused.
	state := map[paycools.EnvelopeSigning]verdict{}
	for _, r := range results {
		if r.dialect != d || r.signing == 0 {
			continue
		}
		if r.v == verdictAccepted {
			state[r.signing] = verdictAccepted
		} else if r.v == verdictRefused && state[r.signing] != verdictAccepted {
			state[r.signing] = verdictRefused
		}
	}
	signing := paycools.EnvelopeSignsParam
	if d == paycools.DialectPH {
		signing = paycools.EnvelopeSignsAppIDAndParam
	}
	note := "envelope signing: not settled (neither variant was accepted while the other was refused); the dialect's default is shown"
	for _, v := range []paycools.EnvelopeSigning{paycools.EnvelopeSignsParam, paycools.EnvelopeSignsAppIDAndParam} {
		other := paycools.EnvelopeSignsParam
		if v == paycools.EnvelopeSignsParam {
			other = paycools.EnvelopeSignsAppIDAndParam
		}
		if state[v] == verdictAccepted && state[other] == verdictRefused {
			signing, note = v, "envelope signing: "+v.String()+" accepted, "+other.String()+" refused"
		}
	}
	fmt.Fprintf(p.out, "dialect: %s (%d read-only call(s) accepted, %d in the other dialect)\n", d, accepted[d], accepted[otherDialect(d)])
	fmt.Fprintln(p.out, note)
	fmt.Fprintf(p.out, "\nuse: paycools.WithDialect(%#v), paycools.WithEnvelopeSigning(%#v)\n", d, signing)
	return exitOK
}

// nothingAnswered reports whether no call got any HTTP answer: the host was never reached, so
// nothing can be said of the appId, the key or the dialect.
func nothingAnswered(results []probeResult) bool {
	for _, r := range results {
		if !r.noAnswer {
			return false
		}
	}
	return len(results) > 0
}

func otherDialect(d paycools.Dialect) paycools.Dialect {
	if d == paycools.DialectPH {
		return paycools.DialectOpenAPI
	}
	return paycools.DialectPH
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// last4 is the last four characters of s.
func last4(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

// shorten cuts s to n characters, on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
