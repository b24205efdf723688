// Example webpayment takes a payment on PayCools' hosted page: WebPayments.Channels picks an
// e-wallet channel, WebPayments.Create returns the link to send the payer to (PaymentURL), the
// h5.payment.success callback arrives on a NotificationHandler, and WebPayments.Wait is the
// fallback for a callback that never comes. Fulfil the order on the final status only.
//
//	go run ./examples/webpayment -dialect ph
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
		fmt.Fprintln(os.Stderr, "webpayment:", err)
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
		if ev, ok := n.Event.(*paycools.WebPaymentNotification); ok {
			fmt.Fprintf(out, "callback: %s %s PHP %s %s [%s]\n", ev.EventName, ev.MchOrderID, ev.Amount, ev.TransactionStatus, n.Form)
		}
		return nil
	}))
	defer notify.Close()

	chans, err := c.WebPayments.Channels(ctx, &paycools.WebPaymentChannelsParams{CountryCode: paycools.CountryPH})
	if err != nil {
		return err
	}
	channel := paycools.WebPaymentChannelCodeGCashURL
	for _, ch := range chans.List {
		if ch.ChannelType == paycools.WebPaymentChannelTypeEWallet {
			channel = ch.ChannelCode
			break
		}
	}
	wp, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
		MchOrderID: "ORDER1001", Amount: 49900, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: channel, TerminalType: paycools.TerminalTypeWeb,
		CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567",
		NotifyURL: notify.URL, RedirectURL: "https://shop.example.com/orders/1001",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created:  %s on %s, send the payer to %s\n", wp.TransactionStatus, channel, wp.PaymentURL())

	if _, err := gw.CompleteWebPayment("ORDER1001"); err != nil { // the payer pays in the wallet
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second) // the link lives 1 hour in production
	defer cancel()
	// The PH host looks a payment up by TransactionID only; the open-api host takes either.
	final, err := c.WebPayments.Wait(wctx, &paycools.WebPaymentGetParams{TransactionID: wp.TransactionID, CountryCode: paycools.CountryPH})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "final:    %s PHP %s (%s)\n", final.TransactionStatus, final.Amount, final.TransactionID)
	return nil
}
