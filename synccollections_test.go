package paycools_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// A QR payment the merchant did not create through the ledger, whose callback never reached a
// working handler, is listed by Sync (never delivered: the statement cannot build its event);
// one whose callback was handled is not; once its callback is redelivered and handled, it is
// no longer listed. Both dialects; the real clock throughout.
func TestSyncListsCollectionsWhoseCallbackNeverCame(t *testing.T) {
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			gw := paycoolstest.New(t, paycoolstest.WithDialect(d))
			c := gw.Client(paycools.WithLedger(paycools.NewMemoryLedger()), paycools.WithSyncAfter(0))
			var mu sync.Mutex
			ran := map[string]int{}
			handler := c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
				if ev, ok := n.Event.(*paycools.QRCodePaymentNotification); ok {
					mu.Lock()
					ran[ev.MchOrderID]++
					mu.Unlock()
				}
				return nil
			})
			up := httptest.NewServer(handler)
			t.Cleanup(up.Close)
			var fixed atomic.Bool // the merchant's endpoint answers 503 until it is fixed
			down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !fixed.Load() {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				handler.ServeHTTP(w, r)
			}))
			t.Cleanup(down.Close)

			for order, url := range map[string]string{"QRDOWN0000001": down.URL, "QRUP000000001": up.URL} {
				_, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHDynamicQR,
					MchOrderID: order, Amount: 15000, CustomerName: "Raja", NotifyURL: url})
				require.NoError(t, err)
				_, err = gw.PayQRCode(order, 15000)
				require.NoError(t, err)
			}

			rep, err := c.Sync(ctx, func(context.Context, *paycools.Notification) error {
				t.Error("Sync must not deliver a collection it cannot build")
				return nil
			})
			require.NoError(t, err)
			assert.Empty(t, rep.CollectionsUnchecked)
			require.Len(t, rep.Collections, 1, "%+v", rep.Collections)
			assert.Equal(t, "QRDOWN0000001", rep.Collections[0].Record.MerchantOrderID)
			assert.EqualValues(t, 15000, rep.Collections[0].Record.Amount)
			assert.NotEmpty(t, rep.Collections[0].Record.TransactionID)

			// The endpoint is fixed and PayCools delivers again: handled, no longer listed.
			fixed.Store(true)
			redelivered := false
			for i, cb := range gw.Callbacks() {
				if cb.URL == down.URL {
					res, err := gw.Redeliver(i)
					require.NoError(t, err)
					require.True(t, res.Acknowledged(), "%d %s", res.Status, res.Body)
					redelivered = true
					break
				}
			}
			require.True(t, redelivered)
			rep, err = c.Sync(ctx, func(context.Context, *paycools.Notification) error { return nil })
			require.NoError(t, err)
			assert.Empty(t, rep.Collections)
			mu.Lock()
			assert.Equal(t, map[string]int{"QRDOWN0000001": 1, "QRUP000000001": 1}, ran)
			mu.Unlock()
		})
	}
}

// A store that cannot list what it handled: Sync says so rather than listing every collection.
func TestSyncCollectionsUncheckedWithoutAListingStore(t *testing.T) {
	gw := paycoolstest.New(t)
	c := gw.Client(paycools.WithLedger(paycools.NewMemoryLedger()), paycools.WithNotificationStore(opaqueStore{paycools.NewMemoryNotificationStore(paycools.DefaultNotificationLease)}))
	rep, err := c.Sync(context.Background(), func(context.Context, *paycools.Notification) error { return nil })
	require.NoError(t, err)
	assert.Contains(t, rep.CollectionsUnchecked, "HandledKeyLister")
	assert.Empty(t, rep.Collections)
}

// opaqueStore hides every method but the NotificationStore ones.
type opaqueStore struct{ paycools.NotificationStore }
