package paycools_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Create a checkout order and send the payer's browser to the hosted page.
func ExampleCheckoutService_Create() {
	c := exampleClient(paycools.BaseURLTest)
	order, err := c.Checkout.Create(context.Background(), &paycools.CheckoutCreateParams{
		MchOrderID:         "CART20240719001",
		CountryCode:        paycools.CountryPH,
		Currency:           paycools.CurrencyPHP,
		SettlementCurrency: paycools.CurrencyPHP,
		ChannelTypeList:    []paycools.CheckoutChannelType{paycools.CheckoutChannelTypeEWallet, paycools.CheckoutChannelTypeQR},
		Amount:             250000, // PHP 2,500.00 in centavos
		CustomerName:       "Juan Dela Cruz",
		Email:              "juan@example.com",
		Mobile:             "09171234567",
		ExpireSeconds:      3600,
		NotifyURL:          "https://merchant.example.com/paycools/notify",
		RedirectURL:        "https://merchant.example.com/orders/CART20240719001",
	})
	if err != nil {
		log.Fatal(err)
	}
	if order.CheckoutURL == "" {
		// The first answer was lost and the order was found by Get, which returns no link:
		// close it and create a new order under a new MchOrderID.
		log.Printf("order %s exists without a link", order.CheckoutID)
		return
	}
	fmt.Println("redirect the payer to", order.CheckoutURL)
}

// Wait for a checkout order to be paid, failed or closed; close it if it is still unpaid
// when the merchant gives up.
func ExampleCheckoutService_Wait() {
	c := exampleClient(paycools.BaseURLTest)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	d, err := c.Checkout.Wait(ctx, &paycools.CheckoutGetParams{MchOrderID: "CART20240719001"})
	if err != nil && d != nil && d.TransactionStatus == paycools.TransactionStatusPending {
		if _, err := c.Checkout.Close(context.Background(), &paycools.CheckoutCloseParams{MchOrderID: "CART20240719001"}); err != nil {
			log.Print(err)
		}
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.MchOrderID, d.TransactionStatus, d.Amount)
}

// Receive checkout and web payment callbacks on one notifyUrl. The handler verifies each
// body with the PayCools platform public key before decoding it.
func ExampleCheckoutNotification() {
	platformKey, err := paycools.ParsePublicKey([]byte("<PayCools platform public key>"))
	if err != nil {
		log.Fatal(err)
	}
	key, err := paycools.ParsePrivateKey([]byte("<merchant private key>"))
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient("<appId>", key, paycools.WithPlatformPublicKey(platformKey))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/paycools/notify", c.NotificationHandler(func(ctx context.Context, n *paycools.Notification) error {
		switch ev := n.Event.(type) {
		case *paycools.CheckoutNotification:
			// Idempotent: key on MchOrderID + TransactionStatus; check amount and currency.
			log.Printf("checkout %s: %s %s %s", ev.MchOrderID, ev.TransactionStatus, ev.Amount, ev.Currency)
		case *paycools.WebPaymentNotification:
			log.Printf("web payment %s: %s", ev.MchOrderID, ev.TransactionStatus)
		}
		return nil // answers {"code":10000,"message":"Success"}
	}))
	log.Fatal(http.ListenAndServe(":8080", nil))
}
