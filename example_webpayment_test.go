package paycools_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Create a GCash web payment of PHP 500.00 and send the customer to its payment link.
func ExampleWebPaymentService_Create() {
	c := exampleClient(paycools.BaseURLTest)
	p, err := c.WebPayments.Create(context.Background(), &paycools.WebPaymentCreateParams{
		MchOrderID:   "ORDER20240719001",
		Amount:       50000, // PHP 500.00 in centavos
		CountryCode:  paycools.CountryPH,
		Currency:     paycools.CurrencyPHP,
		ChannelType:  paycools.WebPaymentChannelTypeEWallet,
		ChannelCode:  paycools.WebPaymentChannelCodeGCashURL,
		CustomerName: "Juan Dela Cruz",
		Email:        "juan@example.com",
		Mobile:       "09171234567",
		TerminalType: paycools.TerminalTypeWAP,
		OsType:       paycools.OSTypeAndroid,
		NotifyURL:    "https://merchant.example.com/paycools/notify",
		RedirectURL:  "https://merchant.example.com/orders/ORDER20240719001",
	})
	if paycools.IsOutcomeUnknown(err) {
		// The SDK already asked PayCools about ORDER20240719001 and could not tell whether the
		// payment exists: query it later with WebPayments.Get, never create it under a new id.
		log.Printf("outcome unknown: %v", err)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the customer to", p.PaymentURL(), "(valid for 1 hour)")
}

// Create a web payment, then wait (at most 15 minutes) for its final status. The callback to
// NotifyURL remains the primary signal; Wait is for flows that must block.
func ExampleWebPaymentService_Wait() {
	c := exampleClient(paycools.BaseURLTest)
	ctx := context.Background()
	p, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
		MchOrderID:   "ORDER20240719002",
		Amount:       150000, // PHP 1,500.00
		CountryCode:  paycools.CountryPH,
		Currency:     paycools.CurrencyPHP,
		ChannelType:  paycools.WebPaymentChannelTypeQR,
		ChannelCode:  paycools.WebPaymentChannelCodeQRPHDynamic,
		CustomerName: "Juan Dela Cruz",
		Email:        "juan@example.com",
		Mobile:       "09171234567",
		TerminalType: paycools.TerminalTypeWeb,
		NotifyURL:    "https://merchant.example.com/paycools/notify",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("show this QR content:", p.PayData)

	waitCtx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	final, err := c.WebPayments.Wait(waitCtx, &paycools.WebPaymentGetParams{
		MchOrderID:  p.MchOrderID,
		CountryCode: paycools.CountryPH,
	})
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Println("still not final; last status seen:", final.TransactionStatus)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	switch final.TransactionStatus {
	case paycools.TransactionStatusCompleted:
		fmt.Println("paid", final.Amount, final.Currency)
	case paycools.TransactionStatusFailed:
		fmt.Println("payment failed")
	}
}

// Params are checked before anything is sent: every problem is listed in one
// *ValidationError, and nothing reaches PayCools.
func ExampleWebPaymentService_Create_validation() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient("f90addc4861540ef9312e87d8f360e08", key)
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.WebPayments.Create(context.Background(), &paycools.WebPaymentCreateParams{
		MchOrderID:  "ORDER20240719003",
		Amount:      50, // PHP 0.50: below the PHP 1.00 minimum
		CountryCode: paycools.CountryPH,
		Currency:    paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelTypeDirectDebit,
		ChannelCode: "PH_GCASH_DIRECT_DEBIT",
		NotifyURL:   "https://merchant.example.com/paycools/notify",
	})
	var ve *paycools.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Printf("%s: %s\n", f.Field, f.Problem)
		}
	}
	// Output:
	// amount: is outside 100–5000000 (PHP 1.00–50,000.00) for currency PHP
	// payToken: is required when channelType is DIRECT_DEBIT
}
