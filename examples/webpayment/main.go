// Example webpayment takes a payment on PayCools' hosted page: WebPayments.Channels picks an
// e-wallet channel, WebPayments.Create returns the link to send the payer to (PaymentURL), the
// h5.payment.success callback arrives on a NotificationHandler, and WebPayments.Wait is the
// fallback for a callback that never comes. Fulfil the order on the final status only.
// Run it (embedded fake gateway): go run ./examples/webpayment
package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webpayment:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	gw := paycoolstest.NewServer()
	defer gw.Close()
	c := gw.Client(paycools.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.WebPaymentNotification); ok {
			fmt.Fprintf(out, "callback: %s %s PHP %s %s\n", ev.EventName, ev.MchOrderID, ev.Amount, ev.TransactionStatus)
		}
		return nil
	}))
	defer notify.Close()

	chans, err := c.WebPayments.Channels(ctx, &paycools.WebPaymentChannelsParams{CountryCode: paycools.CountryPH})
	if err != nil {
		return err
	}
	channel := paycools.WebPaymentGCashURL
	for _, ch := range chans.List {
		if ch.ChannelType == paycools.WebPaymentChannelEWallet {
			channel = ch.ChannelCode
			break
		}
	}
	wp, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
		MchOrderID: "ORDER1001", Amount: 49900, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelEWallet, ChannelCode: channel, TerminalType: paycools.TerminalTypeWeb,
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
	final, err := c.WebPayments.Wait(wctx, &paycools.WebPaymentGetParams{MchOrderID: "ORDER1001", CountryCode: paycools.CountryPH})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "final:    %s PHP %s (%s)\n", final.TransactionStatus, final.Amount, final.TransactionID)
	return nil
}
