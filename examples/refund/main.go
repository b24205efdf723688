// Example refund gives part of a completed payment back: Refunds.Create (PENDING at first), the
// payment.refund.success callback on a NotificationHandler (decide on RefundStatus, not on the
// event name), Refunds.Wait for the final state, and ErrRefundAmount for a refund larger than
// what is left.
//
//	go run ./examples/refund -dialect ph
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
	"errors"
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
		fmt.Fprintln(os.Stderr, "refund:", err)
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
		if ev, ok := n.Event.(*paycools.RefundNotification); ok {
			fmt.Fprintf(out, "callback: %s %s PHP %s %s [%s]\n", ev.EventName, ev.MchRefundOrderID, ev.RefundAmount, ev.RefundStatus, n.Form)
		}
		return nil
	}))
	defer notify.Close()

	paid, err := payOrder(ctx, c, gw, notify.URL) // a completed PHP 499.00 payment to refund
	if err != nil {
		return err
	}
	r, err := c.Refunds.Create(ctx, &paycools.RefundCreateParams{
		MchRefundOrderID: "REFUND1001A", OriginalTransactionID: paid, RefundAmount: 10000, // PHP 100.00
		RefundReason: "one item out of stock", RefundCallbackURL: notify.URL,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created:  %s PHP %s %s\n", r.MchRefundOrderID, r.RefundAmount, r.RefundStatus)
	if _, err := gw.CompleteRefund(r.MchRefundOrderID); err != nil { // the wallet returns the money
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	final, err := c.Refunds.Wait(wctx, &paycools.RefundWaitParams{RefundTransactionID: r.RefundTransactionID, MchRefundOrderID: r.MchRefundOrderID})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "final:    %s %s\n", final.MchRefundOrderID, final.RefundStatus)
	_, err = c.Refunds.Create(ctx, &paycools.RefundCreateParams{ // PHP 399.00 is left, not 500.00
		MchRefundOrderID: "REFUND1001B", OriginalTransactionID: paid, RefundAmount: 50000, RefundCallbackURL: notify.URL,
	})
	fmt.Fprintf(out, "too much: refused as ErrRefundAmount: %v\n", errors.Is(err, paycools.ErrRefundAmount))
	return nil
}

// payOrder makes a web payment and has the fake gateway complete it; it returns its transaction id.
func payOrder(ctx context.Context, c *paycools.Client, gw *paycoolstest.Server, notifyURL string) (string, error) {
	wp, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
		MchOrderID: "ORDER1001", Amount: 49900, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelTypeQR, ChannelCode: paycools.WebPaymentChannelCodeGCashQR, TerminalType: paycools.TerminalTypeWeb,
		CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567", NotifyURL: notifyURL,
		RedirectURL: "https://shop.example.com/orders/1001", // required by the PH host
	})
	if err != nil {
		return "", err
	}
	_, err = gw.CompleteWebPayment(wp.MchOrderID)
	return wp.TransactionID, err
}
