package paycools

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decimalAmounts are amount texts with a decimal point, which are major units (pesos) read
// exactly, never minor units, and the centavos each must give.
var decimalAmounts = map[string]Amount{
	`500.00`: 50000, `"500.00"`: 50000, `500.0`: 50000, `500.10`: 50010, `"500.10"`: 50010,
	`500.1`: 50010, `" 500.1 "`: 50010, `0.05`: 5, `"-10.04"`: -1004,
	// Integers stay minor units.
	`50010`: 50010, `"50010"`: 50010,
}

// unreadableAmounts are amount texts that must be refused, never guessed.
var unreadableAmounts = []string{`500.101`, `"500.001"`, `5.0e2`, `"5e2"`, `"500.1x"`, `"1.2.3"`, `"."`, `".5"`}

// A decimal amount in a callback is read exactly in pesos (500.00 is 50000 centavos, not 500),
// in the signed-envelope and the flat SHA-1 forms; one with more than two decimals is not
// acknowledged (500), so PayCools delivers again instead of the merchant booking a guess.
func TestDecimalAmountInCallbackIsReadExactly(t *testing.T) {
	now := phTimeOf(2024, 9, 12, 19, 0, 0)
	f := newFakeAPI(t, WithClock(func() time.Time { return now }), WithCallbackSecret("xxxxxxx"))
	id := 0
	for in, want := range decimalAmounts {
		id++
		var got Amount = -1
		h := f.Client.NotificationHandler(func(_ context.Context, n *Notification) error {
			got = n.Event.(*PayoutNotification).Amount
			return nil
		})
		body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DA`+itoa(id)+`","amount":`+in+`,"transactionStatus":"COMPLETED","returnTime":"2024-09-12 18:59:00"}`)
		require.Equal(t, 200, serveCallback(h, "POST", body).Code, in)
		assert.Equal(t, want, got, "envelope callback amount %s", in)
	}
	for i, in := range unreadableAmounts {
		h := f.Client.NotificationHandler(func(context.Context, *Notification) error {
			t.Errorf("an unreadable amount %s reached the merchant's function", in)
			return nil
		})
		body := signedCallback(t, `{"eventName":"disbursement.success","transactionId":"DB`+itoa(i)+`","amount":`+in+`,"transactionStatus":"COMPLETED","returnTime":"2024-09-12 18:59:00"}`)
		assert.Equal(t, 500, serveCallback(h, "POST", body).Code, in)
	}

	// The flat SHA-1 form (PH): the sign covers the literal text, the value is read in pesos.
	ph, _ := newPHClient(t, WithClock(func() time.Time { return now }))
	for in, want := range decimalAmounts {
		fields := [][2]string{{"eventName", `"qrcode.payment.success"`}, {"mchOrderId", `"M1"`}, {"transactionId", `"C1"`},
			{"amount", in}, {"transactionStatus", `"COMPLETE"`}, {"returnTime", `"2024-09-12 18:59:00"`}}
		canonical, err := CanonicalFlatString(flatCallback(fields, "x"))
		require.NoError(t, err)
		n, err := ph.ParseNotification(flatCallback(fields, sha1Sign(canonical, "xxxxxxx")))
		require.NoError(t, err, in)
		require.Empty(t, n.Unreadable, in)
		assert.Equal(t, want, n.Event.(*QRCodePaymentNotification).Amount, "flat callback amount %s", in)
	}
}

// A decimal amount in the answer of a create (a result) and of a look-up is read exactly; an
// unreadable one stays zero with a Warn line naming it (a success is never turned into an
// error), instead of being read 100× off.
func TestDecimalAmountInResultAndLookupIsReadExactly(t *testing.T) {
	for in, want := range decimalAmounts {
		f := newFakeAPI(t)
		f.replyData("POST", pathPayoutCreate, `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","amount":`+in+`,"transactionStatus":"PENDING"}`)
		f.replyData("POST", pathPayoutGet, `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","amount":`+in+`,"transactionStatus":"COMPLETED"}`)
		res, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		require.NoError(t, err, in)
		assert.Equal(t, want, res.Amount, "create result amount %s", in)
		got, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "TestMchOrderIdD0001"})
		require.NoError(t, err, in)
		assert.Equal(t, want, got.Amount, "look-up amount %s", in)
	}
	for _, in := range unreadableAmounts {
		var logs bytes.Buffer
		f := newFakeAPI(t, WithLogger(newTextLogger(&logs)))
		f.replyData("POST", pathPayoutGet, `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","amount":`+in+`,"transactionStatus":"COMPLETED"}`)
		got, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "TestMchOrderIdD0001"})
		require.NoError(t, err, in)
		assert.Zero(t, got.Amount, in)
		assert.True(t, strings.Contains(logs.String(), "field=amount"), "no Warn names the amount %s: %s", in, logs.String())
	}
}

// requireExtraRefused asserts that err is a *ValidationError refusing Extra[key] as a name the
// params model, and that nothing reached the fake API (f may be nil, see requireInvalid).
func requireExtraRefused(t *testing.T, f *fakeAPI, err error, key string) {
	t.Helper()
	ve := requireInvalid(t, f, err, "Extra")
	assert.Contains(t, ve.Error(), `Extra["`+key+`"] names the field`)
}

// Extra adds fields the SDK does not model; it never replaces a validated one. Extra{"amount":
// 100000} on a payout validated at PHP 1.00 used to pay PHP 1,000.00 in both dialects: it is
// refused with a *ValidationError naming it, under any spelling a lenient host would match,
// and nothing is sent. The PH name of a modelled field (bankCode for TransferCode) is refused
// too; a name nobody models still goes out.
func TestExtraCannotReplaceAModelledField(t *testing.T) {
	payout := func() *PayoutCreateParams {
		return &PayoutCreateParams{MchOrderID: "ORDER-000001", Amount: 100, AccountNo: "1234567890", AccountName: "Juan Cruz",
			PayMethodCode: PayMethodBank, TransferCode: "BDO"}
	}
	for _, key := range []string{"amount", "Amount", "AMOUNT", "amount_", "mchOrderId", "mch_order_id", "accountNo", "timestamp"} {
		f := newFakeAPI(t)
		p := payout()
		p.Extra = map[string]any{key: 100000, "note": "x"}
		_, err := f.Client.Payouts.Create(context.Background(), p)
		requireExtraRefused(t, f, err, key)

		ph, w := newPHClient(t)
		w.answer("POST", "/api/v1/payout", `{"code":1000,"message":"success","data":{}}`)
		_, err = ph.Payouts.Create(context.Background(), p)
		requireExtraRefused(t, nil, err, key)
		assert.Zero(t, w.count(), "PH: nothing sent for Extra[%q]", key)
	}

	// PH sends TransferCode as bankCode for BANK: Extra["bankCode"] would replace it there.
	ph, w := newPHClient(t)
	w.answer("POST", "/api/v1/payout", `{"code":1000,"message":"success","data":{}}`)
	p := payout()
	p.Extra = map[string]any{"bankCode": "OTHER"}
	_, err := ph.Payouts.Create(context.Background(), p)
	requireExtraRefused(t, nil, err, "bankCode")
	assert.Zero(t, w.count())

	// A name the params do not model is still merged and signed.
	p.Extra = map[string]any{"gender": "F"}
	_, err = ph.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
	require.Equal(t, 1, w.count())
	flatSigned(t, w.body[0], `accountName=Juan Cruz&accountNo=1234567890&amount=100&appId=f90addc4861540ef9312e87d8f360e08&appName=Test&bankCode=BDO&gender=F&idempotencyId=ORDER-000001&mchOrderId=ORDER-000001&payMethodCode=BANK`)
}
