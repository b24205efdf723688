// Example checkout sells through PayCools' hosted checkout page: Checkout.Create returns the
// CheckoutURL to send the payer to, checkout.payment.success arrives on a NotificationHandler
// (compare Amount and Currency with your order before fulfilling), Checkout.Wait is the
// fallback, and Checkout.Close retires an order the payer abandoned so it can no longer be paid.
// On the PH host checkout is the one family on /api/v2/checkout, in the envelope form.
//
//	go run ./examples/checkout -dialect ph
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
		fmt.Fprintln(os.Stderr, "checkout:", err)
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
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.CheckoutNotification); ok {
			fmt.Fprintf(out, "callback: %s %s PHP %s via %s [%s]\n", ev.EventName, ev.MchOrderID, ev.Amount, ev.ChannelCode, n.Form)
		}
		return nil
	}))
	defer notify.Close()

	order := func(id string) (*paycools.CheckoutOrder, error) {
		return c.Checkout.Create(ctx, &paycools.CheckoutCreateParams{
			MchOrderID: id, Amount: 129900, CountryCode: paycools.CountryPH,
			Currency: paycools.CurrencyPHP, SettlementCurrency: paycools.CurrencyPHP,
			CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567",
			ExpireSeconds: 1800, NotifyURL: notify.URL, RedirectURL: "https://shop.example.com/orders/" + id,
		})
	}
	co, err := order("CART77")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created:  %s %s, send the payer to %s\n", co.MchOrderID, co.TransactionStatus, co.CheckoutURL)
	if _, err := gw.PayCheckout("CART77"); err != nil { // the payer pays on the page
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	final, err := c.Checkout.Wait(wctx, &paycools.CheckoutGetParams{MchOrderID: "CART77", CheckoutID: co.CheckoutID})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "final:    %s %s PHP %s\n", final.MchOrderID, final.TransactionStatus, final.Amount)

	abandoned, err := order("CART78") // this payer never pays
	if err != nil {
		return err
	}
	if _, err := c.Checkout.Close(ctx, &paycools.CheckoutCloseParams{MchOrderID: "CART78", CheckoutID: abandoned.CheckoutID}); err != nil {
		return err
	}
	closed, err := c.Checkout.Get(ctx, &paycools.CheckoutGetParams{MchOrderID: "CART78"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "closed:   %s %s (final: %v)\n", closed.MchOrderID, closed.TransactionStatus, closed.TransactionStatus.Final())
	return nil
}
