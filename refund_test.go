package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	refundCreatePath = "/open-api/payment/refund"
	refundListPath   = "/open-api/refund/payments"
)

func fullRefundCreateParams() *RefundCreateParams {
	return &RefundCreateParams{
		MchRefundOrderID:      "CCP20220428011068111",
		OriginalTransactionID: "C1175676368800878371",
		RefundAmount:          1000,
		RefundReason:          "refund",
		RefundCallbackURL:     "https://www.google.com/cb?a=1&b=2",
	}
}

const refundCreatedData = `{"mchRefundOrderId":"CCP20220428011068111","refundTransactionId":"R1175676368800878371","refundAmount":"1000","refundCreateTime":"2024-07-31 16:37:39","refundStatus":"PENDING"}`

func TestRefundCreateRequestAndDecode(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", refundCreatePath, refundCreatedData)
	res, err := f.Client.Refunds.Create(context.Background(), fullRefundCreateParams())
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, refundCreatePath, got.Path)
	assert.Equal(t, sortedNames("timestamp", "mchRefundOrderId", "originalTransactionId", "refundAmount", "refundReason", "refundCallbackUrl"), paramKeys(got))
	assert.Equal(t, json.Number("1000"), got.Param["refundAmount"])
	assert.Contains(t, got.Env.Param, `"refundCallbackUrl":"https://www.google.com/cb?a=1&b=2"`)
	assert.Len(t, f.requests(), 1)

	assert.Equal(t, "CCP20220428011068111", res.MchRefundOrderID)
	assert.Equal(t, "R1175676368800878371", res.RefundTransactionID)
	assert.Equal(t, Amount(1000), res.RefundAmount)
	assert.Equal(t, RefundStatusPending, res.RefundStatus)
	assert.False(t, res.RefundStatus.Final())
	assert.True(t, res.RefundCreateTime.Equal(phTimeOf(2024, 7, 31, 16, 37, 39)))
	assert.JSONEq(t, refundCreatedData, string(res.Raw))
}

// The 8.1 doc example: the param holds exactly the doc's names and values.
func TestRefundCreateDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", refundCreatePath, refundCreatedData)
	_, err := f.Client.Refunds.Create(context.Background(), &RefundCreateParams{
		MchRefundOrderID:      "CCP20220428011068111",
		OriginalTransactionID: "C1175676368800878371",
		RefundAmount:          1000,
		RefundReason:          "refund",
		RefundCallbackURL:     "https://www.google.com",
		RequestFields:         RequestFields{Timestamp: 1722415059000},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"mchRefundOrderId": "CCP20220428011068111",
		"originalTransactionId": "C1175676368800878371",
		"refundAmount": 1000,
		"refundReason": "refund",
		"refundCallbackUrl": "https://www.google.com",
		"timestamp": 1722415059000
	}`, f.last().Env.Param)
}

func TestRefundCreateExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", refundCreatePath, refundCreatedData)
	p := fullRefundCreateParams()
	p.RefundReason = ""
	p.Extra = map[string]any{"subOrderId": "JT0001", "refundAmount": 999}
	_, err := f.Client.Refunds.Create(context.Background(), p)
	requireExtraRefused(t, f, err, "refundAmount")
	p.Extra = map[string]any{"subOrderId": "JT0001"}
	_, err = f.Client.Refunds.Create(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, sortedNames("timestamp", "mchRefundOrderId", "originalTransactionId", "refundAmount", "refundCallbackUrl", "subOrderId"), paramKeys(got))
	assert.Equal(t, "JT0001", got.Param["subOrderId"])
	assert.Equal(t, json.Number(itoa(int(p.RefundAmount))), got.Param["refundAmount"])
}

func TestRefundCreateValidation(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(p *RefundCreateParams)
		field string
	}{
		{"mchRefundOrderId missing", func(p *RefundCreateParams) { p.MchRefundOrderID = "" }, "mchRefundOrderId"},
		{"mchRefundOrderId too long", func(p *RefundCreateParams) { p.MchRefundOrderID = strings.Repeat("R", 33) }, "mchRefundOrderId"},
		{"mchRefundOrderId not alnum", func(p *RefundCreateParams) { p.MchRefundOrderID = "R-1" }, "mchRefundOrderId"},
		{"originalTransactionId missing", func(p *RefundCreateParams) { p.OriginalTransactionID = "" }, "originalTransactionId"},
		{"originalTransactionId too long", func(p *RefundCreateParams) { p.OriginalTransactionID = strings.Repeat("C", 33) }, "originalTransactionId"},
		{"refundAmount missing", func(p *RefundCreateParams) { p.RefundAmount = 0 }, "refundAmount"},
		{"refundAmount negative", func(p *RefundCreateParams) { p.RefundAmount = -1 }, "refundAmount"},
		{"refundReason too long", func(p *RefundCreateParams) { p.RefundReason = strings.Repeat("x", 201) }, "refundReason"},
		{"refundCallbackUrl missing", func(p *RefundCreateParams) { p.RefundCallbackURL = "" }, "refundCallbackUrl"},
		{"refundCallbackUrl not a URL", func(p *RefundCreateParams) { p.RefundCallbackURL = "/cb" }, "refundCallbackUrl"},
		{"refundCallbackUrl too long", func(p *RefundCreateParams) { p.RefundCallbackURL = "https://e.com/" + strings.Repeat("a", 243) }, "refundCallbackUrl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", refundCreatePath, refundCreatedData)
			p := fullRefundCreateParams()
			tc.edit(p)
			_, err := f.Client.Refunds.Create(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.Refunds.Create(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
}

// A refund element as 8.2 lists it.
func refundEntry(mchRefundOrderID, refundTxID, status string) string {
	return `{"mchRefundOrderId":"` + mchRefundOrderID + `","refundTransactionId":"` + refundTxID +
		`","originalTransactionId":"C1175676368800878371","refundAmount":1000,"refundStatus":"` + status + `"}`
}

func TestRefundCreateResolve(t *testing.T) {
	ctx := context.Background()
	mine := refundEntry("CCP20220428011068111", "R1", "PENDING")
	other := refundEntry("OTHER0001", "R0", "COMPLETE")

	t.Run("found: the create happened", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, badGateway)
		lists := f.script("POST", refundListPath, okData(`[`+other+`,`+mine+`]`))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.NoError(t, err)
		assert.Equal(t, int32(1), creates.Load(), "a write with an unknown outcome is never resent blindly")
		assert.Equal(t, int32(1), lists.Load())
		assert.Equal(t, "R1", res.RefundTransactionID)
		assert.Equal(t, RefundStatusPending, res.RefundStatus)
		assert.JSONEq(t, mine, string(res.Raw))
		lookup := f.requestsTo(refundListPath)[0]
		assert.Equal(t, sortedNames("timestamp", "originalTransactionId"), paramKeys(lookup))
		assert.Equal(t, "C1175676368800878371", lookup.Param["originalTransactionId"])
	})

	t.Run("not listed: sent once more with the same ids", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, badGateway, okData(refundCreatedData))
		lists := f.script("POST", refundListPath, okData(`[`+other+`]`))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.NoError(t, err)
		assert.Equal(t, int32(2), creates.Load())
		assert.Equal(t, int32(1), lists.Load())
		assert.Equal(t, "R1175676368800878371", res.RefundTransactionID)
		sent := f.requestsTo(refundCreatePath)
		require.Len(t, sent, 2)
		for _, k := range []string{"mchRefundOrderId", "originalTransactionId", "refundAmount", "refundReason", "refundCallbackUrl"} {
			assert.Equal(t, sent[0].Param[k], sent[1].Param[k], k)
		}
	})

	t.Run("no refunds at all (21006): sent once more", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, badGateway, okData(refundCreatedData))
		f.script("POST", refundListPath, codeAnswer(21006, "Merchant transaction not found"))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.NoError(t, err)
		assert.Equal(t, int32(2), creates.Load())
		assert.Equal(t, RefundStatusPending, res.RefundStatus)
	})

	t.Run("resend answers duplicate (21407): looked up again", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, badGateway, codeAnswer(21407, "MchRefundOrderId is repeat"))
		lists := f.script("POST", refundListPath, okData(`[`+other+`]`), okData(`[`+mine+`]`))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.NoError(t, err)
		assert.Equal(t, int32(2), creates.Load())
		assert.Equal(t, int32(2), lists.Load())
		assert.Equal(t, "R1", res.RefundTransactionID)
	})

	t.Run("resend answers legacy duplicate (1515): looked up again", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", refundCreatePath, badGateway, codeAnswer(1515, "Merchant refund order id is repeat"))
		lists := f.script("POST", refundListPath, okData(`[`+other+`]`), okData(`[`+mine+`]`))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.NoError(t, err)
		assert.Equal(t, int32(2), lists.Load())
		assert.Equal(t, "R1", res.RefundTransactionID)
	})

	t.Run("duplicate but still not listed: the first error, still unknown", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", refundCreatePath, badGateway, codeAnswer(21407, "MchRefundOrderId is repeat"))
		f.script("POST", refundListPath, okData(`[]`))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.Error(t, err)
		assert.Nil(t, res)
		assert.True(t, IsOutcomeUnknown(err))
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 502, he.StatusCode)
	})

	t.Run("resend refused: that refusal is returned", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", refundCreatePath, badGateway, codeAnswer(21406, "Refund amount invalid"))
		f.script("POST", refundListPath, okData(`[`+other+`]`))
		_, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		assert.ErrorIs(t, err, ErrRefundAmount)
		assert.False(t, IsOutcomeUnknown(err))
	})

	// An empty list may lag behind the create: it proves nothing, so nothing is resent and the
	// outcome stays unknown (a list holding other refunds but not this one is "not found").
	t.Run("empty list: the first error, still unknown, no resend", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, badGateway, okData(refundCreatedData))
		lists := f.script("POST", refundListPath, okData(`[]`))
		res, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		assert.Nil(t, res)
		assert.True(t, IsOutcomeUnknown(err), "%v", err)
		var re *UnresolvedOutcomeError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, re.LookupErr, ErrLookupInconclusive)
		assert.Equal(t, int32(1), creates.Load(), "no resend")
		assert.Equal(t, int32(1), lists.Load())
	})

	t.Run("lookup fails: the first error, still unknown, no resend", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, badGateway)
		lists := f.script("POST", refundListPath, codeAnswer(21001, "Request sign error"))
		_, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		require.Error(t, err)
		assert.True(t, IsOutcomeUnknown(err))
		assert.False(t, errors.Is(err, ErrSignature), "the lookup's error is not the create's")
		assert.Equal(t, int32(1), creates.Load())
		assert.Equal(t, int32(1), lists.Load())
	})

	t.Run("a refusal is not resolved", func(t *testing.T) {
		f := newFakeAPI(t)
		creates := f.script("POST", refundCreatePath, codeAnswer(21402, "Not allowed to refund"))
		lists := f.script("POST", refundListPath, okData(`[`+mine+`]`))
		_, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		assert.ErrorIs(t, err, ErrRefundNotAllowed)
		assert.Equal(t, int32(1), creates.Load())
		assert.Equal(t, int32(0), lists.Load())
	})

	t.Run("WithResolveOutcome(false)", func(t *testing.T) {
		f := newFakeAPI(t, WithResolveOutcome(false))
		f.script("POST", refundCreatePath, badGateway)
		lists := f.script("POST", refundListPath, okData(`[`+mine+`]`))
		_, err := f.Client.Refunds.Create(ctx, fullRefundCreateParams())
		assert.True(t, IsOutcomeUnknown(err))
		assert.Equal(t, int32(0), lists.Load())
	})
}

const refundListData = `[
	{"mchRefundOrderId":"CCP1","refundTransactionId":"R1","originalTransactionId":"CU518563189147832320",
	 "refundAmount":"1000","feeRefunded":"10","refundStatus":"complete","refundCreateTime":"2024-07-31 16:37:39",
	 "refundReturnTime":"2024-07-31T16:40:00+08:00","refundReason":"refund"},
	{"mchRefundOrderId":"CCP2","refundTransactionId":"R2","originalTransactionId":"CU518563189147832320",
	 "refundAmount":500,"refundStatus":"FAILED","refundCreateTime":"2024-07-31 17:00:00",
	 "failedCode":"-10009","failedMessage":-10009},
	{"mchRefundOrderId":"CCP3","refundTransactionId":"R3","refundStatus":"COMPLETED"},
	{"mchRefundOrderId":"CCP4","refundTransactionId":"R4","refundStatus":"CANCELED"},
	{"mchRefundOrderId":"CCP5","refundTransactionId":"R5","refundStatus":"CANCEL"},
	{"mchRefundOrderId":"CCP6","refundTransactionId":"R6","refundStatus":"REVIEWING"}
]`

func TestRefundListPayments(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", refundListPath, refundListData)
	res, err := f.Client.Refunds.ListPayments(context.Background(), &RefundListPaymentsParams{
		OriginalTransactionID: "CU518563189147832320", RefundTransactionID: "R1", RequestFields: RequestFields{Extra: map[string]any{"subOrderId": "W"}},
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, refundListPath, got.Path)
	assert.Equal(t, sortedNames("timestamp", "originalTransactionId", "refundTransactionId", "subOrderId"), paramKeys(got))

	require.Len(t, res.Refunds, 6)
	r1, r2 := res.Refunds[0], res.Refunds[1]
	assert.Equal(t, "CCP1", r1.MchRefundOrderID)
	assert.Equal(t, "R1", r1.RefundTransactionID)
	assert.Equal(t, "CU518563189147832320", r1.OriginalTransactionID)
	assert.Equal(t, Amount(1000), r1.RefundAmount)
	assert.Equal(t, Amount(10), r1.FeeRefunded)
	assert.Equal(t, RefundStatusCompleted, r1.RefundStatus)
	assert.True(t, r1.RefundCreateTime.Equal(phTimeOf(2024, 7, 31, 16, 37, 39)))
	assert.True(t, r1.RefundReturnTime.Equal(phTimeOf(2024, 7, 31, 16, 40, 0)))
	assert.Equal(t, "refund", r1.RefundReason)
	assert.Contains(t, string(r1.Raw), `"refundTransactionId":"R1"`)
	assert.NotContains(t, string(r1.Raw), `"R2"`)
	assert.Equal(t, RefundStatusFailed, r2.RefundStatus)
	assert.Equal(t, FailedCodeRefundFailed, r2.FailedCode)
	assert.Equal(t, "-10009", r2.FailedMessage)
	assert.Equal(t, Amount(500), r2.RefundAmount)
	assert.Equal(t, RefundStatusCompleted, res.Refunds[2].RefundStatus)
	assert.Equal(t, RefundStatusCancelled, res.Refunds[3].RefundStatus)
	assert.Equal(t, RefundStatusCancelled, res.Refunds[4].RefundStatus)
	assert.Equal(t, RefundStatus("REVIEWING"), res.Refunds[5].RefundStatus, "unknown values are kept")
	assert.False(t, res.Refunds[5].RefundStatus.Final())
	for _, r := range res.Refunds[:5] {
		assert.True(t, r.RefundStatus.Final(), r.RefundStatus)
	}
	assert.JSONEq(t, refundListData, string(res.Raw))

	t.Run("one id is enough", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", refundListPath, `[]`)
		_, err := f.Client.Refunds.ListPayments(context.Background(), &RefundListPaymentsParams{RefundTransactionID: "R1"})
		require.NoError(t, err)
		assert.Equal(t, sortedNames("timestamp", "refundTransactionId"), paramKeys(f.last()))
	})

	cases := []struct {
		name  string
		p     *RefundListPaymentsParams
		field string
	}{
		{"no id", &RefundListPaymentsParams{}, "originalTransactionId"},
		{"no id (other name)", &RefundListPaymentsParams{}, "refundTransactionId"},
		{"originalTransactionId too long", &RefundListPaymentsParams{OriginalTransactionID: strings.Repeat("C", 33)}, "originalTransactionId"},
		{"refundTransactionId too long", &RefundListPaymentsParams{RefundTransactionID: strings.Repeat("R", 33)}, "refundTransactionId"},
		{"nil", nil, "params"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			_, err := f.Client.Refunds.ListPayments(context.Background(), tc.p)
			requireInvalid(t, f, err, tc.field)
		})
	}
}

func TestRefundWait(t *testing.T) {
	pending := okData(`[` + refundEntry("OTHER1", "R0", "COMPLETE") + `,` + refundEntry("M1", "R1", "PENDING") + `]`)
	done := okData(`[` + refundEntry("OTHER1", "R0", "COMPLETE") + `,` + refundEntry("M1", "R1", "COMPLETE") + `]`)

	t.Run("polls until final", func(t *testing.T) {
		f := newFakeAPI(t)
		calls := f.script("POST", refundListPath, pending, pending, done)
		res, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1"})
		require.NoError(t, err)
		assert.Equal(t, int32(3), calls.Load())
		assert.Equal(t, "R1", res.RefundTransactionID)
		assert.Equal(t, RefundStatusCompleted, res.RefundStatus)
		assert.Equal(t, "C1", f.last().Param["originalTransactionId"])
	})

	t.Run("not listed yet, then final", func(t *testing.T) {
		f := newFakeAPI(t)
		calls := f.script("POST", refundListPath, okData(`[]`), okData(`[`+refundEntry("M1", "R1", "FAILED")+`]`))
		res, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1"})
		require.NoError(t, err)
		assert.Equal(t, int32(2), calls.Load())
		assert.Equal(t, RefundStatusFailed, res.RefundStatus)
	})

	t.Run("by refund transaction id alone", func(t *testing.T) {
		f := newFakeAPI(t)
		calls := f.script("POST", refundListPath, okData(`[`+refundEntry("M1", "R1", "PENDING")+`]`), okData(`[`+refundEntry("M1", "R1", "CANCEL")+`]`))
		res, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{RefundTransactionID: "R1"})
		require.NoError(t, err)
		assert.Equal(t, int32(2), calls.Load())
		assert.Equal(t, RefundStatusCancelled, res.RefundStatus)
		assert.Equal(t, sortedNames("timestamp", "refundTransactionId"), paramKeys(f.last()))
	})

	t.Run("transient failures keep polling", func(t *testing.T) {
		f := newFakeAPI(t)
		calls := f.script("POST", refundListPath, pending, codeAnswer(21020, "Too many requests, please retry later."), badGateway, done)
		res, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1"})
		require.NoError(t, err)
		assert.GreaterOrEqual(t, calls.Load(), int32(4))
		assert.Equal(t, RefundStatusCompleted, res.RefundStatus)
	})

	t.Run("ctx ends: last state and the ctx error", func(t *testing.T) {
		f := newFakeAPI(t)
		ctx, cancel := context.WithCancel(waitCtx(t))
		defer cancel()
		calls := f.scriptHook("POST", refundListPath, cancelOn(3, cancel), pending) // the caller gives up during the third poll
		res, err := f.Client.Refunds.Wait(ctx, &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1"})
		assert.ErrorIs(t, err, context.Canceled)
		require.NotNil(t, res)
		assert.Equal(t, RefundStatusPending, res.RefundStatus)
		assert.Equal(t, "R1", res.RefundTransactionID)
		assert.Equal(t, int32(3), calls.Load())
	})

	t.Run("ctx ends before the refund is listed: nil and the ctx error", func(t *testing.T) {
		f := newFakeAPI(t)
		f.script("POST", refundListPath, okData(`[]`))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		res, err := f.Client.Refunds.Wait(ctx, &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1"})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Nil(t, res)
	})

	t.Run("a lasting error stops the wait", func(t *testing.T) {
		f := newFakeAPI(t)
		calls := f.script("POST", refundListPath, pending, codeAnswer(21006, "Merchant transaction not found"))
		res, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1"})
		assert.ErrorIs(t, err, ErrTransactionNotFound)
		assert.Equal(t, int32(2), calls.Load())
		require.NotNil(t, res, "the last state seen is returned with the error")
		assert.Equal(t, RefundStatusPending, res.RefundStatus)
	})

	t.Run("nothing names the refund", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1"})
		requireInvalid(t, f, err, "mchRefundOrderId")
		_, err = f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{})
		requireInvalid(t, f, err, "mchRefundOrderId")
		_, err = f.Client.Refunds.Wait(waitCtx(t), nil)
		requireInvalid(t, f, err, "params")
		_, err = f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{MchRefundOrderID: "M1"})
		requireInvalid(t, f, err, "originalTransactionId")
	})
}

func TestRefundNotification(t *testing.T) {
	f := newFakeAPI(t)
	cases := []struct {
		event, param string
		status       RefundStatus
	}{
		{EventRefundSuccess, `{"eventName":"payment.refund.success","mchRefundOrderId":"CCP1","refundTransactionId":"R1","originalTransactionId":"C1","refundAmount":"1000","feeRefunded":10,"refundStatus":"COMPLETE","refundCreateTime":"2024-07-31 16:37:39","refundReturnTime":"2024-07-31T16:40:00+08:00","refundReason":"refund"}`, RefundStatusCompleted},
		// A documented failed refund that carries the success event name.
		{EventRefundSuccess, `{"eventName":"payment.refund.success","mchRefundOrderId":"CCP1","refundTransactionId":"R1","originalTransactionId":"C1","refundAmount":1000,"refundStatus":"FAILED","refundCreateTime":"2024-07-31 16:37:39","failedCode":-10009,"failedMessage":"Channel Refund Failed"}`, RefundStatusFailed},
		{EventRefundFailed, `{"eventName":"payment.refund.failed","mchRefundOrderId":"CCP1","refundTransactionId":"R1","originalTransactionId":"C1","refundAmount":1000,"refundStatus":"FAILED","refundCreateTime":"2024-07-31 16:37:39","failedCode":"-10009","failedMessage":-10009}`, RefundStatusFailed},
		{EventRefundCancel, `{"eventName":"payment.refund.cancel","mchRefundOrderId":"CCP1","refundTransactionId":"R1","originalTransactionId":"C1","refundAmount":1000,"refundStatus":"CANCELED","refundCreateTime":"2024-07-31 16:37:39"}`, RefundStatusCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.event+"/"+string(tc.status), func(t *testing.T) {
			n, err := f.Client.ParseNotification(signedCallback(t, tc.param))
			require.NoError(t, err)
			assert.Equal(t, tc.event, n.EventName)
			ev, ok := n.Event.(*RefundNotification)
			require.True(t, ok, "got %T", n.Event)
			assert.Equal(t, tc.event, ev.EventName)
			assert.Equal(t, "CCP1", ev.MchRefundOrderID)
			assert.Equal(t, "R1", ev.RefundTransactionID)
			assert.Equal(t, "C1", ev.OriginalTransactionID)
			assert.Equal(t, Amount(1000), ev.RefundAmount)
			assert.Equal(t, tc.status, ev.RefundStatus)
			assert.True(t, ev.RefundCreateTime.Equal(phTimeOf(2024, 7, 31, 16, 37, 39)))
			assert.Equal(t, tc.param, string(ev.Raw))
			switch tc.status {
			case RefundStatusCompleted:
				assert.Equal(t, Amount(10), ev.FeeRefunded)
				assert.Equal(t, "refund", ev.RefundReason)
				assert.True(t, ev.RefundReturnTime.Equal(phTimeOf(2024, 7, 31, 16, 40, 0)))
			case RefundStatusFailed:
				assert.Equal(t, FailedCodeRefundFailed, ev.FailedCode)
				assert.NotEmpty(t, ev.FailedMessage)
			}
		})
	}
}
