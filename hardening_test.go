package paycools

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Codes that do not prove "nothing created" leave a money-moving create unknown, and the create
// is reconciled: here the lookup finds the payout, so the call succeeds with it.
func TestCreateCodesThatProveNothingAreReconciled(t *testing.T) {
	for _, code := range []int{21000, 21011, 21022, 21023, 1018, 1503, 29999} {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, codeAnswer(code, "something"))
		lookups := f.script("POST", pathPayoutGet, okData(`{"mchOrderId":"TestMchOrderIdD0001","transactionId":"DU7","amount":50010,"transactionStatus":"PENDING"}`))
		p, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		require.NoError(t, err, "code %d", code)
		assert.Equal(t, "DU7", p.TransactionID, "code %d: the payout the lookup found", code)
		assert.Equal(t, int32(1), creates.Load(), "code %d", code)
		assert.Equal(t, int32(1), lookups.Load(), "code %d: reconciled by merchant order id", code)
	}
	// Without reconcile the error says so.
	f := newFakeAPI(t, WithReconcile(false))
	f.script("POST", pathPayoutCreate, codeAnswer(21023, "Transaction create failed"))
	_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.ErrorIs(t, err, ErrCreateFailed)
	assert.True(t, IsOutcomeUnknown(err))
	assert.Contains(t, err.Error(), "outcome unknown")
	// A code that proves nothing was created is a plain failure, and not reconciled.
	f = newFakeAPI(t)
	f.script("POST", pathPayoutCreate, codeAnswer(21007, "Duplicate mchOrderId"))
	_, err = f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.ErrorIs(t, err, ErrDuplicateOrder)
	assert.False(t, IsOutcomeUnknown(err))
	// On a query, 21000 is just an error.
	f = newFakeAPI(t, WithRetries(0))
	f.script("POST", pathPayoutGet, codeAnswer(21000, "Server error"))
	_, err = f.Client.Payouts.Get(context.Background(), &GetPayoutParams{MchOrderID: "M1"})
	require.ErrorIs(t, err, ErrServer)
	assert.False(t, IsOutcomeUnknown(err))
}

// Only JSON-integer success codes, 1 only on the checkout path family, and no repeated
// envelope names: anything else is an *HTTPError, outcome unknown on writes.
func TestSuccessCodesAreStrict(t *testing.T) {
	for _, body := range []string{
		`{"code":"10000","message":"Success","data":{}}`,
		`{"code":"0001","message":"Success","data":{}}`,
		`{"code":"+10000","message":"Success","data":{}}`,
		`{"code":1000.000,"message":"Success","data":{}}`,
		`{"code":1e4,"message":"Success","data":{}}`,
		`{"code":21002,"message":"Request param error","code":10000}`,
		`{"code":21002,"message":"Request param error","Code":10000}`,
		`{"code":10000,"data":{"x":1},"DATA":{"x":2}}`,
	} {
		f := newFakeAPI(t, WithRetries(0), WithReconcile(false))
		f.reply("POST", pathPayoutCreate, 200, body)
		_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		var he *HTTPError
		require.ErrorAs(t, err, &he, body)
		assert.True(t, IsOutcomeUnknown(err), "a write that got no readable envelope: %s", body)
	}
	// Code 1 is success only on /api/v2/checkout/*: a payout answered 1 failed.
	f := newFakeAPI(t, WithRetries(0), WithReconcile(false))
	f.reply("POST", pathPayoutCreate, 200, `{"code":1,"message":"Insufficient balance"}`)
	_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1, ae.Code)
	// The names inside data may repeat envelope names without harm.
	f = newFakeAPI(t)
	f.replyData("POST", pathPayoutCreate, `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","transactionStatus":"PENDING","code":"x","data":{"code":1,"msg":"y"}}`)
	p, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.NoError(t, err)
	assert.Equal(t, "D1", p.TransactionID)
	assert.False(t, repeatsEnvelopeName([]byte(`{"code":10000,"message":"a","data":{"code":"code","message":"message"}}`)))
	assert.True(t, repeatsEnvelopeName([]byte(`{"code":10000,"message":"a"} {"code":1}`)))
}
