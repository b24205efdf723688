package paycools_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two fake gateways with their own appIds, keys and callback secrets deliver their payout
// callbacks to one NotificationMux URL, in both dialects: each is handled by its own tenant
// (the same merchant order id at both), and a callback naming one tenant but signed for the
// other is refused.
func TestMuxTwoGatewaysOneURL(t *testing.T) {
	const appA, appB = "7e57a000000000000000000000000001", "7e57b000000000000000000000000002"
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			sA := paycoolstest.New(t, paycoolstest.WithDialect(d), paycoolstest.WithAppID(appA))
			sB := paycoolstest.New(t, paycoolstest.WithDialect(d), paycoolstest.WithAppID(appB))
			require.NotEqual(t, sA.CallbackSecret(), sB.CallbackSecret())
			cA, cB := sA.Client(paycools.WithRetries(0)), sB.Client(paycools.WithRetries(0))
			m, err := paycools.NewNotificationMux(cA, cB)
			require.NoError(t, err)
			var mu sync.Mutex
			var handled []string
			srv := httptest.NewServer(m.Handler(func(_ context.Context, n *paycools.Notification) error {
				mu.Lock()
				defer mu.Unlock()
				handled = append(handled, n.AppID+"/"+n.Event.(*paycools.PayoutNotification).MchOrderID)
				return nil
			}))
			defer srv.Close()
			sA.SetCallbackURL(srv.URL)
			sB.SetCallbackURL(srv.URL)

			for _, c := range []*paycools.Client{cA, cB} {
				_, err := c.Payouts.Create(ctx, payoutParams("MUX00000001"))
				require.NoError(t, err)
			}
			resB, err := sB.CompletePayout("MUX00000001")
			require.NoError(t, err)
			assert.True(t, resB.Acknowledged(), "B: %d %s", resB.Status, resB.Body)
			resA, err := sA.CompletePayout("MUX00000001")
			require.NoError(t, err)
			assert.True(t, resA.Acknowledged(), "A: %d %s", resA.Status, resA.Body)
			mu.Lock()
			assert.Equal(t, []string{appB + "/MUX00000001", appA + "/MUX00000001"}, handled)
			mu.Unlock()

			// A's callback, made to name B: B's key or secret does not verify it.
			forged := crossSigned(t, d, resA, appB, sA.CallbackSecret())
			resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(forged))
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			mu.Lock()
			assert.Len(t, handled, 2, "the cross-signed callback ran nothing")
			mu.Unlock()
		})
	}
}

// crossSigned is tenant A's callback res made to name appB: in the envelope form the appId
// beside param; in the flat form a signed appId member, signed again with A's secret.
func crossSigned(t *testing.T, d paycools.Dialect, res *paycoolstest.CallbackResult, appB, secretA string) []byte {
	t.Helper()
	if d == paycools.DialectOpenAPI {
		b, err := json.Marshal(map[string]string{"appId": appB, "param": string(res.Param), "sign": res.Sign})
		require.NoError(t, err)
		return b
	}
	var body map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(res.Param, &body))
	body["appId"] = json.RawMessage(`"` + appB + `"`)
	delete(body, "sign")
	unsigned, err := json.Marshal(body)
	require.NoError(t, err)
	canon, err := paycools.CanonicalFlatString(unsigned)
	require.NoError(t, err)
	sum := sha1.Sum([]byte(canon + "&secret=" + secretA))
	body["sign"] = json.RawMessage(`"` + hex.EncodeToString(sum[:]) + `"`)
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}
