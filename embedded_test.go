package paycools

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serviceMethods calls fn for every exported method of every service of the client.
func serviceMethods(t *testing.T, fn func(name string, m reflect.Method)) {
	t.Helper()
	ct := reflect.TypeOf(Client{})
	n := 0
	for i := 0; i < ct.NumField(); i++ {
		st := ct.Field(i).Type
		if !ct.Field(i).IsExported() || st.Kind() != reflect.Pointer || !strings.HasSuffix(st.Elem().Name(), "Service") {
			continue
		}
		for j := 0; j < st.NumMethod(); j++ {
			m := st.Method(j)
			fn(ct.Field(i).Name+"."+m.Name, m)
			n++
		}
	}
	require.Greater(t, n, 40, "the walk found the services")
}

// Every params type of every service method embeds RequestFields and every result embeds
// ResultMeta: the request path reaches Timestamp, Extra, Raw and Response through them, so a
// type that declared its own would be sent without its Extra or returned without its Raw.
func TestEveryParamsAndResultEmbedsTheSharedFields(t *testing.T) {
	fielder := reflect.TypeOf((*requestFielder)(nil)).Elem()
	serviceMethods(t, func(name string, m reflect.Method) {
		mt := m.Type // receiver, ctx, params…
		if mt.NumIn() != 3 || mt.NumOut() != 2 || mt.In(2).Kind() != reflect.Pointer ||
			!strings.HasSuffix(mt.In(2).Elem().Name(), "Params") {
			return // the iterators and helpers
		}
		assert.True(t, mt.In(2).Implements(fielder), "%s: %s does not embed RequestFields", name, mt.In(2).Elem().Name())
		if out := mt.Out(0); out.Kind() == reflect.Pointer && out.Elem().Kind() == reflect.Struct {
			assert.True(t, out.Implements(resultMetaHolderType), "%s: %s does not embed ResultMeta", name, out.Elem().Name())
		}
	})
	for name, mk := range eventRegistry {
		ev := mk()
		assert.Implements(t, (*resultMetaHolder)(nil), ev, "event %s", name)
		assert.Implements(t, (*eventNamer)(nil), ev, "event %s", name)
	}
}

// Every Wait method takes one shape, (ctx, *XParams) (*X, error): what a wait needs besides
// the look-up (the refund's merchant id, the token's channel) is a field of its params, and
// is validated with them.
func TestEveryWaitTakesOneParamsValue(t *testing.T) {
	waits := 0
	serviceMethods(t, func(name string, m reflect.Method) {
		if !strings.HasPrefix(m.Name, "Wait") {
			return
		}
		waits++
		mt := m.Type
		require.Equal(t, 3, mt.NumIn(), "%s takes (ctx, *XParams) only", name)
		assert.Equal(t, "Context", mt.In(1).Name(), name)
		assert.True(t, mt.In(2).Kind() == reflect.Pointer && strings.HasSuffix(mt.In(2).Elem().Name(), "Params"), "%s: %s", name, mt.In(2))
		require.Equal(t, 2, mt.NumOut(), name)
		assert.Equal(t, reflect.Pointer, mt.Out(0).Kind(), name)
		assert.Equal(t, "error", mt.Out(1).Name(), name)
	})
	assert.Equal(t, 7, waits, "Checkout, Payouts, WebPayments, Refunds, EKYC and DirectDebit (2) wait")
}

// A refund id that Create could never have accepted can never be listed: the wait would poll
// until ctx ends. It is refused before anything is sent, naming the field.
func TestRefundWaitRefusesAnIDNoRefundCanHave(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: strings.Repeat("M", 33)})
	ve := requireInvalid(t, f, err, "mchRefundOrderId")
	assert.Equal(t, OpRefundListPayments, ve.Operation)
	assert.Contains(t, ve.Error(), "1–32")
}

// The wait params' RequestFields travel with every poll: Extra reaches the wire beside the
// look-up's own fields, and a key the look-up models is still refused before anything is sent.
func TestWaitParamsSendTheirExtra(t *testing.T) {
	t.Run("Refunds", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", refundListPath, `[`+refundEntry("M1", "R1", "COMPLETE")+`]`)
		_, err := f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1",
			RequestFields: RequestFields{Extra: map[string]any{"subOrderId": "W1"}}})
		require.NoError(t, err)
		assert.Equal(t, "W1", f.last().Param["subOrderId"])
		assert.Equal(t, sortedNames("originalTransactionId", "subOrderId", "timestamp"), paramKeys(f.last()), "mchRefundOrderId is matched, not sent")

		f = newFakeAPI(t)
		_, err = f.Client.Refunds.Wait(waitCtx(t), &RefundWaitParams{OriginalTransactionID: "C1", MchRefundOrderID: "M1",
			RequestFields: RequestFields{Extra: map[string]any{"originalTransactionId": "C2"}}})
		requireExtraRefused(t, f, err, "originalTransactionId")
	})
	t.Run("DirectDebit", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", ddPathQuery, `{"userId":"u0009","tokenList":[{"channelCode":"PH_GCASH_DIRECT_DEBIT","payToken":"TK1","tokenStatus":"ACTIVED"}]}`)
		res, err := f.Client.DirectDebit.WaitAuthorization(waitCtx(t), &DirectDebitAuthorizationWaitParams{UserID: "u0009",
			ChannelCode: DirectDebitChannelCodeGCash, RequestFields: RequestFields{Extra: map[string]any{"lang": "en"}}})
		require.NoError(t, err)
		assert.Equal(t, "TK1", res.ActiveToken(DirectDebitChannelCodeGCash).PayToken)
		assert.Equal(t, sortedNames("lang", "timestamp", "userId"), paramKeys(f.last()), "channelCode is matched, not sent")
	})
}

// A callback event embeds its resource: the same JSON read as the callback and as the Get
// answer gives the same resource, field for field (aliases included), and the event's Raw
// is the verified param.
func TestEventDecodesAsItsResource(t *testing.T) {
	t.Run("Payout", func(t *testing.T) {
		data := `{"mchOrderId":"P1","transactionId":"DU1","countryCode":"PH","currency":"PHP","amount":"50010",` +
			`"transactionStatus":"COMPLETE","createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19 14:20:00",` +
			`"remark":"salary","failedCode":"0","failedMessage":null}`
		f := newFakeAPI(t)
		f.replyData("POST", pathPayoutGet, data)
		got, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "P1"})
		require.NoError(t, err)
		param := `{"eventName":"disbursement.success",` + data[1:]
		n, err := f.Client.ParseNotification(signedCallback(t, param))
		require.NoError(t, err)
		ev := n.Event.(*PayoutNotification)
		assert.Equal(t, param, string(ev.Raw))
		assert.Nil(t, ev.Response)
		ev.ResultMeta, got.ResultMeta = ResultMeta{}, ResultMeta{}
		assert.Equal(t, *got, ev.Payout)
		assert.Equal(t, Amount(50010), ev.Amount)
	})
	t.Run("Refund", func(t *testing.T) {
		entry := refundEntry("M1", "R1", "COMPLETE")
		f := newFakeAPI(t)
		f.replyData("POST", refundListPath, `[`+entry+`]`)
		list, err := f.Client.Refunds.ListPayments(context.Background(), &RefundListPaymentsParams{RefundTransactionID: "R1"})
		require.NoError(t, err)
		require.Len(t, list.Refunds, 1)
		got := list.Refunds[0]
		param := `{"eventName":"payment.refund.success",` + strings.TrimSpace(entry)[1:]
		n, err := f.Client.ParseNotification(signedCallback(t, param))
		require.NoError(t, err)
		ev := n.Event.(*RefundNotification)
		assert.Equal(t, param, string(ev.Raw))
		ev.ResultMeta, got.ResultMeta = ResultMeta{}, ResultMeta{}
		assert.Equal(t, got, ev.Refund)
		assert.Equal(t, RefundStatusCompleted, ev.RefundStatus)
	})
	t.Run("EKYC, status under its alias", func(t *testing.T) {
		data := `{"requestId":"R1","userId":"u1","channelCode":"C1","status":"APPROVED","updateTime":"2024-07-19 14:20:00"}`
		f := newFakeAPI(t)
		f.replyData("POST", ekycPathQuery, data)
		got, err := f.Client.EKYC.GetResult(context.Background(), &EKYCResultGetParams{RequestID: "R1"})
		require.NoError(t, err)
		param := `{"eventName":"ekyc.success",` + data[1:]
		n, err := f.Client.ParseNotification(signedCallback(t, param))
		require.NoError(t, err)
		ev := n.Event.(*EKYCNotification)
		assert.Equal(t, EKYCStatusApproved, ev.KYCStatus, "the alias of the embedded resource is read")
		ev.ResultMeta, got.ResultMeta = ResultMeta{}, ResultMeta{}
		assert.Equal(t, *got, ev.EKYCResult)
	})
}
