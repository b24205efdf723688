package paycools_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// Two merchant applications (two fake gateways, each with its own appId, keys and callback
// secret) share one callback URL: each payout callback runs with Notification.AppID set to
// the tenant whose keys verified it.
func ExampleNewNotificationMux() {
	shopA := paycoolstest.NewServer(paycoolstest.WithAppID("a0000000000000000000000000000001"))
	defer shopA.Close()
	shopB := paycoolstest.NewServer(paycoolstest.WithAppID("b0000000000000000000000000000002"))
	defer shopB.Close()
	a, b := shopA.Client(), shopB.Client()

	mux, err := paycools.NewNotificationMux(a, b)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(mux.Handler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.PayoutNotification); ok {
			fmt.Println(n.AppID[:1], ev.MchOrderID, ev.TransactionStatus)
		}
		return nil
	}))
	defer srv.Close()

	ctx := context.Background()
	for _, s := range []*paycoolstest.Server{shopA, shopB} {
		s.SetCallbackURL(srv.URL)
	}
	for i, c := range []*paycools.Client{a, b} {
		if _, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{
			MchOrderID: "MUXORDER00" + strings.Repeat("1", i+1), Amount: 50010, AccountNo: "09171234567",
			AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH",
		}); err != nil {
			panic(err)
		}
	}
	if _, err := shopB.CompletePayout("MUXORDER0011"); err != nil {
		panic(err)
	}
	if _, err := shopA.CompletePayout("MUXORDER001"); err != nil {
		panic(err)
	}
	// Output:
	// b MUXORDER0011 COMPLETED
	// a MUXORDER001 COMPLETED
}
