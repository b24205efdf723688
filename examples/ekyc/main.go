// Example ekyc verifies users' identities: EKYC.Init gives the page to send each user to, the
// outcome arrives as ekyc.success or ekyc.failed on a NotificationHandler, and EKYC.WaitResult
// polls to a final status (APPROVED, REJECTED or EXPIRED) when the callback does not come.
// Here one user passes and one is rejected. (eKYC is unconfirmed in PayCools' documentation:
// ChannelCode is the code PayCools gives you.)
// Run it (embedded fake gateway): go run ./examples/ekyc
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
		fmt.Fprintln(os.Stderr, "ekyc:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	gw := paycoolstest.NewServer()
	defer gw.Close()
	c := gw.Client(paycools.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.EKYCNotification); ok {
			fmt.Fprintf(out, "callback: %s %s %s\n", ev.EventName, ev.UserID, ev.KYCStatus)
		}
		return nil
	}))
	defer notify.Close()

	for _, user := range []string{"u0009", "u0010"} {
		s, err := c.EKYC.Init(ctx, &paycools.EKYCInitParams{
			RequestID: "KYC" + user, UserID: user, ChannelCode: "EXAMPLE_EKYC_CHANNEL",
			NotifyURL: notify.URL, RedirectURL: "https://merchant.example.com/kyc/done",
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "init:     send %s to %s\n", user, s.EkycURL)
	}
	if _, err := gw.CompleteEKYC("KYCu0009"); err != nil { // u0009 passes
		return err
	}
	if _, err := gw.RejectEKYC("KYCu0010", paycools.FailedCodeParams, "document unreadable"); err != nil { // u0010 does not
		return err
	}

	for _, id := range []string{"KYCu0009", "KYCu0010"} {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second) // a user may take minutes: bound it
		r, err := c.EKYC.WaitResult(wctx, &paycools.EKYCResultGetParams{RequestID: id})
		cancel()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "result:   %s %s", r.UserID, r.KYCStatus)
		if r.KYCStatus == paycools.EKYCStatusRejected {
			fmt.Fprintf(out, " (%d %s)", r.FailedCode, r.FailedMessage)
		}
		fmt.Fprintln(out)
	}
	return nil
}
