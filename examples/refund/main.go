// Example refund gives part of a completed payment back: Refunds.Create (PENDING at first), the
// payment.refund.success callback on a NotificationHandler (decide on RefundStatus, not on the
// event name), Refunds.Wait for the final state, and ErrRefundAmount for a refund larger than
// what is left. Run it (embedded fake gateway): go run ./examples/refund
package main

import (
	"context"
	"errors"
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
		fmt.Fprintln(os.Stderr, "refund:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	gw := paycoolstest.NewServer()
	defer gw.Close()
	c := gw.Client(paycools.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.RefundNotification); ok {
			fmt.Fprintf(out, "callback: %s %s PHP %s %s\n", ev.EventName, ev.MchRefundOrderID, ev.RefundAmount, ev.RefundStatus)
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
	final, err := c.Refunds.Wait(wctx, &paycools.RefundListPaymentsParams{RefundTransactionID: r.RefundTransactionID}, r.MchRefundOrderID)
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
		ChannelType: paycools.WebPaymentChannelQR, ChannelCode: paycools.WebPaymentGCashQR, TerminalType: paycools.TerminalTypeWeb,
		CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567", NotifyURL: notifyURL,
	})
	if err != nil {
		return "", err
	}
	_, err = gw.CompleteWebPayment(wp.MchOrderID)
	return wp.TransactionID, err
}
