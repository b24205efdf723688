package paycools_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"

	paycools "github.com/paycools-sdk/paycools-go"
)

func ExampleBillsPaymentService_CreateVirtualAccount() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	va, err := c.BillsPayment.CreateVirtualAccount(context.Background(), &paycools.VirtualAccountCreateParams{
		MchOrderID:   "LOAN000123",
		CustomerName: "Juan Dela Cruz",
		ChannelCode:  paycools.BillsPaymentChannelCodeGCashStaticVA,
		NotifyURL:    "https://merchant.example/paycools/notify",
		Email:        "juan@example.com",
		Mobile:       "09171234567",
	})
	var ve *paycools.ValidationError
	switch {
	case errors.As(err, &ve):
		log.Fatalf("fix the params (nothing was sent): %v", ve)
	case errors.Is(err, paycools.ErrLegacyVirtualAccountExists):
		log.Print("this payer already has a GCash VA")
		return
	case err != nil:
		log.Fatal(err)
	}
	fmt.Printf("pay %s under biller %q (%s)\n", va.ReferenceNumber, va.Biller, va.GuideURL)
}

func ExampleBillsPaymentService_BatchCreateVirtualAccounts() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	batch, err := c.BillsPayment.BatchCreateVirtualAccounts(context.Background(), &paycools.VirtualAccountBatchCreateParams{
		AppName:      "Test",
		MchOrderID:   "CCP2022111405068111",
		ChannelCode:  paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCodePayMayaStaticVA},
		CustomerName: "Juan Dela Cruz",
		Email:        "juan@example.com",
		MinAmount:    20000,   // PHP 200.00
		MaxAmount:    5000000, // PHP 50,000.00
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("cashier:", batch.ShortLink)
	for _, va := range batch.PaymentVaList {
		fmt.Println(va.ChannelCode, va.ReferenceNumber, va.Biller)
	}
}

func ExampleBillsPaymentService_UpdateVirtualAccount() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	// The path /api/v1/batch/paymentCode/{mchOrderId}/update is filled from MchOrderID.
	batch, err := c.BillsPayment.UpdateVirtualAccount(context.Background(), &paycools.VirtualAccountUpdateParams{
		MchOrderID:  "CCP2022111405068111",
		ChannelCode: paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCode7ElevenStaticVA},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(batch.PaymentVaList), "channels; cashier:", batch.ShortLink)
}

func ExampleBillsPaymentService_CashierURL() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	res, err := c.BillsPayment.CashierURL(context.Background(), &paycools.VirtualAccountCashierURLParams{MchOrderID: "CCP2022111405068111"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ShortLink)
}

func ExampleBillsPaymentService_ListPayments() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	res, err := c.BillsPayment.ListPayments(context.Background(), &paycools.VirtualAccountListPaymentsParams{
		MchOrderID: "CCP2022111405068111",
		StartDate:  "2024-07-01",
		EndDate:    "2024-07-31",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range res.Payments {
		fmt.Printf("%s %s PHP %s %s\n", p.TransactionID, p.ChannelCode, p.TransactionAmount, p.TransactionStatus)
	}
}

func ExampleBillsPaymentService_CancelVirtualAccount() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	res, err := c.BillsPayment.CancelVirtualAccount(context.Background(), &paycools.VirtualAccountCancelParams{
		MchOrderID:  "CCP2023020602068111",
		ChannelCode: paycools.BillsPaymentChannelCodeRDPStaticVA,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status) // INACTIVE
}

// The channel list goes over the wire as one comma-joined string, and decodes from a string or
// an array.
func ExampleBillsPaymentChannelCodeList() {
	b, _ := json.Marshal(paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCodePayMayaStaticVA})
	fmt.Println(string(b))

	var l paycools.BillsPaymentChannelCodeList
	_ = json.Unmarshal([]byte(`["RDP_STATIC_VA","MLH_STATIC_VA"]`), &l)
	fmt.Println(len(l), l)
	// Output:
	// "GCASH_STATIC_VA,PAYMAYA_STATIC_VA"
	// 2 RDP_STATIC_VA,MLH_STATIC_VA
}

// Serve PayCools' repayment verification question (doc 4.6) on its own URL: accept, refuse, or
// refuse with a reason.
func ExampleClient_RepaymentVerificationHandler() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	const limit = paycools.Amount(5000000) // PHP 50,000.00
	http.Handle("/paycools/verify", c.RepaymentVerificationHandler(
		func(ctx context.Context, q *paycools.RepaymentVerification) (bool, error) {
			slog.InfoContext(ctx, "repayment verification", "question", q) // LogValue masks the mobile
			switch {
			case q.ReferenceNumber == "":
				return false, &paycools.RepaymentRefusal{Code: paycools.VerificationRefusedInvalidParam, Message: "unknown reference number"}
			case q.Amount > limit:
				return false, &paycools.RepaymentRefusal{Code: paycools.VerificationRefusedAmountLimit, Message: "amount over the limit"}
			}
			return true, nil // HTTP 200 {"code":2000,...}: PayCools may collect
		}))
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// Payments into a VA (doc 4.8) and bank transfers (doc 6.4) arrive at the notify URL as typed
// events. Deliveries repeat: make the handling idempotent.
func ExampleVirtualAccountPaymentNotification() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	http.Handle("/paycools/notify", c.NotificationHandler(func(ctx context.Context, n *paycools.Notification) error {
		switch ev := n.Event.(type) {
		case *paycools.VirtualAccountPaymentNotification:
			fmt.Println("VA payment", ev.TransactionID, ev.MchOrderID, ev.Amount, ev.TransactionStatus)
		case *paycools.BankTransferPaymentNotification:
			slog.InfoContext(ctx, "bank transfer", "event", ev) // LogValue masks the account number
		}
		return nil // HTTP 200 {"code":10000,"message":"Success"}
	}))
	log.Fatal(http.ListenAndServe(":8080", nil))
}

func ExampleBankTransferService_BatchCreateAccounts() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	res, err := c.BankTransfers.BatchCreateAccounts(context.Background(), &paycools.BankTransferBatchCreateParams{
		AppName:      "PayCools",
		MchOrderID:   "CCP20220428011068111",
		ChannelCode:  paycools.BankTransferChannelCodeInstaTransferAcc,
		CustomerName: "Juan Dela Cruz",
		MinAmount:    20000, // PHP 200.00
		ExpireTime:   "2026-12-31",
	})
	if errors.Is(err, paycools.ErrLegacyBankTransferAccountExists) {
		log.Print("this customer already has an account: use BatchUpdateAccounts")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range res.PaymentAccountList {
		fmt.Printf("transfer to %s, %s, account %s\n", a.ReceivingBank, a.AccountName, a.AccountNumber)
	}
}

func ExampleBankTransferService_BatchUpdateAccounts() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	res, err := c.BankTransfers.BatchUpdateAccounts(context.Background(), &paycools.BankTransferBatchUpdateParams{
		MchOrderID:  "MICHAELJORDAN0003",
		ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ShortLink)
}

func ExampleBankTransferService_ListPayments() {
	c := exampleClient(paycools.BaseURLPhilippinesUAT)
	// A GET: appId, param and sign travel as query parameters.
	res, err := c.BankTransfers.ListPayments(context.Background(), &paycools.BankTransferListPaymentsParams{
		MchOrderID: "MICHAELJORDAN0003",
		StartDate:  "2022-05-26",
		EndDate:    "2022-05-27",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range res.Payments {
		fmt.Println(p.TransactionID, p.TransactionAmount, p.TransactionStatus, p.TransactionReturnTime.Format("2006-01-02 15:04"))
	}
}
