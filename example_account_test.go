package paycools_test

import (
	"context"
	"fmt"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Read the balance available for payouts (nil params: the PH account).
func ExampleAccountService_Balance() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	bal, err := c.Account.Balance(context.Background(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("available: PHP", bal.Balance) // Amount prints in pesos, e.g. 10000.00
}

// Walk every page of one day's completed collections, for reconciliation.
func ExampleAccountService_PaymentStatement() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	ctx := context.Background()
	for page := 1; ; page++ {
		st, err := c.Account.PaymentStatement(ctx, &paycools.AccountPaymentStatementParams{
			CompleteDate: "2024-07-19",
			Page:         page,
			Status:       paycools.StatementStatusComplete,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		if len(st.Records) == 0 {
			return
		}
		for _, r := range st.Records {
			// Amount and Fee arrive in pesos and are converted exactly to centavos.
			fmt.Println(r.MerchantOrderID, r.TransactionID, r.Amount, r.Fee, r.Status)
		}
	}
}

// Walk every record of one day's collections statement, page after page, as the loop goes;
// an error is yielded once and ends the loop.
func ExampleAccountService_PaymentStatementRecords() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	var total paycools.Amount
	for rec, err := range c.Account.PaymentStatementRecords(context.Background(), &paycools.AccountPaymentStatementParams{
		CreateDate: "2026-12-01",
		Status:     paycools.StatementStatusComplete,
	}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		total += rec.Amount
	}
	fmt.Println("collected: PHP", total)
}
