// Example ekyc verifies users' identities: EKYC.Init gives the page to send each user to, the
// outcome arrives as ekyc.success or ekyc.failed on a NotificationHandler, and EKYC.WaitResult
// polls to a final status (APPROVED, REJECTED or EXPIRED) when the callback does not come.
// Here one user passes and one is rejected. (eKYC is unconfirmed in PayCools' documentation:
// ChannelCode is the code PayCools gives you.)
//
//	go run ./examples/ekyc -dialect ph
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
		fmt.Fprintln(os.Stderr, "ekyc:", err)
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
		if ev, ok := n.Event.(*paycools.EKYCNotification); ok {
			fmt.Fprintf(out, "callback: %s %s %s [%s]\n", ev.EventName, ev.UserID, ev.KYCStatus, n.Form)
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
		fmt.Fprintf(out, "init:     send %s to %s\n", user, s.EKYCURL)
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
