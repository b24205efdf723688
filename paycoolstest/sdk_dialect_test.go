package paycoolstest_test

import (
	"context"
	"errors"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/require"
)

// The operations the quickstart tour (which runs in both dialects in its own test) does not
// call, in both dialects against the fake gateway: each must reach its route, pass the
// gateway's own signature and field checks, and be handled.
func TestSDKRemainingOperationsInBothDialects(t *testing.T) {
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		t.Run(d.String(), func(t *testing.T) {
			srv := paycoolstest.NewServer(paycoolstest.WithDialect(d))
			defer srv.Close()
			c := srv.Client(paycools.WithRetries(0))
			ctx := context.Background()
			handled := func(name string, err error) {
				t.Helper()
				var ae *paycools.APIError
				if errors.As(err, &ae) && !errors.Is(err, paycools.ErrSignature) && !errors.Is(err, paycools.ErrParam) {
					return // a business refusal (not found, not allowed): routed, verified and handled
				}
				require.NoError(t, err, "%s in the %s dialect", name, d)
			}
			_, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx, &paycools.VirtualAccountBatchCreateParams{AppName: "Shop", MchOrderID: "BVA1",
				ChannelCode: paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA}, CustomerName: "Juan Cruz", Email: "juan@example.com"})
			handled("BatchCreateVirtualAccounts", err)
			_, err = c.BillsPayment.UpdateVirtualAccount(ctx, &paycools.VirtualAccountUpdateParams{MchOrderID: "BVA1",
				ChannelCode: paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCodePayMayaStaticVA}})
			handled("UpdateVirtualAccount", err)
			_, err = c.BillsPayment.CashierURL(ctx, &paycools.VirtualAccountCashierURLParams{MchOrderID: "BVA1"})
			handled("CashierURL", err)
			_, err = c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHDynamicQR, MchOrderID: "QR1", Amount: 15000,
				NotifyURL: "https://m.example/n", CustomerName: "Juan Cruz"})
			handled("QRCodes.Create", err)
			_, err = c.QRCodes.Update(ctx, &paycools.QRCodeUpdateParams{MchOrderID: "QR1", CustomerName: "Juan P Cruz", Remark: "table 3"})
			handled("QRCodes.Update", err)
			_, err = c.QRCodes.Cancel(ctx, &paycools.QRCodeCancelParams{MchOrderID: "QR1"})
			handled("QRCodes.Cancel", err)
			_, err = c.BankTransfers.BatchCreateAccounts(ctx, &paycools.BankTransferBatchCreateParams{AppName: "Shop", MchOrderID: "BT1",
				ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc, CustomerName: "Juan Cruz"})
			handled("BatchCreateAccounts", err)
			_, err = c.BankTransfers.BatchUpdateAccounts(ctx, &paycools.BankTransferBatchUpdateParams{MchOrderID: "BT1", ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc})
			handled("BatchUpdateAccounts", err)
			_, err = c.Checkout.Close(ctx, &paycools.CheckoutCloseParams{MchOrderID: "NOSUCHCHECKOUT"})
			handled("Checkout.Close", err)
			if len(srv.Requests()) < 9 {
				t.Fatalf("only %d requests reached the gateway", len(srv.Requests()))
			}
		})
	}
}
