package paycools_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// TestDayOneProgram is a Philippine merchant's first program, written only with the names
// README's Usage and go doc suggest: a PH client built by hand (not gw.Client()), a payout, a
// QR code, a checkout order and the callback handler, against the fake gateway. It compiles
// only while those names exist, and runs end to end in the PH dialect.
func TestDayOneProgram(t *testing.T) {
	ctx := context.Background()
	gw := paycoolstest.New(t, paycoolstest.WithDialect(paycools.DialectPH))

	c, err := paycools.NewClient(gw.AppID(), gw.MerchantPrivateKey(),
		paycools.WithBaseURL(gw.URL()), // paycools.BaseURLPhilippinesUAT in the merchant's program
		paycools.WithDialect(paycools.DialectPH),
		paycools.WithAppName("My Shop"),
		paycools.WithCallbackSecret(gw.CallbackSecret()),
	)
	require.NoError(t, err)

	var mu sync.Mutex
	var settled []string
	notify := httptest.NewServer(c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
		if ev, ok := n.Event.(*paycools.PayoutNotification); ok {
			mu.Lock()
			settled = append(settled, ev.MchOrderID+" "+string(ev.TransactionStatus))
			mu.Unlock()
		}
		return nil
	}))
	t.Cleanup(notify.Close)
	gw.SetCallbackURL(notify.URL)

	amount, err := paycools.ParseAmount("500.10")
	require.NoError(t, err)
	p, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{
		MchOrderID:    "PO20261206000123",
		Amount:        amount,
		PayMethodCode: paycools.PayMethodEWallet,
		TransferCode:  "GCASH",
		AccountNo:     "09171234567",
		AccountName:   "Juan Dela Cruz",
	})
	require.NoError(t, err)
	require.NotEmpty(t, p.TransactionID)
	_, err = gw.CompletePayout(p.MchOrderID)
	require.NoError(t, err)
	mu.Lock()
	require.Equal(t, []string{"PO20261206000123 COMPLETED"}, settled, "the payout callback verified and reached the function")
	mu.Unlock()

	fifty, err := paycools.PHP(50)
	require.NoError(t, err)
	qr, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{
		ChannelCode:  paycools.QRChannelCodeQRPHDynamicQR,
		MchOrderID:   "QR20261206000001",
		Amount:       fifty,
		CustomerName: "Juan Dela Cruz",
		NotifyURL:    notify.URL,
	})
	require.NoError(t, err)
	require.NotEmpty(t, qr.QRCodeID)

	order, err := c.Checkout.Create(ctx, &paycools.CheckoutCreateParams{
		MchOrderID:         "CART20261206001",
		CountryCode:        paycools.CountryPH,
		Currency:           paycools.CurrencyPHP,
		SettlementCurrency: paycools.CurrencyPHP,
		Amount:             250000,
		CustomerName:       "Juan Dela Cruz",
		Email:              "juan@example.com",
		Mobile:             "09171234567",
		NotifyURL:          notify.URL,
		RedirectURL:        "https://merchant.example.com/orders/CART20261206001",
	})
	require.NoError(t, err)
	require.NotEmpty(t, order.CheckoutURL)

	resp, err := http.Get(order.CheckoutURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the payer's page opens")
}

// A newcomer who leaves out the QR code's customerName in the PH dialect reads the field once,
// not twice (the PH row and the QRPH rule both require it).
func TestMissingFieldIsNamedOnce(t *testing.T) {
	gw := paycoolstest.New(t, paycoolstest.WithDialect(paycools.DialectPH))
	_, err := gw.Client().QRCodes.Create(context.Background(), &paycools.QRCodeCreateParams{
		ChannelCode: paycools.QRChannelCodeQRPHDynamicQR, MchOrderID: "QR20261206000002", Amount: 5000, NotifyURL: "https://merchant.example/notify",
	})
	var ve *paycools.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, 1, strings.Count(err.Error(), "customerName"), err.Error())
}

// A flat SHA-1 callback checked with the wrong secret says that the callback secret does not
// match and names the option that sets it; there is no param and no key in that form.
func TestWrongCallbackSecretIsNamed(t *testing.T) {
	gw := paycoolstest.New(t, paycoolstest.WithDialect(paycools.DialectPH))
	c, err := paycools.NewClient(gw.AppID(), gw.MerchantPrivateKey(), paycools.WithBaseURL(gw.URL()), paycools.WithDialect(paycools.DialectPH), paycools.WithCallbackSecret("not-the-secret"))
	require.NoError(t, err)
	var got []byte
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		w.WriteHeader(500)
	}))
	t.Cleanup(notify.Close)
	gw.SetCallbackURL(notify.URL)
	p, err := gw.Client().Payouts.Create(context.Background(), &paycools.PayoutCreateParams{MchOrderID: "PO20261206SECRET1", Amount: 100,
		PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH", AccountNo: "09171234567", AccountName: "Juan Dela Cruz"})
	require.NoError(t, err)
	_, _ = gw.CompletePayout(p.MchOrderID)
	require.NotEmpty(t, got, "the gateway sent its flat callback")
	_, err = c.ParseNotification(got)
	require.ErrorIs(t, err, paycools.ErrCallbackSecretMismatch)
	require.ErrorIs(t, err, paycools.ErrSignatureMismatch)
	assert.Contains(t, err.Error(), "callback secret")
	assert.Contains(t, err.Error(), "WithCallbackSecret")
	assert.NotContains(t, err.Error(), "param bytes")
	assert.NotContains(t, err.Error(), "not-the-secret")
}
