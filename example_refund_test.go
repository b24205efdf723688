package paycools_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Refund PHP 10.00 of a completed payment. Create never guesses: if the request may have reached
// PayCools but no answer came back, it looks the refund up by MchRefundOrderID before sending it
// once more with the same id, so a refund is never made twice.
func ExampleRefundService_Create() {
	key, err := paycools.ParsePrivateKey([]byte(os.Getenv("PAYCOOLS_PRIVATE_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient(os.Getenv("PAYCOOLS_APP_ID"), key)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	refund, err := c.Refunds.Create(ctx, &paycools.RefundCreateParams{
		MchRefundOrderID:      "RF20240731001", // keep it: it names this refund for good
		OriginalTransactionID: "C1175676368800878371",
		RefundAmount:          1000, // PHP 10.00, in centavos
		RefundReason:          "damaged item",
		RefundCallbackURL:     "https://shop.example/paycools/refund-callback",
	})
	if paycools.IsOutcomeUnknown(err) {
		// Still unknown after resolving: do not refund again under a new id; look it up
		// later with Refunds.ListPayments.
		log.Fatal(err)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(refund.RefundTransactionID, refund.RefundStatus) // PENDING until PayCools decides
}

// Wait for a refund to become final (COMPLETE, FAILED or CANCELLED) by polling the refund list.
// The refund callback usually tells sooner; Wait is for scripts and for a missed callback.
func ExampleRefundService_Wait() {
	key, err := paycools.ParsePrivateKey([]byte(os.Getenv("PAYCOOLS_PRIVATE_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient(os.Getenv("PAYCOOLS_APP_ID"), key)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	refund, err := c.Refunds.Wait(ctx, &paycools.RefundWaitParams{
		OriginalTransactionID: "C1175676368800878371",
		MchRefundOrderID:      "RF20240731001",
	})
	if err != nil {
		log.Fatal(err) // refund holds the last state seen when ctx ended
	}
	switch refund.RefundStatus {
	case paycools.RefundStatusCompleted:
		fmt.Println("refunded", refund.RefundAmount)
	case paycools.RefundStatusFailed:
		fmt.Println("refund failed:", refund.FailedCode, refund.FailedMessage)
	case paycools.RefundStatusCancelled:
		fmt.Println("refund cancelled")
	}
}
