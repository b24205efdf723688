package paycools_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Send PHP 500.10 to a GCash wallet. An unknown outcome is resolved by Create itself (it
// looks the payout up by MchOrderID); if it still cannot tell, the error says so and the
// payout must be checked with Get before anything is sent again.
func ExamplePayoutService_Create() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	payout, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{
		MchOrderID:    "PO-20240719-000123", // your unique order id; IdempotencyID defaults to it
		Amount:        50010,                // centavos: PHP 500.10
		PayMethodCode: paycools.PayMethodEWallet,
		TransferCode:  "GCASH", // from the code list PayCools gives you
		AccountNo:     "09171234567",
		AccountName:   "Juan Dela Cruz",
		Remark:        "July commission",
	})
	var invalid *paycools.ValidationError
	switch {
	case errors.As(err, &invalid):
		fmt.Println("fix the request:", invalid) // nothing was sent
		return
	case errors.Is(err, paycools.ErrInsufficientBalance):
		fmt.Println("top up the PayCools balance first")
		return
	case paycools.IsOutcomeUnknown(err):
		fmt.Println("outcome unknown: check PO-20240719-000123 with Payouts.Get later; do not resend blindly")
		return
	case err != nil:
		fmt.Println("payout refused:", err)
		return
	}
	// Normally PENDING: the final state comes in the payout callback (or with Payouts.Wait).
	fmt.Println(payout.TransactionID, payout.TransactionStatus)
}

// Fall back to polling when the payout callback does not arrive.
func ExamplePayoutService_Wait() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	payout, err := c.Payouts.Wait(ctx, &paycools.PayoutGetParams{MchOrderID: "PO-20240719-000123"})
	if err != nil {
		// On a timeout, payout is the last state seen (still PENDING), or nil.
		fmt.Println("not final yet:", err)
		return
	}
	switch payout.TransactionStatus {
	case paycools.TransactionStatusCompleted:
		fmt.Println("paid", payout.Amount, payout.Currency, "at", payout.ReturnTime.Format(time.RFC3339))
	case paycools.TransactionStatusFailed:
		fmt.Println("failed:", payout.FailedCode, payout.FailedMessage)
	}
}

// Serve the payout callback URL set in the PayCools dashboard. The handler verifies the
// signature with the platform public key before fn runs, and answers PayCools for you: 200
// when fn returns nil, 500 (so PayCools delivers again) when it returns an error.
func ExampleClient_NotificationHandler_payout() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	mux := http.NewServeMux()
	mux.Handle("/paycools/payout", c.NotificationHandler(func(ctx context.Context, n *paycools.Notification) error {
		switch ev := n.Event.(type) {
		case *paycools.PayoutNotification:
			// Delivery is at least once: make this idempotent, keyed on TransactionID + EventName.
			switch ev.EventName {
			case paycools.EventDisbursementSuccess:
				fmt.Println("payout", ev.MchOrderID, "completed:", ev.Amount, ev.Currency)
			case paycools.EventDisbursementFailed:
				fmt.Println("payout", ev.MchOrderID, "failed:", ev.FailedCode, ev.FailedMessage)
			}
			return nil
		default:
			// An event this SDK does not know (Event == nil) is still verified.
			slog.InfoContext(ctx, "unhandled PayCools event", "event", n.EventName)
			return nil
		}
	}))
	log.Fatal(http.ListenAndServe(":8080", mux))
}

// Logging payout params never shows the full account number.
func ExamplePayoutCreateParams_LogValue() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{} // drop the time so the output is stable
			}
			return a
		},
	}))
	p := &paycools.PayoutCreateParams{
		MchOrderID:    "PO-20240719-000123",
		Amount:        50010,
		PayMethodCode: paycools.PayMethodEWallet,
		TransferCode:  "GCASH",
		AccountNo:     "09171234567",
		AccountName:   "Juan Dela Cruz",
	}
	logger.Info("sending payout", "payout", p)
	// Output:
	// level=INFO msg="sending payout" payout.mchOrderId=PO-20240719-000123 payout.amount=50010 payout.accountNo=*******4567 payout.accountName="Juan Dela Cruz" payout.payMethodCode=EWALLET payout.transferCode=GCASH
}
