// Example banktransfer gives a customer a bank account to pay into by InstaPay:
// BankTransfers.BatchCreateAccounts opens it (with a guide page for the customer), each
// incoming transfer arrives as transfer.payment.success on a NotificationHandler at the
// dashboard callback URL (these accounts have no notifyUrl), and BankTransfers.ListPayments
// reconciles a date range.
//
//	go run ./examples/banktransfer -dialect ph
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
		fmt.Fprintln(os.Stderr, "banktransfer:", err)
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
		if ev, ok := n.Event.(*paycools.BankTransferPaymentNotification); ok {
			fmt.Fprintf(out, "callback: %s PHP %s into %s for %s [%s]\n", ev.EventName, ev.Amount,
				paycools.MaskAccountNumber(ev.PaymentAccount), ev.MchOrderID, n.Form)
		}
		return nil
	}))
	defer notify.Close()
	gw.SetCallbackURL(notify.URL) // in production: the callback URL of the merchant dashboard

	accts, err := c.BankTransfers.BatchCreateAccounts(ctx, &paycools.BankTransferBatchCreateParams{
		AppName:      "Quickstart Tuition",
		MchOrderID:   "STUDENT4711", // one id per customer: every transfer from them lands here
		ChannelCode:  paycools.BankTransferChannelCodeInstaTransferAcc,
		CustomerName: "Maria Clara Santos",
		MinAmount:    10000,    // PHP 100.00
		MaxAmount:    10000000, // PHP 100,000.00
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "guide:    %s\n", accts.ShortLink)
	for _, a := range accts.PaymentAccountList {
		fmt.Fprintf(out, "account:  %s %s %s\n", a.ReceivingBank, a.AccountName, paycools.MaskAccountNumber(a.AccountNumber))
	}

	if _, err := gw.PayBankTransfer("STUDENT4711", 1550000); err != nil { // the parent pays PHP 15,500.00
		return err
	}
	today := now.In(time.FixedZone("PHT", 8*3600)).Format("2006-01-02")
	list, err := c.BankTransfers.ListPayments(ctx, &paycools.BankTransferListPaymentsParams{MchOrderID: "STUDENT4711", StartDate: today, EndDate: today})
	if err != nil {
		return err
	}
	for _, p := range list.Payments {
		fmt.Fprintf(out, "received: %s PHP %s %s\n", p.TransactionID, p.TransactionAmount, p.TransactionStatus)
	}
	return nil
}
