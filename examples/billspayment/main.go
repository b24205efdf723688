// Example billspayment collects a bill through static virtual accounts: BatchCreateVirtualAccounts
// opens a VA on GCash and on 7-Eleven behind one cashier link; RepaymentVerificationHandler
// answers PayCools' question before each payment (accept up to the amount due); the
// payment.success callback arrives on NotificationHandler; ListPayments reconciles.
//
//	go run ./examples/billspayment -dialect ph
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
	"net/http"
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
		fmt.Fprintln(os.Stderr, "billspayment:", err)
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
	const bill, due = "LOAN20240719001", paycools.Amount(125000) // PHP 1,250.00
	mux := http.NewServeMux()
	mux.Handle("/verify", c.RepaymentVerificationHandler(func(_ context.Context, q *paycools.RepaymentVerification) (bool, error) {
		if q.MchOrderID != bill {
			return false, &paycools.RepaymentRefusal{Code: paycools.VerificationRefusedInvalidParam, Message: "unknown bill"}
		}
		fmt.Fprintf(out, "question: may %s collect PHP %s? %v\n", q.MchOrderID, q.Amount, q.Amount <= due)
		return q.Amount <= due, nil
	}))
	mux.Handle("/notify", c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.VirtualAccountPaymentNotification); ok {
			fmt.Fprintf(out, "callback: %s PHP %s via %s [%s]\n", ev.EventName, ev.Amount, ev.ChannelCode, n.Form)
		}
		return nil
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	gw.SetRepaymentVerificationURL(srv.URL + "/verify") // dashboard settings in production
	gw.SetCallbackURL(srv.URL + "/notify")              // batch-made VAs report here

	batch, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx, &paycools.VirtualAccountBatchCreateParams{
		AppName: "Quickstart Lending", MchOrderID: bill, CustomerName: "Juan Dela Cruz", Email: "juan@example.com",
		ChannelCode: paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCode7ElevenStaticVA},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "cashier:  %s\n", batch.ShortLink)
	for _, va := range batch.PaymentVaList {
		fmt.Fprintf(out, "va:       %s biller %q reference %s\n", va.ChannelCode, va.Biller, va.ReferenceNumber)
	}
	// The payer offers more than is due: the handler refuses, PayCools collects nothing.
	if _, err := gw.PayVirtualAccount(bill, 200000); !errors.Is(err, paycoolstest.ErrRefused) {
		return fmt.Errorf("an overpayment was not refused (%v)", err)
	}
	if _, err := gw.PayVirtualAccount(bill, due); err != nil {
		return err
	}
	today := now.In(time.FixedZone("PHT", 8*3600)).Format("2006-01-02")
	list, err := c.BillsPayment.ListPayments(ctx, &paycools.VirtualAccountListPaymentsParams{MchOrderID: bill, StartDate: today, EndDate: today})
	if err != nil {
		return err
	}
	for _, p := range list.Payments {
		fmt.Fprintf(out, "payment:  %s PHP %s %s\n", p.TransactionID, p.TransactionAmount, p.TransactionStatus)
	}
	return nil
}
