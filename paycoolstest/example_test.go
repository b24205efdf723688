package paycoolstest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// A direct-debit authorization end to end: the SDK asks for the link, the test plays the user
// who approves, and the merchant's NotificationHandler receives the verified token event.
func Example() {
	s := paycoolstest.NewServer()
	defer s.Close()
	c := s.Client()
	ctx := context.Background()

	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.DirectDebitAuthorizationNotification); ok {
			fmt.Println("callback:", ev.EventName, ev.TokenStatus, "for", ev.UserID)
		}
		return nil
	}))
	defer notify.Close()

	_, err := c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID: "AUTH0001", UserID: "u0009", ChannelCode: paycools.DirectDebitChannelCodeGCash,
		CountryCode: paycools.CountryPH, TerminalType: paycools.TerminalTypeWeb,
		NotifyURL: notify.URL, RedirectURL: "https://merchant.example/back",
	})
	if err != nil {
		panic(err)
	}
	res, err := s.ApproveAuthorization("AUTH0001")
	if err != nil {
		panic(err)
	}
	fmt.Println("merchant acknowledged:", res.Acknowledged())
	// Output:
	// callback: token.create.success ACTIVED for u0009
	// merchant acknowledged: true
}

// Injecting a dropped connection after the gateway acted: the client cannot know whether the
// request took effect.
func ExampleServer_InjectFault() {
	s := paycoolstest.NewServer()
	defer s.Close()
	c := s.Client()

	s.InjectFault(paycools.OpEKYCInit, paycoolstest.Fault{DropAfterAction: true})
	p := &paycools.EKYCInitParams{
		RequestID: "KYC0001", UserID: "u0009", ChannelCode: "EXAMPLE_EKYC_CHANNEL",
		NotifyURL: "https://merchant.example/kyc/notify", RedirectURL: "https://merchant.example/kyc",
	}
	_, err := c.EKYC.Init(context.Background(), p)
	fmt.Println("outcome unknown:", paycools.IsOutcomeUnknown(err))

	_, err = c.EKYC.GetResult(context.Background(), &paycools.EKYCResultGetParams{RequestID: "KYC0001"})
	fmt.Println("created anyway:", err == nil)
	// Output:
	// outcome unknown: true
	// created anyway: true
}
