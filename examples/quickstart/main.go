// Command quickstart is a guided tour of paycools-go: every product family, end to end.
//
//	go run ./examples/quickstart
//
// For each family it creates something (a payout, a virtual account, a QR code, ...), has the
// fake gateway play the payer, bank or wallet so that the outcome happens, receives the
// callback on its own NotificationHandler (a loopback HTTP server whose URL is the notifyUrl),
// which verifies it with the platform public key, then queries the status and, where the
// family has one, Waits for the final state. One line is printed per step. Last, a payout's
// callback is lost while the callback URL is down, and Client.Sync delivers it to the same
// function, once (embedded gateway only).
//
// By default it runs against an embedded fake gateway (package paycoolstest): no account, no
// network, no money. With PAYCOOLS_APP_ID, PAYCOOLS_PRIVATE_KEY, PAYCOOLS_PLATFORM_PUBLIC_KEY and
// PAYCOOLS_BASE_URL set, it runs against that host instead: nothing can be driven there, so
// those steps say so and are skipped, and every wait is bounded (PAYCOOLS_WAIT, default 15s).
// Production hosts are refused: the tour creates payouts.
//
// Optional, against a real host: PAYCOOLS_NOTIFY_URL, a public URL that forwards to
// PAYCOOLS_NOTIFY_ADDR (default 127.0.0.1:0), where the tour listens for callbacks;
// PAYCOOLS_EKYC_CHANNEL, the eKYC channel code PayCools gave you.
//
// -dialect ph (or PAYCOOLS_DIALECT=ph) runs the tour in the PH host's dialect: flat k=v-signed
// requests and flat SHA-1 callbacks, on the embedded gateway or on a PH host.
//
// It exits 0 when every step succeeded, 1 with the failing step otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func main() {
	dialect := flag.String("dialect", "", "wire dialect: open-api or ph (default: PAYCOOLS_DIALECT, else from the host)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := os.Getenv
	if *dialect != "" {
		env = func(k string) string {
			if k == "PAYCOOLS_DIALECT" {
				return *dialect
			}
			return os.Getenv(k)
		}
	}
	if err := run(ctx, os.Stdout, env); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}
}

// Environment variables that switch the tour to a real PayCools host.
var hostVars = []string{"PAYCOOLS_APP_ID", "PAYCOOLS_PRIVATE_KEY", "PAYCOOLS_PLATFORM_PUBLIC_KEY", "PAYCOOLS_BASE_URL"}

// run runs the whole tour, writing one line per step to stdout. env reads the environment
// (os.Getenv in main; a map in tests).
func run(ctx context.Context, stdout io.Writer, env func(string) string) error {
	t := &tour{
		out:       stdout,
		events:    make(chan *paycools.Notification, 64),
		questions: make(chan verification, 8),
		due:       map[string]paycools.Amount{},
		runID:     strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36)),
		ekycChan:  "EXAMPLE_EKYC_CHANNEL", // no public eKYC channel code exists; the fake takes any
	}
	fmt.Fprintln(stdout, "paycools-go quickstart: a tour of every product family")

	var set, missing []string
	for _, v := range hostVars {
		if env(v) != "" {
			set = append(set, v)
		} else {
			missing = append(missing, v)
		}
	}
	notifyAddr := "127.0.0.1:0"
	switch {
	case len(set) == 0:
		d := paycools.DialectOpenAPI
		if v := env("PAYCOOLS_DIALECT"); v != "" {
			var err error
			if d, err = paycools.ParseDialect(v); err != nil {
				return err
			}
		}
		gw := paycoolstest.NewServer(paycoolstest.WithDialect(d))
		defer gw.Close()
		t.gw = gw
		// Small poll intervals: the fake gateway settles at once, so the waits end fast.
		// A ledger, so that Sync can deliver the callbacks that never came (missedCallback).
		t.c = gw.Client(paycools.WithPollInterval(5*time.Millisecond, 50*time.Millisecond),
			paycools.WithLedger(paycools.NewMemoryLedger()), paycools.WithSyncAfter(0))
		t.waitFor = 5 * time.Second
		t.line("gateway", "embedded", "fake PayCools gateway (paycoolstest) at %s, %s dialect", gw.URL(), gw.Dialect())
	case len(missing) > 0:
		return fmt.Errorf("%s set but %s missing: set all four to run against a PayCools host, or none for the embedded gateway",
			strings.Join(set, ", "), strings.Join(missing, ", "))
	default:
		c, err := hostClient(env)
		if err != nil {
			return err
		}
		t.c = c
		t.waitFor = 15 * time.Second
		if w := env("PAYCOOLS_WAIT"); w != "" {
			d, err := time.ParseDuration(w)
			if err != nil || d <= 0 {
				return fmt.Errorf("PAYCOOLS_WAIT=%q: want a positive duration such as 30s", w)
			}
			t.waitFor = d
		}
		if a := env("PAYCOOLS_NOTIFY_ADDR"); a != "" {
			notifyAddr = a
		}
		if ch := env("PAYCOOLS_EKYC_CHANNEL"); ch != "" {
			t.ekycChan = ch
		}
		t.line("gateway", "host", "%s (appId %s): outcomes are not driven here; waits end after %s",
			c.BaseURL(), c.AppID(), t.waitFor)
	}

	// The merchant's side: one handler for every callback, one for the repayment verification
	// question of static virtual accounts. Both verify the platform signature first.
	mux := http.NewServeMux()
	mux.Handle("/paycools/notify", t.c.NotificationHandler(t.onNotification))
	mux.Handle("/paycools/verify", t.c.RepaymentVerificationHandler(t.onVerification))
	l, err := net.Listen("tcp", notifyAddr)
	if err != nil {
		return fmt.Errorf("listen for callbacks: %w", err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(l) }()
	defer hs.Close()
	base := "http://" + l.Addr().String()
	if u := env("PAYCOOLS_NOTIFY_URL"); u != "" && t.gw == nil {
		base = strings.TrimRight(u, "/")
	}
	t.notifyURL = base + "/paycools/notify"
	if t.gw != nil {
		// Where PayCools sends callbacks of objects without a notifyUrl (payouts, bank-transfer
		// accounts) is a dashboard setting; on the fake gateway it is SetCallbackURL.
		t.gw.SetCallbackURL(t.notifyURL)
		t.gw.SetRepaymentVerificationURL(base + "/paycools/verify")
	}
	t.line("merchant", "listens", "callbacks at %s", t.notifyURL)
	if t.gw == nil && env("PAYCOOLS_NOTIFY_URL") == "" {
		t.line("merchant", "note", "PayCools cannot reach a loopback URL: set PAYCOOLS_NOTIFY_URL to receive its callbacks")
	}
	fmt.Fprintln(stdout)

	families := []struct {
		name string
		fn   func(context.Context) error
	}{
		{famAccount, t.accountBefore},
		{famPayouts, t.payouts},
		{famBills, t.billsPayment},
		{famQR, t.qrCodes},
		{famBank, t.bankTransfers},
		{famWeb, t.webPayments},
		{famRefunds, t.refunds},
		{famCheckout, t.checkout},
		{famDirectDebit, t.directDebit},
		{famEKYC, t.ekyc},
		{famAccount, t.accountAfter},
	}
	for _, f := range families {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := f.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err := t.missedCallback(ctx); err != nil {
		return fmt.Errorf("%s: %w", famMissed, err)
	}
	if t.gw == nil {
		t.drainCallbacks()
	}
	fmt.Fprintf(stdout, "\ntour complete: %d families, %d verified callbacks\n", len(families)-1, t.verified)
	return nil
}

// hostClient builds the client for a real PayCools host from the environment. Keys may be PEM
// or the bare base64 the dashboard shows.
func hostClient(env func(string) string) (*paycools.Client, error) {
	base := strings.TrimRight(env("PAYCOOLS_BASE_URL"), "/")
	if base == paycools.BaseURLProduction || base == paycools.BaseURLPhilippinesProduction {
		return nil, errors.New("PAYCOOLS_BASE_URL is a production host: the tour creates payouts and charges, run it against a test host")
	}
	key, err := paycools.ParsePrivateKey([]byte(env("PAYCOOLS_PRIVATE_KEY")))
	if err != nil {
		return nil, fmt.Errorf("PAYCOOLS_PRIVATE_KEY: %w", err)
	}
	platform, err := paycools.ParsePublicKey([]byte(env("PAYCOOLS_PLATFORM_PUBLIC_KEY")))
	if err != nil {
		return nil, fmt.Errorf("PAYCOOLS_PLATFORM_PUBLIC_KEY: %w", err)
	}
	opts := []paycools.Option{
		paycools.WithBaseURL(base),
		paycools.WithPlatformPublicKey(platform),
		paycools.WithPollInterval(time.Second, 5*time.Second),
	}
	if v := env("PAYCOOLS_DIALECT"); v != "" {
		d, err := paycools.ParseDialect(v)
		if err != nil {
			return nil, err
		}
		opts = append(opts, paycools.WithDialect(d))
	}
	if v := env("PAYCOOLS_CALLBACK_SECRET"); v != "" {
		opts = append(opts, paycools.WithCallbackSecret(v))
	}
	if v := env("PAYCOOLS_APP_NAME"); v != "" {
		opts = append(opts, paycools.WithAppName(v))
	}
	return paycools.NewClient(env("PAYCOOLS_APP_ID"), key, opts...)
}
