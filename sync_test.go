package paycools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A direct-debit callback handled under the flat edition's event name, with the status
// spelled COMPLETE, is the same final state as Sync's direct.debit.success COMPLETED: Sync
// finds it handled and does not run fn again.
func TestSyncFindsTheCallbackUnderAnotherNameOrSpelling(t *testing.T) {
	ctx := context.Background()
	for _, callback := range []string{
		`{"eventName":"directdebit.payment.success","mchOrderId":"DD1","transactionId":"T1","amount":777,"transactionStatus":"COMPLETE"}`,
		`{"eventName":"direct.debit.success","mchOrderId":"DD1","transactionId":"T1","amount":777,"transactionStatus":"SUCCESS"}`,
		`{"eventName":"directdebit.payment.success","mchOrderId":"DD1","transactionId":"T1","amount":777,"transactionStatus":"COMPLETED"}`,
	} {
		store := NewMemoryNotificationStore(defaultReplayWindow)
		c := &Client{appID: testAppID, notifyStore: store}
		var real struct {
			EventName string `json:"eventName"`
		}
		require.NoError(t, json.Unmarshal([]byte(callback), &real))
		key := NotificationKey(&Notification{EventName: real.EventName, Param: json.RawMessage(callback)})
		cl, err := store.Claim(ctx, testAppID, key)
		require.NoError(t, err)
		require.NoError(t, store.Finish(ctx, testAppID, key, cl.Token, ""))

		synced := &Notification{EventName: EventDirectDebitSuccess, Synced: true,
			Param: json.RawMessage(`{"eventName":"direct.debit.success","mchOrderId":"DD1","transactionId":"T1","amount":777,"transactionStatus":"COMPLETED"}`)}
		ran := 0
		before, err := c.deliverSynced(ctx, OpDirectDebitCreatePayment, synced, func(context.Context, *Notification) error { ran++; return nil })
		require.NoError(t, err)
		assert.True(t, before, callback)
		assert.Zero(t, ran, callback)
	}
}
