package paycools

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settled is the kind of helper a merchant writes once for every family: it compiles only
// because every field named TransactionStatus has the one type TransactionStatus.
func settled(s TransactionStatus) bool { return s.Final() }

// TestTransactionStatusOneTypeEverywhere reads the same wire statuses through a payout, a
// checkout order (Create's status and Get's transactionStatus) and a direct debit charge, and
// checks that each resource gets the same constant and the same Final: one spellings table,
// one Final (COMPLETED, FAILED, CLOSED final; PENDING, PROCESSING, unknown not).
func TestTransactionStatusOneTypeEverywhere(t *testing.T) {
	cases := []struct {
		wire  string
		want  TransactionStatus
		final bool
	}{
		{"PENDING", TransactionStatusPending, false},
		{"processing", TransactionStatusProcessing, false},
		{"COMPLETED", TransactionStatusCompleted, true},
		{"Complete", TransactionStatusCompleted, true},
		{"SUCCESS", TransactionStatusCompleted, true},
		{"FAIL", TransactionStatusFailed, true},
		{"closed", TransactionStatusClosed, true},
		{"REVERSED", "REVERSED", false},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.wire, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPayoutGet, `{"mchOrderId":"P1","transactionStatus":"`+tc.wire+`"}`)
			f.replyData("POST", coCreatePath, `{"checkoutId":"CH1","checkoutUrl":"https://c.example/1","status":"`+tc.wire+`"}`)
			f.replyData("POST", coGetPath, `{"mchOrderId":"CCP20220428011068111","transactionStatus":"`+tc.wire+`"}`)
			f.replyData("POST", ddPathDetail, `{"mchOrderId":"DD1","transactionStatus":"`+tc.wire+`"}`)

			p, err := f.Client.Payouts.Get(ctx, &PayoutGetParams{MchOrderID: "P1"})
			require.NoError(t, err)
			created, err := f.Client.Checkout.Create(ctx, coCreateParams())
			require.NoError(t, err)
			read, err := f.Client.Checkout.Get(ctx, &CheckoutGetParams{MchOrderID: "CCP20220428011068111"})
			require.NoError(t, err)
			dd, err := f.Client.DirectDebit.GetPayment(ctx, &DirectDebitPaymentGetParams{MchOrderID: "DD1"})
			require.NoError(t, err)

			for name, got := range map[string]TransactionStatus{
				"payout":                           p.TransactionStatus,
				"checkout create (status)":         created.TransactionStatus,
				"checkout get (transactionStatus)": read.TransactionStatus,
				"direct debit":                     dd.TransactionStatus,
			} {
				assert.Equal(t, tc.want, got, name)
				assert.Equal(t, tc.final, settled(got), name)
			}
		})
	}
}
