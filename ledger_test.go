package paycools

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenLedger fails every write.
type brokenLedger struct{ MemoryLedger }

func (*brokenLedger) Record(context.Context, *Intent) error { return errors.New("disk full") }

func TestLedgerWriteFailureSendsNothing(t *testing.T) {
	f := newFakeAPI(t, WithLedger(&brokenLedger{}))
	f.replyData("POST", pathPayoutCreate, payoutCreateData)
	_, err := f.Client.Payouts.Create(context.Background(), fullCreatePayoutParams())
	var le *LedgerError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, OpPayoutCreate, le.Operation)
	assert.Equal(t, "TestMchOrderIdD0001", le.MchOrderID)
	assert.ErrorContains(t, err, "disk full")
	assert.ErrorContains(t, err, "nothing sent")
	assert.False(t, IsOutcomeUnknown(err))
	assert.Empty(t, f.requests(), "no request when the intent could not be written")
}

func TestLedgerRecordsInBothDialects(t *testing.T) {
	for _, ph := range []bool{false, true} {
		l := NewMemoryLedger()
		var c *Client
		var path, data string
		if ph {
			var w *phWire
			c, w = newPHClient(t, WithLedger(l), WithAppName("shop"))
			path, data = "/api/v1/payout", `{"mchOrderId":"TestMchOrderIdD0001","transactionId":"D1","transactionStatus":"PENDING"}`
			w.answer("POST", path, `{"code":1000,"message":"Success","data":`+data+`}`)
		} else {
			f := newFakeAPI(t, WithLedger(l))
			c, path, data = f.Client, pathPayoutCreate, payoutCreateData
			f.replyData("POST", path, data)
		}
		res, err := c.Payouts.Create(context.Background(), fullCreatePayoutParams())
		require.NoError(t, err, "ph=%v", ph)
		got, err := l.Intents(context.Background(), testAppID, OpPayoutCreate, "TestMchOrderIdD0001")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, IntentCreated, got[0].State)
		assert.Equal(t, res.TransactionID, got[0].TransactionID)
		assert.Len(t, got[0].ID, 32)
		if ph {
			assert.Contains(t, string(got[0].Param), "mchOrderId=TestMchOrderIdD0001", "the canonical k=v string that was signed")
		} else {
			assert.Contains(t, string(got[0].Param), `"mchOrderId":"TestMchOrderIdD0001"`, "the param JSON that was signed")
		}
	}
}

func TestMemoryLedger(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	t0 := fixedNow
	in := func(id, order string) *Intent {
		return &Intent{ID: id, AppID: testAppID, Operation: OpPayoutCreate, MchOrderID: order, State: IntentPending, ClaimToken: id,
			ClaimUntil: t0.Add(time.Minute), CreatedAt: t0, UpdatedAt: t0}
	}
	require.NoError(t, l.Record(ctx, in("a", "O1")))
	require.ErrorIs(t, l.Record(ctx, in("b", "O1")), ErrIntentOpen)
	require.NoError(t, l.Resolve(ctx, "a", IntentResolution{State: IntentRefused, At: t0}))
	require.NoError(t, l.Record(ctx, in("b", "O1")), "refused frees the order")
	require.NoError(t, l.Resolve(ctx, "b", IntentResolution{State: IntentAbsent, At: t0}))
	require.NoError(t, l.Resolve(ctx, "b", IntentResolution{State: IntentCreated, TransactionID: "T", At: t0}))
	require.NoError(t, l.Resolve(ctx, "b", IntentResolution{State: IntentRefused, At: t0}))
	got, _ := l.Intents(ctx, testAppID, OpPayoutCreate, "O1")
	require.Len(t, got, 2)
	assert.Equal(t, IntentLate, got[1].State, "absent may become late (created late); late stays")
	assert.Equal(t, "T", got[1].TransactionID)
	require.NoError(t, l.Record(ctx, in("c", "O2")))
	none, _ := l.ClaimOpen(ctx, testAppID, "r", t0, t0.Add(time.Minute), time.Time{}, 10)
	assert.Empty(t, none, "the call still holds its claim")
	open, _ := l.ClaimOpen(ctx, testAppID, "r", t0.Add(2*time.Minute), t0.Add(3*time.Minute), time.Time{}, 10)
	require.Len(t, open, 1)
	assert.Equal(t, "c", open[0].ID)
	again, _ := l.ClaimOpen(ctx, testAppID, "s", t0.Add(2*time.Minute), t0.Add(3*time.Minute), time.Time{}, 10)
	assert.Empty(t, again)
	assert.True(t, IntentAbsent.Final())
	assert.False(t, IntentUnknown.Final())
}

// Intents of one instant come back in the order they were recorded, whatever map order says.
func TestMemoryLedgerTiesInWriteOrder(t *testing.T) {
	for run := 0; run < 20; run++ {
		ctx := context.Background()
		l := NewMemoryLedger()
		ids := []string{"z9", "m5", "a1", "k3", "b2", "x7", "c4"}
		for _, id := range ids {
			require.NoError(t, l.Record(ctx, &Intent{ID: id, AppID: testAppID, Operation: OpPayoutCreate, MchOrderID: "OTIE", State: IntentPending, CreatedAt: fixedNow}))
			require.NoError(t, l.Resolve(ctx, id, IntentResolution{State: IntentRefused, At: fixedNow}))
		}
		got, err := l.Intents(ctx, testAppID, OpPayoutCreate, "OTIE")
		require.NoError(t, err)
		var order []string
		for _, in := range got {
			order = append(order, in.ID)
		}
		require.Equal(t, ids, order)
		for i, id := range []string{"y8", "c3", "q6", "a0"} {
			require.NoError(t, l.Record(ctx, &Intent{ID: id, AppID: testAppID, Operation: OpPayoutCreate, MchOrderID: "OPEN" + strconv.Itoa(i), State: IntentPending, CreatedAt: fixedNow}))
		}
		open, err := l.ClaimOpen(ctx, testAppID, "r", fixedNow, fixedNow.Add(time.Minute), time.Time{}, 10)
		require.NoError(t, err)
		order = order[:0]
		for _, in := range open {
			order = append(order, in.ID)
		}
		require.Equal(t, []string{"y8", "c3", "q6", "a0"}, order)
	}
}
