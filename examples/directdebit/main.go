// Example directdebit charges a linked GCash wallet without the user present. The user
// authorizes at the page of DirectDebit.CreateAuthorizationLink; the pay token arrives in
// token.create.success on a NotificationHandler. DirectDebit.CreatePayment charges it, usually
// PENDING at first; the direct.debit.* callback may never come, so WaitPayment polls to the end.
//
//	go run ./examples/directdebit -dialect ph
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
		fmt.Fprintln(os.Stderr, "directdebit:", err)
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
	tokens := make(chan string, 1) // stands in for your user table
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		switch ev := n.Event.(type) {
		case *paycools.DirectDebitAuthorizationNotification:
			fmt.Fprintf(out, "callback: %s for %s [%s]\n", ev.EventName, ev.UserID, n.Form)
			if ev.EventName == paycools.EventTokenCreateSuccess {
				tokens <- ev.PayToken
			}
		case *paycools.DirectDebitPaymentNotification:
			fmt.Fprintf(out, "callback: %s %s PHP %s [%s]\n", ev.EventName, ev.MchOrderID, ev.Amount, n.Form)
		}
		return nil
	}))
	defer notify.Close()

	link, err := c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID: "AUTH0001", UserID: "u0009", ChannelCode: paycools.DirectDebitChannelCodeGCash,
		CountryCode: paycools.CountryPH, TerminalType: paycools.TerminalTypeWeb,
		NotifyURL: notify.URL, RedirectURL: "https://merchant.example.com/wallet/linked",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "link:     send user u0009 to %s\n", link.AuthURL)
	res, err := gw.ApproveAuthorization("AUTH0001") // the user approves in GCash
	if err != nil || !res.Acknowledged() {
		return fmt.Errorf("authorization not delivered: %v", err)
	}
	pay, err := c.DirectDebit.CreatePayment(ctx, &paycools.DirectDebitPaymentCreateParams{
		MchOrderID: "SUB202407u0009", Amount: 29900, ChannelCode: paycools.DirectDebitChannelCodeGCash,
		PayToken: <-tokens, NotifyURL: notify.URL, Remark: "July subscription",
	})
	if err != nil {
		return err // if paycools.IsOutcomeUnknown(err): query the same MchOrderID, never charge anew
	}
	fmt.Fprintf(out, "charged:  %s %s\n", pay.MchOrderID, pay.TransactionStatus)
	if _, err := gw.CompleteDirectDebitPayment(pay.MchOrderID); err != nil { // the wallet debits
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second) // in production: well over a minute
	defer cancel()
	// The open-api host looks the payment up by MchOrderID, the PH host by TransactionID: give both.
	final, err := c.DirectDebit.WaitPayment(wctx, &paycools.DirectDebitPaymentGetParams{MchOrderID: pay.MchOrderID, TransactionID: pay.TransactionID})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "final:    %s %s PHP %s\n", final.MchOrderID, final.TransactionStatus, final.Amount)
	return nil
}
