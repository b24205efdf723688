package paycoolstest_test

// Full flows through the SDK client, one per family: create → outcome → callback verified by
// the client's NotificationHandler on an httptest server → status query.

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/require"
)

var keys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	read := func(name string) *rsa.PrivateKey {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "keys", name))
		if err != nil {
			panic(err)
		}
		blk, _ := pem.Decode(b)
		if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
			return k
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			panic(err)
		}
		return k.(*rsa.PrivateKey)
	}
	return read("test_merchant_2048_pkcs8.pem"), read("test_platform_2048_pkcs1.pem")
})

func gateway(t *testing.T, opts ...paycoolstest.Option) (*paycoolstest.Server, *paycools.Client) {
	t.Helper()
	m, p := keys()
	s := paycoolstest.NewServer(append([]paycoolstest.Option{paycoolstest.WithKeys(m, p), paycoolstest.WithClock(testNow)}, opts...)...)
	t.Cleanup(s.Close)
	return s, s.Client()
}

// sink is a merchant callback endpoint built on the client's NotificationHandler: it keeps
// every verified notification.
type sink struct {
	*httptest.Server
	mu     sync.Mutex
	events []*paycools.Notification
}

func newSink(t *testing.T, c *paycools.Client) *sink {
	t.Helper()
	k := &sink{}
	k.Server = httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		k.mu.Lock()
		k.events = append(k.events, n)
		k.mu.Unlock()
		return nil
	}))
	t.Cleanup(k.Close)
	return k
}

func (k *sink) last(t *testing.T) *paycools.Notification {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	require.NotEmpty(t, k.events)
	return k.events[len(k.events)-1]
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestSDKBillsPaymentFlow(t *testing.T) {
	s, c := gateway(t)
	notify := newSink(t, c)
	var asked []*paycools.RepaymentVerification
	verify := httptest.NewServer(c.RepaymentVerificationHandler(func(_ context.Context, v *paycools.RepaymentVerification) (bool, error) {
		asked = append(asked, v)
		return v.Amount <= 100000, nil
	}))
	defer verify.Close()
	s.SetRepaymentVerificationURL(verify.URL)

	va, err := c.BillsPayment.CreateVirtualAccount(ctx(t), &paycools.VirtualAccountCreateParams{
		MchOrderID: "LOAN42", CustomerName: "Juan Dela Cruz", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA,
		NotifyURL: notify.URL, Email: "juan@example.com", Mobile: "09123456789",
	})
	require.NoError(t, err)
	require.Equal(t, paycools.VirtualAccountStatusActive, va.Status)
	require.NotEmpty(t, va.ReferenceNumber)

	_, err = s.PayVirtualAccount("LOAN42", 200000) // over what the merchant accepts
	require.ErrorIs(t, err, paycoolstest.ErrRefused)
	res, err := s.PayVirtualAccount("LOAN42", 50010)
	require.NoError(t, err)
	require.True(t, res.Acknowledged(), "reply %d %s", res.Status, res.Body)
	require.Len(t, asked, 2)
	require.Equal(t, va.ReferenceNumber, asked[1].ReferenceNumber)

	ev, isVA := notify.last(t).Event.(*paycools.VirtualAccountPaymentNotification)
	require.True(t, isVA, "%T", notify.last(t).Event)
	require.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)
	require.EqualValues(t, 50010, ev.Amount)

	today := phToday()
	pays, err := c.BillsPayment.ListPayments(ctx(t), &paycools.VirtualAccountListPaymentsParams{MchOrderID: "LOAN42", StartDate: today, EndDate: today})
	require.NoError(t, err)
	require.Len(t, pays.Payments, 1)
	require.Equal(t, ev.TransactionID, pays.Payments[0].TransactionID)
	require.Equal(t, paycools.TransactionStatusCompleted, pays.Payments[0].TransactionStatus)

	_, err = c.BillsPayment.CreateVirtualAccount(ctx(t), &paycools.VirtualAccountCreateParams{
		MchOrderID: "LOAN42", CustomerName: "Juan Dela Cruz", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA,
		NotifyURL: notify.URL, Email: "juan@example.com", Mobile: "09123456789",
	})
	require.ErrorIs(t, err, paycools.ErrDuplicateOrder)

	cn, err := c.BillsPayment.CancelVirtualAccount(ctx(t), &paycools.VirtualAccountCancelParams{MchOrderID: "LOAN42", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA})
	require.NoError(t, err)
	require.Equal(t, paycools.VirtualAccountStatusInactive, cn.Status)

	batch, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx(t), &paycools.VirtualAccountBatchCreateParams{
		AppName: "Sandbox", MchOrderID: "GROUP7", CustomerName: "Juan", Email: "juan@example.com",
		ChannelCode: paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCodePayMayaStaticVA},
	})
	require.NoError(t, err)
	require.Len(t, batch.PaymentVaList, 2)
	cu, err := c.BillsPayment.CashierURL(ctx(t), &paycools.VirtualAccountCashierURLParams{MchOrderID: "GROUP7"})
	require.NoError(t, err)
	require.Equal(t, batch.ShortLink, cu.ShortLink)
	up, err := c.BillsPayment.UpdateVirtualAccount(ctx(t), &paycools.VirtualAccountUpdateParams{
		MchOrderID: "GROUP7", ChannelCode: paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodePayMayaStaticVA},
	})
	require.NoError(t, err)
	require.Len(t, up.PaymentVaList, 1)
}

func TestSDKBankTransferFlow(t *testing.T) {
	s, c := gateway(t)
	notify := newSink(t, c)
	s.SetCallbackURL(notify.URL)
	acc, err := c.BankTransfers.BatchCreateAccounts(ctx(t), &paycools.BankTransferBatchCreateParams{
		AppName: "PayCools", MchOrderID: "CUST9", ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc,
		CustomerName: "Customer Name", MinAmount: 20000, MaxAmount: 5000000,
	})
	require.NoError(t, err)
	require.Len(t, acc.PaymentAccountList, 1)

	res, err := s.PayBankTransfer("CUST9", 30000)
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	ev, isBT := notify.last(t).Event.(*paycools.BankTransferPaymentNotification)
	require.True(t, isBT, "%T", notify.last(t).Event)
	require.EqualValues(t, 30000, ev.Amount)
	require.Equal(t, acc.PaymentAccountList[0].AccountNumber, ev.PaymentAccount)

	today := phToday()
	list, err := c.BankTransfers.ListPayments(ctx(t), &paycools.BankTransferListPaymentsParams{MchOrderID: "CUST9", StartDate: today, EndDate: today})
	require.NoError(t, err)
	require.Len(t, list.Payments, 1)
	require.Equal(t, ev.TransactionID, list.Payments[0].TransactionID)

	_, err = c.BankTransfers.BatchUpdateAccounts(ctx(t), &paycools.BankTransferBatchUpdateParams{MchOrderID: "CUST9", ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc})
	require.NoError(t, err)
	_, err = c.BankTransfers.ListPayments(ctx(t), &paycools.BankTransferListPaymentsParams{MchOrderID: "NOBODY", StartDate: today, EndDate: today})
	require.ErrorIs(t, err, paycools.ErrTransactionNotFound)
}

func TestSDKDirectDebitFlow(t *testing.T) {
	s, c := gateway(t, paycoolstest.WithBalance(0))
	notify := newSink(t, c)
	link, err := c.DirectDebit.CreateAuthorizationLink(ctx(t), &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID: "AUTH1", UserID: "u0009", ChannelCode: paycools.DirectDebitChannelCodeGCash, CountryCode: "PH",
		TerminalType: "WAP", OsType: "ANDROID", NotifyURL: notify.URL, RedirectURL: "https://merchant.example/back",
	})
	require.NoError(t, err)
	require.NotEmpty(t, link.AuthURL)

	res, err := s.ApproveAuthorization("AUTH1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	an, isAuth := notify.last(t).Event.(*paycools.DirectDebitAuthorizationNotification)
	require.True(t, isAuth, "%T", notify.last(t).Event)
	require.Equal(t, paycools.EventTokenCreateSuccess, an.EventName)
	require.Equal(t, s.PayToken("AUTH1"), an.PayToken)

	auths, err := c.DirectDebit.GetAuthorization(ctx(t), &paycools.DirectDebitAuthorizationGetParams{UserID: "u0009"})
	require.NoError(t, err)
	tok := auths.ActiveToken(paycools.DirectDebitChannelCodeGCash)
	require.NotNil(t, tok)
	require.Equal(t, an.PayToken, tok.PayToken)

	pay, err := c.DirectDebit.CreatePayment(ctx(t), &paycools.DirectDebitPaymentCreateParams{
		MchOrderID: "SUB1", Amount: 10000, ChannelCode: paycools.DirectDebitChannelCodeGCash,
		PayToken: tok.PayToken, NotifyURL: notify.URL, Remark: "monthly",
	})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusPending, pay.TransactionStatus)

	res, err = s.CompleteDirectDebitPayment("SUB1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	pn, isPay := notify.last(t).Event.(*paycools.DirectDebitPaymentNotification)
	require.True(t, isPay, "%T", notify.last(t).Event)
	require.Equal(t, paycools.TransactionStatusCompleted, pn.TransactionStatus)

	d, err := c.DirectDebit.GetPayment(ctx(t), &paycools.DirectDebitPaymentGetParams{MchOrderID: "SUB1"})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusCompleted, d.TransactionStatus)
	require.EqualValues(t, 10000, s.Balance())

	_, err = c.DirectDebit.CancelAuthorization(ctx(t), &paycools.DirectDebitAuthorizationCancelParams{UserID: "u0009", PayToken: tok.PayToken})
	require.NoError(t, err)
	_, err = c.DirectDebit.CreatePayment(ctx(t), &paycools.DirectDebitPaymentCreateParams{
		MchOrderID: "SUB2", Amount: 10000, ChannelCode: paycools.DirectDebitChannelCodeGCash,
		PayToken: tok.PayToken, NotifyURL: notify.URL,
	})
	require.ErrorIs(t, err, paycools.ErrAccessToken)
}

// TestSDKDirectDebitResolve: the charge's connection drops after the gateway created it; the
// SDK's outcome resolution finds it by mchOrderId.
func TestSDKDirectDebitResolve(t *testing.T) {
	s, c := gateway(t)
	_, err := c.DirectDebit.CreateAuthorizationLink(ctx(t), &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID: "AUTH2", UserID: "u1", ChannelCode: paycools.DirectDebitChannelCodeGCash, CountryCode: "PH",
		TerminalType: "WEB", NotifyURL: "http://127.0.0.1:1/unused", RedirectURL: "https://merchant.example/back",
	})
	require.NoError(t, err)
	_, err = s.ApproveAuthorization("AUTH2") // the callback cannot be delivered; the token exists anyway
	require.NoError(t, err)

	s.InjectFault(paycools.OpDirectDebitCreatePayment, paycoolstest.Fault{DropAfterAction: true})
	pay, err := c.DirectDebit.CreatePayment(ctx(t), &paycools.DirectDebitPaymentCreateParams{
		MchOrderID: "SUB9", Amount: 777, ChannelCode: paycools.DirectDebitChannelCodeGCash,
		PayToken: s.PayToken("AUTH2"), NotifyURL: "https://merchant.example/n",
	})
	require.NoError(t, err, "the outcome resolution should find the charge")
	require.Equal(t, "SUB9", pay.MchOrderID)
	require.NotEmpty(t, pay.TransactionID)
	req, _ := s.LastRequest(paycools.OpDirectDebitGetPayment)
	require.Equal(t, 10000, req.Code, "resolved through GetPayment")
}

func TestSDKEKYCFlow(t *testing.T) {
	s, c := gateway(t)
	notify := newSink(t, c)
	sess, err := c.EKYC.Init(ctx(t), &paycools.EKYCInitParams{
		RequestID: "KYC1", UserID: "u0009", ChannelCode: "EXAMPLE_EKYC_CHANNEL",
		NotifyURL: notify.URL, RedirectURL: "https://merchant.example/kyc",
	})
	require.NoError(t, err)
	require.NotEmpty(t, sess.EKYCURL)
	r, err := c.EKYC.GetResult(ctx(t), &paycools.EKYCResultGetParams{RequestID: "KYC1"})
	require.NoError(t, err)
	require.False(t, r.KYCStatus.Final())

	res, err := s.CompleteEKYC("KYC1")
	require.NoError(t, err)
	require.True(t, res.Acknowledged())
	ev, isKYC := notify.last(t).Event.(*paycools.EKYCNotification)
	require.True(t, isKYC, "%T", notify.last(t).Event)
	require.Equal(t, paycools.EKYCStatusApproved, ev.KYCStatus)

	r, err = c.EKYC.GetResult(ctx(t), &paycools.EKYCResultGetParams{RequestID: "KYC1"})
	require.NoError(t, err)
	require.Equal(t, paycools.EKYCStatusApproved, r.KYCStatus)
	_, err = c.EKYC.GetResult(ctx(t), &paycools.EKYCResultGetParams{RequestID: "KYC404"})
	require.ErrorIs(t, err, paycools.ErrTransactionNotFound)
}
