package paycools_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/paycools-sdk/paycools-go"
)

// The authorization link flow: ask for the wallet's consent page, send the user there, and
// receive the pay token in the token.create.success callback (or read it with
// WaitAuthorization / GetAuthorization).
func ExampleDirectDebitService_CreateAuthorizationLink() {
	c := exampleClient(paycools.BaseURLTest)
	ctx := context.Background()

	// 1. The page where user u0009 authorizes GCash auto-debit.
	link, err := c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID:    "AUTH20240912000001",
		UserID:       "u0009",
		ChannelCode:  paycools.DirectDebitChannelCodeGCash,
		CountryCode:  paycools.CountryPH,
		NotifyURL:    "https://merchant.example.com/paycools/token",
		RedirectURL:  "https://merchant.example.com/wallet/linked",
		TerminalType: paycools.TerminalTypeWAP,
		OsType:       paycools.OSTypeAndroid,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the user to", link.AuthURL)

	// 2. The token arrives at NotifyURL. Store it against the user; delivery is at least once,
	// so the store must be idempotent.
	http.Handle("/paycools/token", c.NotificationHandler(func(ctx context.Context, n *paycools.Notification) error {
		ev, ok := n.Event.(*paycools.DirectDebitAuthorizationNotification)
		if !ok {
			return nil // another event
		}
		switch ev.EventName {
		case paycools.EventTokenCreateSuccess:
			fmt.Println("store token for", ev.UserID, "expiring", ev.ExpiresTime)
		case paycools.EventTokenCreateFailed:
			fmt.Println("user", ev.UserID, "did not authorize")
		case paycools.EventTokenCancelSuccess:
			fmt.Println("token revoked:", ev.InactiveType)
		}
		return nil
	}))

	// 3. Or, without a callback endpoint, poll until the user holds an active token. A refusal
	// never shows in the token list, so bound the wait.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	auths, err := c.DirectDebit.WaitAuthorization(wctx, &paycools.DirectDebitAuthorizationWaitParams{
		UserID: "u0009", ChannelCode: paycools.DirectDebitChannelCodeGCash,
	})
	if err != nil {
		log.Fatal(err)
	}
	tok := auths.ActiveToken(paycools.DirectDebitChannelCodeGCash)
	fmt.Println("token expires", tok.ExpiresTime)
}

// Charge a stored pay token and wait for the final status. The charge is usually PENDING at
// first, and the 10.7 notification may never come, so poll for well over a minute.
func ExampleDirectDebitService_CreatePayment() {
	c := exampleClient(paycools.BaseURLTest)
	ctx := context.Background()

	pay, err := c.DirectDebit.CreatePayment(ctx, &paycools.DirectDebitPaymentCreateParams{
		MchOrderID:  "DD20240101120000",
		Amount:      50010, // PHP 500.10, in centavos
		ChannelCode: paycools.DirectDebitChannelCodeGCash,
		PayToken:    "tok_abcdef1234567890", // from token.create.success
		NotifyURL:   "https://merchant.example.com/paycools/direct-debit",
		Remark:      "Monthly subscription",
	})
	switch {
	case paycools.IsOutcomeUnknown(err):
		// The SDK already tried to resolve it by MchOrderID and could not tell. The charge may
		// exist: query it later under the same MchOrderID; never charge under a new one.
		log.Fatal("outcome unknown, check DD20240101120000 later: ", err)
	case errors.Is(err, paycools.ErrAccessToken):
		log.Fatal("the token is no longer valid; ask the user to authorize again")
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("charge", pay.TransactionID, "is", pay.TransactionStatus)

	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	final, err := c.DirectDebit.WaitPayment(wctx, &paycools.DirectDebitPaymentGetParams{MchOrderID: pay.MchOrderID})
	if err != nil {
		log.Fatal(err) // final holds the last status seen, if any
	}
	if final.TransactionStatus == paycools.TransactionStatusCompleted {
		fmt.Println("paid", final.Amount, "fee", final.Fee)
	} else {
		fmt.Println("failed:", final.FailedCode, final.FailedMessage)
	}
}
