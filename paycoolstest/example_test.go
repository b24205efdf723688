package paycoolstest_test

import (
	"context"
	"errors"
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

// A route the SDK does not model, reached through Client.Call: the gateway verifies the flat
// signature as on its own PH routes, then the handler answers the verified fields.
func ExampleWithRoute() {
	s := paycoolstest.NewServer(paycoolstest.WithDialect(paycools.DialectPH),
		paycoolstest.WithRoute(paycoolstest.Route{
			Method: "POST", Path: "/api/v1/merchant/info", Form: paycools.FormFlat,
			Handle: func(f map[string]any) (any, *paycoolstest.Refusal) {
				if f["merchantNo"] != "M1" {
					return nil, &paycoolstest.Refusal{Code: 1008, Message: "merchant not found"}
				}
				return map[string]any{"merchantName": "Sari-Sari Store"}, nil
			},
		}))
	defer s.Close()
	c := s.Client()
	route := paycools.Route{Method: "POST", Path: "/api/v1/merchant/info", Form: paycools.FormFlat}

	var info struct {
		MerchantName string `json:"merchantName"`
	}
	err := c.Call(context.Background(), route, map[string]any{"merchantNo": "M1"}, &info)
	fmt.Println(info.MerchantName, err)

	err = c.Call(context.Background(), route, map[string]any{"merchantNo": "M2"}, nil)
	var ae *paycools.APIError
	fmt.Println(errors.As(err, &ae), ae.Code, ae.Message)
	// Output:
	// Sari-Sari Store <nil>
	// true 1008 merchant not found
}
