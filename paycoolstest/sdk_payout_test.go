package paycoolstest_test

import (
	"strconv"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/require"
)

func payoutParams(id string) *paycools.PayoutCreateParams {
	return &paycools.PayoutCreateParams{
		MchOrderID: id, IdempotencyID: "IDEM" + id, Amount: 50010, AccountNo: "09171234567",
		AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH", Remark: "salary",
	}
}

func TestSDKPayoutAndAccountFlow(t *testing.T) {
	s, c := gateway(t, paycoolstest.WithBalance(200000))
	notify := newSink(t, c)
	s.SetCallbackURL(notify.URL)

	p, err := c.Payouts.Create(ctx(t), payoutParams("PAY0001"))
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusPending, p.TransactionStatus)
	require.NotEmpty(t, p.TransactionID)
	bal, err := c.Account.Balance(ctx(t), nil)
	require.NoError(t, err)
	require.EqualValues(t, 200000-50010, bal.Balance)

	res, err := s.CompletePayout("PAY0001")
	require.NoError(t, err)
	require.True(t, res.Acknowledged(), "reply %d %s", res.Status, res.Body)
	ev, isPayout := notify.last(t).Event.(*paycools.PayoutNotification)
	require.True(t, isPayout, "%T", notify.last(t).Event)
	require.Equal(t, paycools.TransactionStatusCompleted, ev.TransactionStatus)
	require.Equal(t, p.TransactionID, ev.TransactionID)
	require.EqualValues(t, 50010, ev.Amount)

	got, err := c.Payouts.Get(ctx(t), &paycools.PayoutGetParams{MchOrderID: "PAY0001"})
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusCompleted, got.TransactionStatus)
	require.False(t, got.ReturnTime.IsZero())

	_, err = c.Payouts.Create(ctx(t), payoutParams("PAY0002"))
	require.NoError(t, err)
	_, err = s.FailPayout("PAY0002", paycools.FailedCodeChannelRejected, "Transaction Channel Rejected")
	require.NoError(t, err)
	ev = notify.last(t).Event.(*paycools.PayoutNotification)
	require.Equal(t, paycools.TransactionStatusFailed, ev.TransactionStatus)
	require.Equal(t, paycools.FailedCodeChannelRejected, ev.FailedCode)

	_, err = c.Payouts.Create(ctx(t), payoutParams("PAY0001"))
	require.ErrorIs(t, err, paycools.ErrDuplicateOrder)
	big := payoutParams("PAY0003")
	big.Amount = 1_000_000
	_, err = c.Payouts.Create(ctx(t), big)
	require.ErrorIs(t, err, paycools.ErrInsufficientBalance)

	today := phToday()
	st, err := c.Account.PayoutStatement(ctx(t), &paycools.AccountPayoutStatementParams{CreateDate: today, Page: 1})
	require.NoError(t, err)
	require.Len(t, st.Records, 2)
	require.EqualValues(t, 50010, st.Records[0].Amount, "pesos on the wire, centavos in Go")
	require.Equal(t, paycools.TransactionStatusCompleted, st.Records[0].Status)
	require.Equal(t, paycools.TransactionStatusFailed, st.Records[1].Status)
}

// TestSDKPayoutResolveFindsPayout: the connection drops after the gateway created the payout;
// Create ends with an unknown outcome inside the SDK, whose outcome resolution finds the payout.
func TestSDKPayoutResolveFindsPayout(t *testing.T) {
	s, c := gateway(t)
	s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
	p, err := c.Payouts.Create(ctx(t), payoutParams("REC0001"))
	require.NoError(t, err)
	require.Equal(t, "REC0001", p.MchOrderID)
	require.NotEmpty(t, p.TransactionID)

	var trail []string
	for _, r := range s.Requests() {
		trail = append(trail, string(r.Operation)+":"+codeOrDrop(r))
	}
	require.Equal(t, []string{"Payouts.Create:dropped", "Payouts.Get:10000"}, trail)
	require.EqualValues(t, paycoolstest.DefaultBalance-50010, s.Balance(), "paid out once")
}

// TestSDKPayoutResolveResends: the connection drops before the gateway acted; the outcome resolution
// finds nothing (21006) and sends Create once more with the same ids.
func TestSDKPayoutResolveResends(t *testing.T) {
	s, c := gateway(t)
	s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropBeforeAction: true})
	p, err := c.Payouts.Create(ctx(t), payoutParams("REC0002"))
	require.NoError(t, err)
	require.Equal(t, paycools.TransactionStatusPending, p.TransactionStatus)
	var trail []string
	for _, r := range s.Requests() {
		trail = append(trail, string(r.Operation)+":"+codeOrDrop(r))
	}
	require.Equal(t, []string{"Payouts.Create:dropped", "Payouts.Get:21006", "Payouts.Create:10000"}, trail)
	first, second := s.Requests()[0], s.Requests()[2]
	require.Equal(t, first.Fields["idempotencyId"], second.Fields["idempotencyId"])
}

// TestSDKPayoutUnknownWithoutResolve: with outcome resolution off, the drop is reported as an
// unknown outcome.
func TestSDKPayoutUnknownWithoutResolve(t *testing.T) {
	s, _ := gateway(t)
	c := s.Client(paycools.WithResolveOutcome(false))
	s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
	_, err := c.Payouts.Create(ctx(t), payoutParams("REC0003"))
	require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
	got, err := c.Payouts.Get(ctx(t), &paycools.PayoutGetParams{MchOrderID: "REC0003"})
	require.NoError(t, err, "the payout exists")
	require.Equal(t, paycools.TransactionStatusPending, got.TransactionStatus)
}

func codeOrDrop(r paycoolstest.Request) string {
	if r.Dropped {
		return "dropped"
	}
	return itoa(r.Code)
}

func itoa(n int) string { return strconv.Itoa(n) }
