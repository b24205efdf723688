package paycools

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A look-up that answers success without naming the order with PayCools' id (data null, {},
// another merchant order id, no transaction id), or with an amount that cannot be read, proves
// nothing: Create keeps the outcome unknown and resends nothing, the ledger keeps the intent
// unknown, and Recover neither records it created nor refused.
func TestUnprovenLookupStaysUnknown(t *testing.T) {
	for name, data := range map[string]string{
		"data null":           `null`,
		"empty object":        `{}`,
		"another order":       `{"mchOrderId":"OtherOrder000001","transactionId":"D9","amount":50010,"transactionStatus":"PENDING"}`,
		"no transaction id":   `{"mchOrderId":"TestMchOrderIdD0001","amount":50010,"transactionStatus":"PENDING"}`,
		"amount not readable": `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","amount":"500.101","transactionStatus":"PENDING"}`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			l := NewMemoryLedger()
			f := newFakeAPI(t, WithLedger(l), WithRetries(0))
			creates := f.script("POST", pathPayoutCreate, badGateway)
			gets := f.script("POST", pathPayoutGet, okData(data))

			res, err := f.Client.Payouts.Create(ctx, fullCreatePayoutParams())
			assert.Nil(t, res)
			require.Error(t, err, "success for a payout PayCools never named")
			assert.True(t, IsOutcomeUnknown(err), "%v", err)
			var re *UnresolvedOutcomeError
			require.ErrorAs(t, err, &re)
			assert.ErrorIs(t, re.LookupErr, ErrLookupInconclusive)
			assert.Equal(t, int32(1), creates.Load(), "nothing resent on an answer that proves nothing")
			assert.Equal(t, int32(1), gets.Load())
			got, _ := l.Intents(ctx, testAppID, OpPayoutCreate, "TestMchOrderIdD0001")
			require.Len(t, got, 1)
			assert.Equal(t, IntentUnknown, got[0].State)

			rep, err := f.Client.Recover(ctx)
			require.NoError(t, err)
			require.Len(t, rep.Resolutions, 1)
			out := rep.Resolutions[0]
			assert.Equal(t, IntentUnknown, out.State, "Recover does not say created (nor refused)")
			assert.ErrorIs(t, out.Err, ErrLookupInconclusive)
			assert.Zero(t, out.TransactionID)
			got, _ = l.Intents(ctx, testAppID, OpPayoutCreate, "TestMchOrderIdD0001")
			assert.Equal(t, IntentUnknown, got[0].State)
		})
	}
}

// The refund look-up of Recover: an empty list proves nothing (unknown), a list without the
// refund is "not found" (absent once the settle time has passed).
func TestRecoverRefundEmptyListStaysUnknown(t *testing.T) {
	ctx := context.Background()
	now := fixedNow
	l := NewMemoryLedger()
	f := newFakeAPI(t, WithLedger(l), WithRetries(0), WithClock(func() time.Time { return now }))
	f.script("POST", refundCreatePath, badGateway)
	lists := f.script("POST", refundListPath, okData(`[]`), okData(`[]`),
		okData(`[`+refundEntry("OTHER0001", "R0", "COMPLETE")+`]`))
	_, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
	require.True(t, IsOutcomeUnknown(err), "%v", err)

	now = now.Add(DefaultSettleTime + time.Hour)
	rep, err := f.Client.Recover(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Resolutions, 1)
	assert.Equal(t, IntentUnknown, rep.Resolutions[0].State, "an empty list is not proof of absence")
	assert.ErrorIs(t, rep.Resolutions[0].Err, ErrLookupInconclusive)

	now = now.Add(time.Hour) // past Recover's own claim
	rep, err = f.Client.Recover(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Resolutions, 1)
	assert.Equal(t, IntentAbsent, rep.Resolutions[0].State, "listed refunds without this one: not found")
	assert.Equal(t, int32(3), lists.Load())
}

// The id of the intent in the way is printed whole (redaction would mask its digit runs), so
// that it can be resolved by hand.
func TestLedgerErrorNamesTheIntentWhole(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	const id = "0123456789abcdef0123456789abcdef"
	require.NoError(t, l.Record(ctx, &Intent{ID: id, AppID: testAppID, Operation: OpPayoutCreate, MchOrderID: "TestMchOrderIdD0001", State: IntentPending}))
	require.NoError(t, l.Resolve(ctx, id, IntentResolution{State: IntentUnknown, At: fixedNow}))
	f := newFakeAPI(t, WithLedger(l))
	creates := f.script("POST", pathPayoutCreate, okData(payoutCreateData))
	_, err := f.Client.Payouts.Create(ctx, fullCreatePayoutParams())
	require.Error(t, err)
	assert.Contains(t, err.Error(), id)
	assert.Contains(t, err.Error(), "(unknown)")
	var le *LedgerError
	require.ErrorAs(t, err, &le)
	assert.ErrorIs(t, err, ErrIntentOpen)
	var open *IntentOpenError
	require.ErrorAs(t, err, &open)
	assert.Equal(t, id, open.IntentID)
	assert.Equal(t, int32(0), creates.Load())
}

func TestWithSettleTime(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		_, err := NewClient(testAppID, testMerchantKey(t), WithSettleTime(d))
		assert.ErrorContains(t, err, "WithSettleTime")
	}
}

// phWebPaymentParams is a PH web payment create that the PH dialect accepts.
func phWebPaymentParams(order string) *WebPaymentCreateParams {
	return &WebPaymentCreateParams{MchOrderID: order, Amount: 50010, ChannelCode: "GCASH_URL", CustomerName: "Juan Dela Cruz",
		Email: "juan@example.com", Mobile: "09171234567", NotifyURL: "https://merchant.example/notify",
		RedirectURL: "https://merchant.example/back", CountryCode: CountryPH, Currency: CurrencyPHP, ChannelType: WebPaymentChannelTypeEWallet,
		TerminalType: "WEB"}
}

// In the PH dialect a web payment cannot be looked up by merchant order id: Recover says so
// and sends nothing, the order stays blocked, and the verified callback for the order settles
// its intent; a new order is then created as usual.
func TestPHWebPaymentSettledByItsCallback(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	c, w := newPHClient(t, WithLedger(l), WithRetries(0))
	w.mt.RegisterResponder("POST", "https://api-uat.paycools.com/api/v1/payment",
		httpmock.NewStringResponder(http.StatusBadGateway, "<html>502 Bad Gateway</html>"))

	_, err := c.WebPayments.Create(ctx, phWebPaymentParams("WEBPH0000000001"))
	require.True(t, IsOutcomeUnknown(err), "%v", err)
	var re *UnresolvedOutcomeError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, re.LookupErr, ErrNoOrderLookup)
	got, _ := l.Intents(ctx, testAppID, OpWebPaymentCreate, "WEBPH0000000001")
	require.Len(t, got, 1)
	intent := got[0]
	assert.Equal(t, IntentUnknown, intent.State)
	sent := w.mt.GetTotalCallCount()

	rep, err := c.Recover(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Resolutions, 1)
	assert.Equal(t, IntentUnknown, rep.Resolutions[0].State)
	assert.ErrorIs(t, rep.Resolutions[0].Err, ErrNoOrderLookup)
	assert.Contains(t, rep.Resolutions[0].Err.Error(), intent.ID, "the intent id whole, to resolve it by hand")
	assert.Equal(t, sent, w.mt.GetTotalCallCount(), "Recover sends no look-up the SDK itself refuses")

	_, err = c.WebPayments.Create(ctx, phWebPaymentParams("WEBPH0000000001"))
	assert.ErrorIs(t, err, ErrIntentOpen)
	assert.Contains(t, err.Error(), intent.ID)

	called := 0
	h := c.NotificationHandler(func(context.Context, *Notification) error { called++; return nil })
	// A callback for the order with another amount is not this intent's order.
	other := `{"eventName":"h5.payment.success","mchOrderId":"WEBPH0000000001","transactionId":"PHP20240912190700009","amount":99999,"transactionStatus":"COMPLETED","createTime":"2024-09-12 19:07:00"}`
	rec := serveCallback(h, "POST", signedCallback(t, other))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got, _ = l.Intents(ctx, testAppID, OpWebPaymentCreate, "WEBPH0000000001")
	assert.Equal(t, IntentUnknown, got[0].State, "another amount settles nothing")

	param := `{"eventName":"h5.payment.success","mchOrderId":"WEBPH0000000001","transactionId":"PHP20240912190700001","amount":50010,"transactionStatus":"COMPLETED","createTime":"2024-09-12 19:07:00","channelCode":"GCASH_URL"}`
	rec = serveCallback(h, "POST", signedCallback(t, param))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, 2, called)
	got, _ = l.Intents(ctx, testAppID, OpWebPaymentCreate, "WEBPH0000000001")
	require.Len(t, got, 1)
	assert.Equal(t, IntentCreated, got[0].State, "the verified callback settles the intent")
	assert.Equal(t, "PHP20240912190700001", got[0].TransactionID)

	rep, err = c.Recover(ctx)
	require.NoError(t, err)
	assert.Empty(t, rep.Resolutions, "nothing left open")

	w.mt.RegisterResponder("POST", "https://api-uat.paycools.com/api/v1/payment", httpmock.NewStringResponder(http.StatusOK,
		`{"code":1000,"message":"Success","data":{"mchOrderId":"WEBPH0000000002","transactionId":"PHP20240912190700002","transactionStatus":"PENDING","redirectUrl":"https://pay.example/2"}}`))
	p, err := c.WebPayments.Create(ctx, phWebPaymentParams("WEBPH0000000002"))
	require.NoError(t, err, "the next order is not blocked")
	assert.Equal(t, "PHP20240912190700002", p.TransactionID)
}

// flakyLedger fails Intents while readFails is set, and fails Resolve after writing once while
// lostAnswer is set: the database acted, the answer was lost.
type flakyLedger struct {
	*MemoryLedger
	readFails, lostAnswer bool
}

func (l *flakyLedger) Intents(ctx context.Context, appID string, op Operation, order string) ([]Intent, error) {
	if l.readFails {
		return nil, errors.New("connection reset")
	}
	return l.MemoryLedger.Intents(ctx, appID, op, order)
}

func (l *flakyLedger) Resolve(ctx context.Context, id string, r IntentResolution) error {
	err := l.MemoryLedger.Resolve(ctx, id, r)
	if l.lostAnswer {
		l.lostAnswer = false
		return errors.New("connection reset after commit")
	}
	return err
}

// A callback that cannot settle its intent because the ledger failed gets 500 (fn not run), so
// that PayCools delivers again; the redelivery finds the intent settled by the write whose
// answer was lost, runs fn once, and records the payout once.
func TestCallbackSettleWithAFailingLedger(t *testing.T) {
	ctx := context.Background()
	l := &flakyLedger{MemoryLedger: NewMemoryLedger()}
	f := newFakeAPI(t, WithLedger(l), WithRetries(0))
	f.script("POST", pathPayoutCreate, badGateway)
	f.script("POST", pathPayoutGet, codeAnswer(21000, "Server error"))
	_, err := f.Client.Payouts.Create(ctx, fullCreatePayoutParams())
	require.True(t, IsOutcomeUnknown(err), "%v", err)

	called := 0
	h := f.Client.NotificationHandler(func(context.Context, *Notification) error { called++; return nil })
	body := signedCallback(t, `{"eventName":"disbursement.success","mchOrderId":"TestMchOrderIdD0001","transactionId":"DU77","amount":50010,"transactionStatus":"COMPLETED"}`)

	l.readFails = true
	assert.Equal(t, http.StatusInternalServerError, serveCallback(h, "POST", body).Code)
	l.readFails, l.lostAnswer = false, true
	assert.Equal(t, http.StatusInternalServerError, serveCallback(h, "POST", body).Code)
	assert.Zero(t, called, "fn does not run before the ledger is settled")

	rec := serveCallback(h, "POST", body)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, 1, called)
	got, _ := l.Intents(ctx, testAppID, OpPayoutCreate, "TestMchOrderIdD0001")
	require.Len(t, got, 1)
	assert.Equal(t, IntentCreated, got[0].State)
	assert.Equal(t, "DU77", got[0].TransactionID)
}
