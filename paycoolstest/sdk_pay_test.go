package paycoolstest_test

import (
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/require"
)

// testStart is the one instant the gateways built by gateway() live at: the statements of "today"
// that a test reads are the day its gateway recorded the payments in, even across midnight.
var testStart = time.Now()

// testNow is the clock gateway() gives the fake and its client.
func testNow() time.Time { return testStart }

// phToday is testStart's day in PayCools' zone (UTC+8).
func phToday() string { return testStart.In(time.FixedZone("PHT", 8*3600)).Format("2006-01-02") }

func TestSDKQRCodeFlow(t *testing.T) {
	s, c := gateway(t)
	notify := newSink(t, c)
	qr, err := c.QRCodes.Create(ctx(t), &paycools.QRCodeCreateParams{
		ChannelCode: paycools.QRChannelCodeQRPHDynamicQR, MchOrderID: "QRDYN1", Amount: 50010, NotifyURL: notify.URL,
		CustomerName: "Raja", Remark: "table 4", ExpireSeconds: 300,
	})
	require.NoError(t, err)
	require.Equal(t, paycools.QRStatusActive, qr.Status)
	require.NotEmpty(t, qr.QRCodeContent)
	require.EqualValues(t, 50010, qr.Amount)

	res, err := s.PayQRCode("QRDYN1", 0)
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	ev, isQR := notify.last(t).Event.(*paycools.QRCodePaymentNotification)
	require.True(t, isQR, "%T", notify.last(t).Event)
	require.EqualValues(t, 50010, ev.Amount)
	require.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)

	got, err := c.QRCodes.Get(ctx(t), &paycools.QRCodeGetParams{MchOrderID: "QRDYN1"})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusCompleted, got.TransactionStatus)
	list, err := c.QRCodes.ListPayments(ctx(t), &paycools.QRCodeListPaymentsParams{MchOrderID: "QRDYN1", StartDate: phToday(), EndDate: phToday()})
	require.NoError(t, err)
	require.Len(t, list.Payments, 1)
	require.Equal(t, ev.TransactionID, list.Payments[0].TransactionID)

	_, err = c.QRCodes.Create(ctx(t), &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHStaticQR, MchOrderID: "QRST1", NotifyURL: notify.URL, CustomerName: "Raja"})
	require.NoError(t, err)
	up, err := c.QRCodes.Update(ctx(t), &paycools.QRCodeUpdateParams{MchOrderID: "QRST1", CustomerName: "Raja Two", Remark: "new"})
	require.NoError(t, err)
	require.Equal(t, "new", up.Remark)
	cn, err := c.QRCodes.Cancel(ctx(t), &paycools.QRCodeCancelParams{MchOrderID: "QRST1"})
	require.NoError(t, err)
	require.Equal(t, paycools.QRStatusInactive, cn.Status)
	_, err = c.QRCodes.Cancel(ctx(t), &paycools.QRCodeCancelParams{MchOrderID: "QRST1"})
	require.ErrorIs(t, err, paycools.ErrCancelNotAllowed)
	_, err = c.QRCodes.Get(ctx(t), &paycools.QRCodeGetParams{MchOrderID: "QRNONE"})
	require.ErrorIs(t, err, paycools.ErrTransactionNotFound)
}

func TestSDKWebPaymentAndRefundFlow(t *testing.T) {
	s, c := gateway(t, paycoolstest.WithBalance(0))
	notify := newSink(t, c)
	chans, err := c.WebPayments.Channels(ctx(t), &paycools.WebPaymentChannelsParams{CountryCode: paycools.CountryPH})
	require.NoError(t, err)
	require.NotEmpty(t, chans.List)

	wp, err := c.WebPayments.Create(ctx(t), &paycools.WebPaymentCreateParams{
		MchOrderID: "WEB1", Amount: 50000, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
		CustomerName: "user01", Email: "user@example.com", Mobile: "09123456789", TerminalType: paycools.TerminalTypeWeb,
		NotifyURL: notify.URL, RedirectURL: "https://merchant.example/back",
	})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusPending, wp.TransactionStatus)
	require.NotEmpty(t, wp.PaymentURL())

	res, err := s.CompleteWebPayment("WEB1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	ev, isWeb := notify.last(t).Event.(*paycools.WebPaymentNotification)
	require.True(t, isWeb, "%T", notify.last(t).Event)
	require.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)
	got, err := c.WebPayments.Get(ctx(t), &paycools.WebPaymentGetParams{MchOrderID: "WEB1", CountryCode: paycools.CountryPH})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusCompleted, got.TransactionStatus)

	rf, err := c.Refunds.Create(ctx(t), &paycools.RefundCreateParams{
		MchRefundOrderID: "RFD1", OriginalTransactionID: wp.TransactionID, RefundAmount: 20000,
		RefundReason: "size", RefundCallbackURL: notify.URL,
	})
	require.NoError(t, err)
	require.Equal(t, paycools.RefundStatusPending, rf.RefundStatus)
	res, err = s.CompleteRefund("RFD1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	rn, isRefund := notify.last(t).Event.(*paycools.RefundNotification)
	require.True(t, isRefund, "%T", notify.last(t).Event)
	require.Equal(t, paycools.RefundStatusCompleted, rn.RefundStatus)

	list, err := c.Refunds.ListPayments(ctx(t), &paycools.RefundListPaymentsParams{OriginalTransactionID: wp.TransactionID})
	require.NoError(t, err)
	require.Len(t, list.Refunds, 1)
	require.Equal(t, paycools.RefundStatusCompleted, list.Refunds[0].RefundStatus)
	require.EqualValues(t, 30000, s.Balance())

	_, err = c.Refunds.Create(ctx(t), &paycools.RefundCreateParams{
		MchRefundOrderID: "RFD1", OriginalTransactionID: wp.TransactionID, RefundAmount: 100, RefundCallbackURL: notify.URL,
	})
	require.ErrorIs(t, err, paycools.ErrDuplicateRefundOrder)
	_, err = c.Refunds.Create(ctx(t), &paycools.RefundCreateParams{
		MchRefundOrderID: "RFD2", OriginalTransactionID: wp.TransactionID, RefundAmount: 30001, RefundCallbackURL: notify.URL,
	})
	require.ErrorIs(t, err, paycools.ErrRefundAmount)

	st, err := c.Account.PaymentStatement(ctx(t), &paycools.AccountPaymentStatementParams{CreateDate: phToday(), Page: 1})
	require.NoError(t, err)
	require.Len(t, st.Records, 1)
	require.EqualValues(t, 50000, st.Records[0].Amount)
}

// TestSDKMoneyCreatesResolve: for every money-moving create but payouts (tested on their
// own), a connection dropped after the gateway acted is resolved by the SDK into the object.
func TestSDKMoneyCreatesResolve(t *testing.T) {
	s, c := gateway(t)
	s.InjectFault(paycools.OpWebPaymentCreate, paycoolstest.Fault{DropAfterAction: true})
	wp, err := c.WebPayments.Create(ctx(t), &paycools.WebPaymentCreateParams{
		MchOrderID: "WEBR1", Amount: 50000, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
		CustomerName: "user01", Email: "user@example.com", Mobile: "09123456789", TerminalType: paycools.TerminalTypeWeb,
		NotifyURL: "https://merchant.example/n", RedirectURL: "https://merchant.example/back",
	})
	require.NoError(t, err)
	require.NotEmpty(t, wp.TransactionID)

	s.InjectFault(paycools.OpCheckoutCreate, paycoolstest.Fault{DropAfterAction: true})
	co, err := c.Checkout.Create(ctx(t), checkoutParams("COR1"))
	require.NoError(t, err)
	require.NotEmpty(t, co.CheckoutID)
	require.Equal(t, "COR1", co.MchOrderID)

	_, err = s.CompleteWebPayment("WEBR1")
	require.NoError(t, err)
	s.InjectFault(paycools.OpRefundCreate, paycoolstest.Fault{DropAfterAction: true})
	rf, err := c.Refunds.Create(ctx(t), &paycools.RefundCreateParams{
		MchRefundOrderID: "RFR1", OriginalTransactionID: wp.TransactionID, RefundAmount: 100, RefundCallbackURL: "https://merchant.example/n",
	})
	require.NoError(t, err)
	require.Equal(t, "RFR1", rf.MchRefundOrderID)
	require.NotEmpty(t, rf.RefundTransactionID)

	var dropped []paycools.Operation
	for _, r := range s.Requests() {
		if r.Dropped {
			dropped = append(dropped, r.Operation)
		}
	}
	require.Equal(t, []paycools.Operation{paycools.OpWebPaymentCreate, paycools.OpCheckoutCreate, paycools.OpRefundCreate}, dropped)
}

func checkoutParams(id string) *paycools.CheckoutCreateParams {
	return &paycools.CheckoutCreateParams{
		MchOrderID: id, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP, SettlementCurrency: paycools.CurrencyPHP,
		ChannelCodeList: []string{"PH_GCASH_QR"}, Amount: 50000, CustomerName: "Juan Dela Cruz",
		Email: "juan@example.com", Mobile: "09171234567", ExpireSeconds: 3600,
		NotifyURL: "https://merchant.example/n", RedirectURL: "https://merchant.example/o/" + id,
	}
}

func TestSDKCheckoutFlow(t *testing.T) {
	s, c := gateway(t)
	notify := newSink(t, c)
	ch, err := c.Checkout.Channels(ctx(t), &paycools.CheckoutChannelsParams{CountryCode: paycools.CountryPH})
	require.NoError(t, err)
	require.NotEmpty(t, ch.List)

	p := checkoutParams("CHK1")
	p.NotifyURL = notify.URL
	co, err := c.Checkout.Create(ctx(t), p)
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusPending, co.TransactionStatus)
	require.NotEmpty(t, co.CheckoutURL)
	require.False(t, co.ExpiresTime.IsZero())

	res, err := s.PayCheckout("CHK1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	ev, isCo := notify.last(t).Event.(*paycools.CheckoutNotification)
	require.True(t, isCo, "%T", notify.last(t).Event)
	require.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)
	require.Equal(t, co.CheckoutID, ev.CheckoutID)

	d, err := c.Checkout.Get(ctx(t), &paycools.CheckoutGetParams{MchOrderID: "CHK1"})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusCompleted, d.TransactionStatus)
	_, err = c.Checkout.Close(ctx(t), &paycools.CheckoutCloseParams{MchOrderID: "CHK1"})
	require.ErrorIs(t, err, paycools.ErrAlreadyPaidOrClosed)

	_, err = c.Checkout.Create(ctx(t), checkoutParams("CHK2"))
	require.NoError(t, err)
	cl, err := c.Checkout.Close(ctx(t), &paycools.CheckoutCloseParams{MchOrderID: "CHK2"})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusClosed, cl.TransactionStatus)
	d, err = c.Checkout.Get(ctx(t), &paycools.CheckoutGetParams{MchOrderID: "CHK2"})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusClosed, d.TransactionStatus)
}
