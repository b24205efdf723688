package paycools_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/paycools-sdk/paycools-go"
)

// Start an identity verification, send the user to the provider's page, and wait for the
// outcome. Every eKYC name is unconfirmed: Extra sends fields a tenant needs, and Raw keeps
// the full answer.
func ExampleEKYCService_Init() {
	key, err := paycools.ParsePrivateKey([]byte(os.Getenv("PAYCOOLS_PRIVATE_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient(os.Getenv("PAYCOOLS_APP_ID"), key)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	s, err := c.EKYC.Init(ctx, &paycools.EKYCInitParams{
		RequestID:     "EKYC20240912000001",
		UserID:        "u0009",
		ChannelCode:   os.Getenv("PAYCOOLS_EKYC_CHANNEL"), // from PayCools' eKYC channel list
		NotifyURL:     "https://merchant.example.com/paycools/ekyc/notify",
		RedirectURL:   "https://merchant.example.com/kyc/done",
		RequestFields: paycools.RequestFields{Extra: map[string]any{"countryCode": "PH"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the user to", s.EKYCURL)

	wctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	r, err := c.EKYC.WaitResult(wctx, &paycools.EKYCResultGetParams{RequestID: s.RequestID})
	if err != nil {
		log.Fatal(err)
	}
	switch r.KYCStatus {
	case paycools.EKYCStatusApproved:
		fmt.Println("verified at", r.UpdateTime)
	default:
		fmt.Println("not verified:", r.KYCStatus, r.FailedMessage)
	}
}
