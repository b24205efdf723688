package paycools

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathPayoutCreate = "/open-api/philippines/disbursement/transfer"
	pathPayoutGet    = "/open-api/disbursement/check"
)

func fullCreatePayoutParams() *PayoutCreateParams {
	return &PayoutCreateParams{
		MchOrderID:    "TestMchOrderIdD0001",
		IdempotencyID: "TestIdempotency0001",
		Amount:        50010,
		AccountNo:     "09171234567",
		AccountName:   "Juan Dela Cruz",
		PayMethodCode: PayMethodEWallet,
		TransferCode:  "GCASH",
		Remark:        "salary",
	}
}

const payoutCreateData = `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1656505190221611009","transactionStatus":"PENDING","transactionTime":"2024-07-19 14:14:47"}`

func TestPayoutCreateRequest(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutCreate, payoutCreateData)
	res, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, pathPayoutCreate, got.Path)
	assert.Equal(t, []string{"accountName", "accountNo", "amount", "idempotencyId", "mchOrderId", "payMethodCode", "remark", "timestamp", "transferCode"}, paramKeys(got))
	assert.Equal(t, int64(50010), jsonInt64(t, got.Param["amount"]), "amount is sent as integer centavos")
	assert.Contains(t, got.Env.Param, `"amount":50010`)
	assert.Equal(t, "EWALLET", got.Param["payMethodCode"])

	assert.Equal(t, "TestMchOrderIdD0001", res.MchOrderID)
	assert.Equal(t, "D1656505190221611009", res.TransactionID)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(res.TransactionTime.Time))
	assert.True(t, res.CreateTime.IsZero(), "fields Create does not return stay zero")
	assert.JSONEq(t, payoutCreateData, string(res.Raw))
}

func TestPayoutCreateDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutCreate, payoutCreateData)
	_, err := f.Client.Payouts.Create(context.Background(), &PayoutCreateParams{
		MchOrderID: "TestMchOrderIdD0001", IdempotencyID: "TestMchOrderIdD0001", Amount: 100,
		PayMethodCode: PayMethodBank, TransferCode: "RHBB", AccountNo: "1234", AccountName: "account",
		Remark: "remark", RequestFields: RequestFields{Timestamp: 1678356680000},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"mchOrderId":"TestMchOrderIdD0001","idempotencyId":"TestMchOrderIdD0001","amount":100,
		"payMethodCode":"BANK","transferCode":"RHBB","accountNo":"1234","accountName":"account","remark":"remark",
		"timestamp":1678356680000}`, f.last().Env.Param)
}

func TestPayoutCreateIdempotencyDefault(t *testing.T) {
	t.Run("empty takes MchOrderID on a copy", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", pathPayoutCreate, payoutCreateData)
		p := fullCreatePayoutParams()
		p.IdempotencyID = ""
		_, err := f.Client.Payouts.Create(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, "TestMchOrderIdD0001", f.last().Param["idempotencyId"])
		assert.Empty(t, p.IdempotencyID, "the caller's params must not be modified")
	})
	t.Run("an explicit value is kept", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", pathPayoutCreate, payoutCreateData)
		_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
		require.NoError(t, err)
		assert.Equal(t, "TestIdempotency0001", f.last().Param["idempotencyId"])
	})
	for _, id := range []string{"SHORT1234", strings.Repeat("A", 31)} { // 9 and 31 chars
		t.Run("no default from a MchOrderID of "+itoa(len(id))+" chars", func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPayoutCreate, payoutCreateData)
			p := fullCreatePayoutParams()
			p.MchOrderID, p.IdempotencyID = id, ""
			_, err := f.Client.Payouts.Create(context.Background(), p)
			ve := requireInvalid(t, f, err, "idempotencyId")
			assert.False(t, ve.Has("mchOrderId"), "%v", ve)
		})
	}
	t.Run("bounds 10 and 30 take the default", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", pathPayoutCreate, payoutCreateData)
		for _, id := range []string{"A123456789", strings.Repeat("B", 30)} {
			p := fullCreatePayoutParams()
			p.MchOrderID, p.IdempotencyID = id, ""
			_, err := f.Client.Payouts.Create(context.Background(), p)
			require.NoError(t, err)
			assert.Equal(t, id, f.last().Param["idempotencyId"])
		}
	})
}

func TestPayoutCreateValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(p *PayoutCreateParams)
		field  string
	}{
		{"mchOrderId missing", func(p *PayoutCreateParams) { p.MchOrderID = "" }, "mchOrderId"},
		{"mchOrderId over 32", func(p *PayoutCreateParams) { p.MchOrderID = strings.Repeat("M", 33) }, "mchOrderId"},
		{"idempotencyId under 10", func(p *PayoutCreateParams) { p.IdempotencyID = "123456789" }, "idempotencyId"},
		{"idempotencyId over 30", func(p *PayoutCreateParams) { p.IdempotencyID = strings.Repeat("I", 31) }, "idempotencyId"},
		{"amount missing", func(p *PayoutCreateParams) { p.Amount = 0 }, "amount"},
		{"amount under 100", func(p *PayoutCreateParams) { p.Amount = 99 }, "amount"},
		{"amount over 500000000", func(p *PayoutCreateParams) { p.Amount = 500000001 }, "amount"},
		{"amount negative", func(p *PayoutCreateParams) { p.Amount = -100 }, "amount"},
		{"accountNo missing", func(p *PayoutCreateParams) { p.AccountNo = "" }, "accountNo"},
		{"accountNo over 50 (BANK)", func(p *PayoutCreateParams) { p.PayMethodCode, p.AccountNo = PayMethodBank, strings.Repeat("1", 51) }, "accountNo"},
		{"EWALLET accountNo without 09", func(p *PayoutCreateParams) { p.AccountNo = "9171234567" }, "accountNo"},
		{"EWALLET accountNo too short", func(p *PayoutCreateParams) { p.AccountNo = "0917123456" }, "accountNo"},
		{"EWALLET accountNo too long", func(p *PayoutCreateParams) { p.AccountNo = "091712345678" }, "accountNo"},
		{"EWALLET accountNo in +63 form", func(p *PayoutCreateParams) { p.AccountNo = "+639171234567" }, "accountNo"},
		{"accountName missing", func(p *PayoutCreateParams) { p.AccountName = "" }, "accountName"},
		{"accountName over 128", func(p *PayoutCreateParams) { p.AccountName = strings.Repeat("a", 129) }, "accountName"},
		{"accountName with digits", func(p *PayoutCreateParams) { p.AccountName = "Juan 2nd" }, "accountName"},
		{"accountName with a comma", func(p *PayoutCreateParams) { p.AccountName = "Cruz, Juan" }, "accountName"},
		{"payMethodCode missing", func(p *PayoutCreateParams) { p.PayMethodCode = "" }, "payMethodCode"},
		{"payMethodCode unknown", func(p *PayoutCreateParams) { p.PayMethodCode = "CARD" }, "payMethodCode"},
		{"transferCode missing", func(p *PayoutCreateParams) { p.TransferCode = "" }, "transferCode"},
		{"remark over 256", func(p *PayoutCreateParams) { p.Remark = strings.Repeat("r", 257) }, "remark"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPayoutCreate, payoutCreateData)
			p := fullCreatePayoutParams()
			tc.mutate(p)
			_, err := f.Client.Payouts.Create(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("every problem in one error", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.Payouts.Create(context.Background(), &PayoutCreateParams{PayMethodCode: PayMethodEWallet, AccountNo: "123"})
		ve := requireInvalid(t, f, err, "mchOrderId")
		for _, field := range []string{"idempotencyId", "amount", "accountNo", "accountName", "transferCode"} {
			assert.True(t, ve.Has(field), "missing %s in %v", field, ve)
		}
		assert.Empty(t, f.requests())
	})
	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.Payouts.Create(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
	t.Run("accepted edge values", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", pathPayoutCreate, payoutCreateData)
		ok := []func(p *PayoutCreateParams){
			func(p *PayoutCreateParams) { p.Amount = 100 },
			func(p *PayoutCreateParams) { p.Amount = 500000000 },
			func(p *PayoutCreateParams) { p.AccountName = "José Ñiño O'Brien-Smith Jr." },
			func(p *PayoutCreateParams) { p.AccountName = "María  de la Paz" },
			func(p *PayoutCreateParams) { p.PayMethodCode, p.AccountNo = PayMethodBank, "001234567890" },
			func(p *PayoutCreateParams) {
				p.PayMethodCode, p.AccountNo, p.TransferCode = PayMethodScanQR, "00020101021128", "QRPH"
			},
		}
		for i, m := range ok {
			p := fullCreatePayoutParams()
			m(p)
			_, err := f.Client.Payouts.Create(context.Background(), p)
			require.NoError(t, err, "case %d", i)
		}
		assert.Len(t, f.requests(), len(ok))
	})
}

func TestPayoutCreateExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutCreate, payoutCreateData)
	p := fullCreatePayoutParams()
	p.Extra = map[string]any{"transferCode": "PAYMAYA", "appName": "shop", "accountType": "MOBILE_NUMBER"}
	_, err := f.Client.Payouts.Create(context.Background(), p)
	requireExtraRefused(t, f, err, "transferCode")
	p.Extra = map[string]any{"appName": "shop", "accountType": "MOBILE_NUMBER"}
	_, err = f.Client.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "GCASH", got.Param["transferCode"])
	assert.Equal(t, "shop", got.Param["appName"])
	assert.Equal(t, "MOBILE_NUMBER", got.Param["accountType"])
}

func TestPayoutCreateLogValueMasksAccountNo(t *testing.T) {
	p := fullCreatePayoutParams()
	p.Extra = map[string]any{"bankCode": "secret-value-09171234567"}
	out := logJSON(p) + logJSON(*p) // by pointer and by value
	assert.NotContains(t, out, "09171234567", "the full account number must never be logged")
	assert.NotContains(t, out, "secret-value", "Extra values are not logged")
	assert.Equal(t, 2, strings.Count(out, `"accountNo":"*******4567"`), out)
	assert.Equal(t, 2, strings.Count(out, `"extraKeys":["bankCode"]`), out)
	assert.Contains(t, out, `"mchOrderId":"TestMchOrderIdD0001"`)
	assert.Contains(t, out, `"amount":50010`)
}

func TestPayoutGetRequest(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutGet, `{"mchOrderId":"Platform0001","transactionStatus":"PENDING"}`)
	p := &PayoutGetParams{MchOrderID: "Platform0001", TransactionID: "D1656505190221611009", CountryCode: CountryMY}
	_, err := f.Client.Payouts.Get(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, pathPayoutGet, got.Path)
	assert.Equal(t, []string{"countryCode", "mchOrderId", "timestamp", "transactionId"}, paramKeys(got))
	assert.Equal(t, "MY", got.Param["countryCode"])

	// The doc example, byte for byte; the country defaults to PH on a copy.
	q := &PayoutGetParams{MchOrderID: "Platform0001", RequestFields: RequestFields{Timestamp: 1677133173758}}
	_, err = f.Client.Payouts.Get(context.Background(), q)
	require.NoError(t, err)
	assert.Equal(t, `{"mchOrderId":"Platform0001","countryCode":"PH","timestamp":1677133173758}`, f.last().Env.Param)
	assert.Equal(t, CountryCode(""), q.CountryCode, "the caller's params must not be modified")

	_, err = f.Client.Payouts.Get(context.Background(), &PayoutGetParams{TransactionID: "D1656505190221611009"})
	require.NoError(t, err)
	assert.Equal(t, []string{"countryCode", "timestamp", "transactionId"}, paramKeys(f.last()))
}

func TestPayoutGetValidation(t *testing.T) {
	cases := []struct {
		name  string
		p     *PayoutGetParams
		field string
	}{
		{"no id", &PayoutGetParams{CountryCode: CountryPH}, "mchOrderId"},
		{"mchOrderId over 32", &PayoutGetParams{MchOrderID: strings.Repeat("M", 33)}, "mchOrderId"},
		{"transactionId over 32", &PayoutGetParams{TransactionID: strings.Repeat("D", 33)}, "transactionId"},
		{"countryCode unknown", &PayoutGetParams{MchOrderID: "M1", CountryCode: "XX"}, "countryCode"},
		{"nil params", nil, "params"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPayoutGet, `{}`)
			_, err := f.Client.Payouts.Get(context.Background(), tc.p)
			requireInvalid(t, f, err, tc.field)
		})
	}
}

func TestPayoutGetDecoding(t *testing.T) {
	cases := []struct {
		name, data string
		check      func(t *testing.T, p *Payout)
	}{
		{"completed, integers as strings, PH time", `{"mchOrderId":"Platform0001","transactionId":"D1656505190221611009",
			"countryCode":"PH","currency":"PHP","amount":"50010","transactionStatus":"COMPLETE",
			"createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:20:00+08:00","remark":"salary",
			"failedCode":"0","failedMessage":null}`, func(t *testing.T, p *Payout) {
			assert.Equal(t, "Platform0001", p.MchOrderID)
			assert.Equal(t, "D1656505190221611009", p.TransactionID)
			assert.Equal(t, CountryPH, p.CountryCode)
			assert.Equal(t, CurrencyPHP, p.Currency)
			assert.Equal(t, Amount(50010), p.Amount)
			assert.Equal(t, TransactionStatusCompleted, p.TransactionStatus, "COMPLETE is decoded as COMPLETED")
			assert.True(t, p.TransactionStatus.Final())
			assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(p.CreateTime.Time))
			assert.True(t, phTimeOf(2024, 7, 19, 14, 20, 0).Equal(p.ReturnTime.Time))
			assert.Equal(t, "salary", p.Remark)
			assert.Equal(t, 0, p.FailedCode)
			assert.Equal(t, "", p.FailedMessage)
		}},
		{"failed, failedCode as string", `{"mchOrderId":"P2","transactionStatus":"fail","amount":100,
			"failedCode":"-10004","failedMessage":"Transaction Channel Rejected","createTime":"2024-07-19T06:14:47Z","returnTime":""}`,
			func(t *testing.T, p *Payout) {
				assert.Equal(t, TransactionStatusFailed, p.TransactionStatus)
				assert.Equal(t, FailedCodeChannelRejected, p.FailedCode)
				assert.Equal(t, "Transaction Channel Rejected", p.FailedMessage)
				assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(p.CreateTime.Time))
				assert.True(t, p.ReturnTime.IsZero())
			}},
		{"pending; unknown status and undocumented failedCode kept", `{"mchOrderId":"P3","transactionStatus":"PROCESSING","failedCode":1001,"amount":1.00}`,
			func(t *testing.T, p *Payout) {
				assert.Equal(t, TransactionStatus("PROCESSING"), p.TransactionStatus)
				assert.False(t, p.TransactionStatus.Final())
				assert.Equal(t, 1001, p.FailedCode)
				assert.Equal(t, Amount(100), p.Amount)
			}},
		{"IDR whole rupiah", `{"mchOrderId":"P4","countryCode":"ID","currency":"IDR","amount":150000,"transactionStatus":"PENDING"}`,
			func(t *testing.T, p *Payout) {
				assert.Equal(t, CountryID, p.CountryCode)
				assert.Equal(t, CurrencyIDR, p.Currency)
				assert.Equal(t, Amount(150000), p.Amount)
				assert.Equal(t, TransactionStatusPending, p.TransactionStatus)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPayoutGet, tc.data)
			p, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "Platform0001"})
			require.NoError(t, err)
			tc.check(t, p)
			assert.JSONEq(t, tc.data, string(p.Raw))
		})
	}
}

func TestPayoutGetExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutGet, `{}`)
	_, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{
		MchOrderID:    "Platform0001",
		RequestFields: RequestFields{Extra: map[string]any{"appName": "shop", "mch_order_id": "Other"}},
	})
	requireExtraRefused(t, f, err, "mch_order_id")
	_, err = f.Client.Payouts.Get(context.Background(), &PayoutGetParams{
		MchOrderID:    "Platform0001",
		RequestFields: RequestFields{Extra: map[string]any{"appName": "shop"}},
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "Platform0001", got.Param["mchOrderId"])
	assert.Equal(t, "shop", got.Param["appName"])
}

func TestPayoutWaitPollsUntilFinal(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", pathPayoutGet,
		okData(`{"mchOrderId":"P1","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"P1","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"P1","transactionStatus":"COMPLETED","returnTime":"2024-07-19 14:20:00"}`),
		okData(`{"mchOrderId":"P1","transactionStatus":"FAILED"}`),
	)
	p := &PayoutGetParams{MchOrderID: "P1"}
	res, err := f.Client.Payouts.Wait(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, int32(3), calls.Load(), "stops at the first final status")
	assert.Equal(t, TransactionStatusCompleted, res.TransactionStatus)
	assert.True(t, phTimeOf(2024, 7, 19, 14, 20, 0).Equal(res.ReturnTime.Time))
	for _, r := range f.requests() {
		assert.Equal(t, "P1", r.Param["mchOrderId"])
		assert.Equal(t, "PH", r.Param["countryCode"])
	}
	assert.Equal(t, CountryCode(""), p.CountryCode)
}

func TestPayoutWaitKeepsPollingThroughTransientFailures(t *testing.T) {
	f := newFakeAPI(t, WithRetries(0))
	calls := f.script("POST", pathPayoutGet,
		badGateway,
		okData(`{"mchOrderId":"P1","transactionStatus":"PENDING"}`),
		okData(`{"mchOrderId":"P1","transactionStatus":"FAILED","failedCode":-10005}`),
	)
	res, err := f.Client.Payouts.Wait(context.Background(), &PayoutGetParams{MchOrderID: "P1"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, TransactionStatusFailed, res.TransactionStatus)
	assert.Equal(t, FailedCodeDestinationAccount, res.FailedCode)
}

func TestPayoutWaitContextEnds(t *testing.T) {
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up on the third poll, while the payout is still pending.
	calls := f.scriptHook("POST", pathPayoutGet, cancelOn(3, cancel),
		okData(`{"mchOrderId":"P1","transactionId":"D1","transactionStatus":"PENDING"}`))
	res, err := f.Client.Payouts.Wait(ctx, &PayoutGetParams{MchOrderID: "P1"})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res, "the last result seen is returned with the context error")
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)
	assert.Equal(t, "D1", res.TransactionID)
	assert.GreaterOrEqual(t, calls.Load(), int32(2))
	assert.LessOrEqual(t, calls.Load(), int32(3), "no poll after the context ended")
}

func TestPayoutWaitDeadline(t *testing.T) {
	f := newFakeAPI(t)
	f.script("POST", pathPayoutGet, okData(`{"mchOrderId":"P1","transactionStatus":"PENDING"}`))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := f.Client.Payouts.Wait(ctx, &PayoutGetParams{MchOrderID: "P1"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestPayoutWaitStopsOnPermanentError(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", pathPayoutGet,
		okData(`{"mchOrderId":"P1","transactionStatus":"PENDING"}`),
		codeAnswer(21003, "merchant appid is invalid"),
	)
	res, err := f.Client.Payouts.Wait(context.Background(), &PayoutGetParams{MchOrderID: "P1"})
	assert.ErrorIs(t, err, ErrAppID)
	assert.Equal(t, int32(2), calls.Load())
	require.NotNil(t, res)
	assert.Equal(t, TransactionStatusPending, res.TransactionStatus)

	_, err = f.Client.Payouts.Wait(context.Background(), nil)
	requireInvalid(t, nil, err, "params") // f holds the two polls above
}

// The outcome resolution: Create ends with an unknown outcome (HTTP 502 with an HTML body: an
// *HTTPError with OutcomeUnknown, not retried for writes), then Get by mchOrderId decides.
func TestPayoutCreateResolve(t *testing.T) {
	const found = `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1656505190221611009","countryCode":"PH","currency":"PHP","amount":50010,"transactionStatus":"PENDING","createTime":"2024-07-19 14:14:47"}`
	assertSameCreate := func(t *testing.T, creates []recorded) {
		t.Helper()
		require.Len(t, creates, 2)
		for _, k := range []string{"mchOrderId", "idempotencyId", "amount", "accountNo"} {
			assert.Equal(t, creates[0].Param[k], creates[1].Param[k], "the resend must carry the same %s", k)
		}
		assert.Equal(t, "TestMchOrderIdD0001", creates[1].Param["idempotencyId"])
	}
	params := func() *PayoutCreateParams {
		p := fullCreatePayoutParams()
		p.IdempotencyID = "" // defaults to MchOrderID; the resend must reuse it
		return p
	}

	t.Run("found", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, badGateway)
		gets := f.script("POST", pathPayoutGet, okData(found))
		res, err := f.Client.Payouts.Create(context.Background(), params())
		require.NoError(t, err)
		assert.Equal(t, int32(1), creates.Load(), "a write with an unknown outcome is never blindly resent")
		assert.Equal(t, int32(1), gets.Load())
		assert.Equal(t, "D1656505190221611009", res.TransactionID)
		assert.Equal(t, Amount(50010), res.Amount)
		g := f.requestsTo(pathPayoutGet)[0]
		assert.Equal(t, []string{"countryCode", "mchOrderId", "timestamp"}, paramKeys(g))
		assert.Equal(t, "TestMchOrderIdD0001", g.Param["mchOrderId"])
		assert.Equal(t, "PH", g.Param["countryCode"])
	})

	t.Run("not found, resend succeeds", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, badGateway, okData(payoutCreateData))
		gets := f.script("POST", pathPayoutGet, codeAnswer(21006, "transaction not found"))
		res, err := f.Client.Payouts.Create(context.Background(), params())
		require.NoError(t, err)
		assert.Equal(t, int32(2), creates.Load())
		assert.Equal(t, int32(1), gets.Load())
		assert.Equal(t, "D1656505190221611009", res.TransactionID)
		assert.JSONEq(t, payoutCreateData, string(res.Raw))
		assertSameCreate(t, f.requestsTo(pathPayoutCreate))
	})

	t.Run("not found as 21010 'transaction not found', resend succeeds", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, badGateway, okData(payoutCreateData))
		f.script("POST", pathPayoutGet, codeAnswer(21010, "transaction not found"))
		_, err := f.Client.Payouts.Create(context.Background(), params())
		require.NoError(t, err)
		assert.Equal(t, int32(2), creates.Load())
	})

	for _, dup := range []struct {
		code int
		msg  string
	}{{21007, "Duplicate mchOrderId"}, {21015, "Duplicate idempotencyId"}, {1012, "merchant order id is repeat"}} {
		t.Run("not found, resend answers duplicate "+itoa(dup.code)+", lookup again", func(t *testing.T) {
			f := newFakeAPI(t)
			creates := f.script("POST", pathPayoutCreate, badGateway, codeAnswer(dup.code, dup.msg))
			gets := f.script("POST", pathPayoutGet, codeAnswer(21006, "transaction not found"), okData(found))
			res, err := f.Client.Payouts.Create(context.Background(), params())
			require.NoError(t, err)
			assert.Equal(t, int32(2), creates.Load())
			assert.Equal(t, int32(2), gets.Load())
			assert.Equal(t, "D1656505190221611009", res.TransactionID)
			assertSameCreate(t, f.requestsTo(pathPayoutCreate))
		})
	}

	t.Run("duplicate but the second lookup fails: original error, still unknown", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", pathPayoutCreate, badGateway, codeAnswer(21007, "Duplicate mchOrderId"))
		f.script("POST", pathPayoutGet, codeAnswer(21006, "transaction not found"), codeAnswer(21003, "appid invalid"))
		res, err := f.Client.Payouts.Create(context.Background(), params())
		assert.Nil(t, res)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
		assert.True(t, IsOutcomeUnknown(err))
	})

	t.Run("not found, resend refused: that refusal, still unknown when the code proves nothing", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, badGateway, codeAnswer(21014, "balance insufficient"))
		f.script("POST", pathPayoutGet, codeAnswer(21006, "transaction not found"))
		res, err := f.Client.Payouts.Create(context.Background(), params())
		assert.Nil(t, res)
		assert.ErrorIs(t, err, ErrInsufficientBalance)
		assert.True(t, IsOutcomeUnknown(err), "21014 does not prove that nothing was created")
		assert.Equal(t, int32(2), creates.Load())
	})

	t.Run("lookup fails otherwise: original error, still unknown, no resend", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", pathPayoutCreate, badGateway, okData(payoutCreateData))
		gets := f.script("POST", pathPayoutGet, codeAnswer(21003, "merchant appid is invalid"))
		res, err := f.Client.Payouts.Create(context.Background(), params())
		assert.Nil(t, res)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.True(t, he.OutcomeUnknown)
		assert.True(t, IsOutcomeUnknown(err))
		assert.Equal(t, int32(1), creates.Load(), "no resend when the lookup proves nothing")
		assert.Equal(t, int32(1), gets.Load())
	})

	t.Run("outcome resolution off", func(t *testing.T) {
		f := newFakeAPI(t, WithResolveOutcome(false))
		creates := f.script("POST", pathPayoutCreate, badGateway)
		gets := f.script("POST", pathPayoutGet, okData(found))
		_, err := f.Client.Payouts.Create(context.Background(), params())
		assert.True(t, IsOutcomeUnknown(err))
		assert.Equal(t, int32(1), creates.Load())
		assert.Equal(t, int32(0), gets.Load())
	})

	t.Run("a refusal is not resolved", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyCode("POST", pathPayoutCreate, 21007, "Duplicate mchOrderId")
		gets := f.script("POST", pathPayoutGet, okData(found))
		_, err := f.Client.Payouts.Create(context.Background(), params())
		assert.ErrorIs(t, err, ErrDuplicateOrder)
		assert.Len(t, f.requestsTo(pathPayoutCreate), 1)
		assert.Equal(t, int32(0), gets.Load())
	})
}

func TestPayoutNotificationEvents(t *testing.T) {
	t.Run("disbursement.success", func(t *testing.T) {
		f := newFakeAPI(t)
		param := `{"eventName":"disbursement.success","mchOrderId":"Platform0001","transactionId":"DU514182073259261952",` +
			`"countryCode":"PH","currency":"PHP","amount":"50010","transactionStatus":"COMPLETE",` +
			`"createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:20:00+08:00","remark":"salary"}`
		n, err := f.Client.ParseNotification(signedCallback(t, param))
		require.NoError(t, err)
		assert.Equal(t, EventDisbursementSuccess, n.EventName)
		ev, ok := n.Event.(*PayoutNotification)
		require.True(t, ok, "Event is %T", n.Event)
		assert.Equal(t, EventDisbursementSuccess, ev.EventName)
		assert.Equal(t, "Platform0001", ev.MchOrderID)
		assert.Equal(t, "DU514182073259261952", ev.TransactionID)
		assert.Equal(t, CountryPH, ev.CountryCode)
		assert.Equal(t, CurrencyPHP, ev.Currency)
		assert.Equal(t, Amount(50010), ev.Amount)
		assert.Equal(t, TransactionStatusCompleted, ev.TransactionStatus)
		assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(ev.CreateTime.Time))
		assert.True(t, phTimeOf(2024, 7, 19, 14, 20, 0).Equal(ev.ReturnTime.Time))
		assert.Equal(t, "salary", ev.Remark)
		assert.Equal(t, 0, ev.FailedCode)
		assert.Equal(t, param, string(ev.Raw))
	})
	t.Run("disbursement.failed", func(t *testing.T) {
		f := newFakeAPI(t)
		param := `{"eventName":"disbursement.failed","mchOrderId":"Platform0002","transactionId":"DU2",` +
			`"countryCode":"PH","currency":"PHP","amount":100,"transactionStatus":"FAILED",` +
			`"createTime":"2024-07-19T14:14:47+08:00","returnTime":"2024-07-19 14:20:00",` +
			`"failedCode":"-10005","failedMessage":"Transaction Destination Account Error"}`
		n, err := f.Client.ParseNotification(signedCallback(t, param))
		require.NoError(t, err)
		ev, ok := n.Event.(*PayoutNotification)
		require.True(t, ok, "Event is %T", n.Event)
		assert.Equal(t, EventDisbursementFailed, ev.EventName)
		assert.Equal(t, TransactionStatusFailed, ev.TransactionStatus)
		assert.Equal(t, FailedCodeDestinationAccount, ev.FailedCode)
		assert.Equal(t, "Transaction Destination Account Error", ev.FailedMessage)
		assert.Equal(t, Amount(100), ev.Amount)
		assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(ev.CreateTime.Time))
		assert.True(t, phTimeOf(2024, 7, 19, 14, 20, 0).Equal(ev.ReturnTime.Time))
	})
	t.Run("through NotificationHandler", func(t *testing.T) {
		f := newFakeAPI(t)
		var got *PayoutNotification
		h := f.Client.NotificationHandler(func(_ context.Context, n *Notification) error {
			if ev, ok := n.Event.(*PayoutNotification); ok {
				got = ev
			}
			return nil
		})
		body := signedCallback(t, `{"eventName":"disbursement.success","mchOrderId":"M1","transactionId":"DU1","amount":100,"transactionStatus":"COMPLETED"}`)
		rec := serveCallback(h, "POST", body)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.JSONEq(t, `{"code":10000,"message":"Success"}`, rec.Body.String())
		require.NotNil(t, got)
		assert.Equal(t, "DU1", got.TransactionID)
		assert.Equal(t, TransactionStatusCompleted, got.TransactionStatus)
	})
	t.Run("a tampered payout callback is refused", func(t *testing.T) {
		f := newFakeAPI(t)
		body := signedCallback(t, `{"eventName":"disbursement.success","mchOrderId":"M1","amount":100}`)
		tampered := bytes.Replace(body, []byte(`\"amount\":100`), []byte(`\"amount\":999`), 1)
		require.NotEqual(t, body, tampered)
		body = tampered
		_, err := f.Client.ParseNotification(body)
		var se *SignatureError
		assert.True(t, errors.As(err, &se), "got %v", err)
	})
}
