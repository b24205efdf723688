// Example payout sends money to a GCash wallet: Payouts.Create, the disbursement callback on a
// NotificationHandler (payouts report to the dashboard callback URL, not a notifyUrl), and
// Payouts.Wait as the fallback when no callback comes. It also shows why a payout is never
// sent twice: when the answer to Create is lost, Create itself looks the payout up by
// MchOrderID instead of failing or resending blindly.
//
//	go run ./examples/payout -dialect ph
//
// It runs on an embedded fake gateway (package paycoolstest), by default in the PH dialect of
// the Philippine host: flat k=v-signed requests (with your appName where the host asks for it),
// callbacks signed with SHA-1 and your callback secret. -dialect open-api (or
// PAYCOOLS_DIALECT=open-api) switches both sides to the open-api dialect. Each callback line
// ends with the form it came in ([flat-sha1] or [envelope]).
//
// gw.Client() stands for the client you build for your host: paycools.NewClient(appID, key,
// paycools.WithBaseURL(host), paycools.WithAppName(name), paycools.WithCallbackSecret(secret),
// paycools.WithPlatformPublicKey(pub)).
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func main() {
	dialect := flag.String("dialect", os.Getenv("PAYCOOLS_DIALECT"), "wire dialect: ph (the default) or open-api; also PAYCOOLS_DIALECT")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *dialect); err != nil {
		fmt.Fprintln(os.Stderr, "payout:", err)
		os.Exit(1)
	}
}

// run runs the example on a fake gateway speaking dialect ("" is ph), one line per step on out.
func run(ctx context.Context, out io.Writer, dialect string) error {
	d, err := paycools.ParseDialect(cmp.Or(dialect, "ph"))
	if err != nil {
		return err
	}
	gw := paycoolstest.NewServer(paycoolstest.WithDialect(d))
	defer gw.Close()
	fmt.Fprintf(out, "gateway:  embedded fake PayCools gateway, %s dialect\n", gw.Dialect())
	c := gw.Client(paycools.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))

	// The payout callback endpoint. fn runs only after the signature verified.
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.PayoutNotification); ok {
			fmt.Fprintf(out, "callback: %s %s PHP %s %s [%s]\n", ev.EventName, ev.MchOrderID, ev.Amount, ev.TransactionStatus, n.Form)
		}
		return nil // 200: PayCools stops delivering
	}))
	defer notify.Close()
	gw.SetCallbackURL(notify.URL) // in production: the dashboard's payout callback URL

	// The connection drops after PayCools created the payout: the answer is lost.
	gw.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
	p, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{
		MchOrderID:    "PO20240719000123", // unique per payout; IdempotencyID defaults to it
		Amount:        50010,              // centavos: PHP 500.10
		PayMethodCode: paycools.PayMethodEWallet,
		TransferCode:  "GCASH",
		AccountNo:     "09171234567", // the wallet's mobile number
		AccountName:   "Juan Dela Cruz",
	})
	if err != nil {
		return err // paycools.IsOutcomeUnknown(err): check with Payouts.Get before resending
	}
	fmt.Fprintf(out, "created:  %s %s (answer lost, found again by MchOrderID)\n", p.TransactionID, p.TransactionStatus)

	if _, err := gw.CompletePayout(p.MchOrderID); err != nil { // the wallet is credited
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	final, err := c.Payouts.Wait(wctx, &paycools.PayoutGetParams{MchOrderID: p.MchOrderID})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "final:    %s PHP %s, balance now PHP %s\n", final.TransactionStatus, final.Amount, gw.Balance())
	return nil
}
