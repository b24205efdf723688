// Example qrcode shows a static QR Ph code, the kind a shop prints at the counter: QRCodes.Create
// without an amount (each payer enters one), qrcode.payment.success callbacks on a
// NotificationHandler (one per payment: deduplicate on TransactionID), QRCodes.ListPayments to
// reconcile the day, and QRCodes.Cancel when the code is retired.
//
//	go run ./examples/qrcode -dialect ph
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
		fmt.Fprintln(os.Stderr, "qrcode:", err)
		os.Exit(1)
	}
}

// run runs the example on a fake gateway speaking dialect ("" is ph), one line per step on out.
func run(ctx context.Context, out io.Writer, dialect string) error {
	d, err := paycools.ParseDialect(cmp.Or(dialect, "ph"))
	if err != nil {
		return err
	}
	// One instant for the whole run (the gateway and its client read it), so that "today"
	// below is the day the gateway recorded the payments in, even at midnight.
	now := time.Now()
	gw := paycoolstest.NewServer(paycoolstest.WithDialect(d), paycoolstest.WithClock(func() time.Time { return now }))
	defer gw.Close()
	fmt.Fprintf(out, "gateway:  embedded fake PayCools gateway, %s dialect\n", gw.Dialect())
	c := gw.Client()
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.QRCodePaymentNotification); ok && ev.TransactionStatus == paycools.TransactionStatusCompleted {
			fmt.Fprintf(out, "callback: %s PHP %s on %s (%s) [%s]\n", ev.EventName, ev.Amount, ev.MchOrderID, ev.TransactionID, n.Form)
		}
		return nil
	}))
	defer notify.Close()

	qr, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{
		ChannelCode:  paycools.QRChannelCodeQRPHStaticQR, // no Amount: the payer enters it
		MchOrderID:   "COUNTER1",
		NotifyURL:    notify.URL,
		CustomerName: "Sari Sari Store",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "qr:       %s %s, draw it from its %d-character payload\n", qr.MchOrderID, qr.Status, len(qr.QRCodeContent))

	for _, amount := range []paycools.Amount{4500, 12000} { // two customers scan and pay
		if _, err := gw.PayQRCode(qr.MchOrderID, amount); err != nil {
			return err
		}
	}
	today := now.In(time.FixedZone("PHT", 8*3600)).Format("2006-01-02")
	list, err := c.QRCodes.ListPayments(ctx, &paycools.QRCodeListPaymentsParams{MchOrderID: qr.MchOrderID, StartDate: today, EndDate: today})
	if err != nil {
		return err
	}
	var total paycools.Amount
	for _, p := range list.Payments {
		total += p.Amount
	}
	fmt.Fprintf(out, "today:    %d payments, PHP %s\n", len(list.Payments), total)

	cancelled, err := c.QRCodes.Cancel(ctx, &paycools.QRCodeCancelParams{MchOrderID: qr.MchOrderID})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "retired:  %s %s (closed: %v)\n", cancelled.MchOrderID, cancelled.Status, cancelled.Status.Closed())
	return nil
}
