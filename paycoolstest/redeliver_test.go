package paycoolstest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a log destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (m *merchant) received() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.bodies...)
}

// New serves like NewServer and closes the server when the test that made it ends.
func TestNewClosesAtCleanup(t *testing.T) {
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var base string
	t.Run("inner", func(t *testing.T) {
		m, p := testKeys()
		s := New(t, WithKeys(m, p), WithBalance(4321))
		base = s.URL()
		require.EqualValues(t, 4321, s.Balance(), "the options are applied")
		resp, err := noKeepAlive.Get(base + SandboxPrefix + "balance")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
	})
	require.NotEmpty(t, base)
	resp, err := noKeepAlive.Get(base + SandboxPrefix + "balance")
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the server is closed once the subtest has ended")
}

// Redeliver sends the very same bytes again to the same URL and records the new attempt.
func TestRedeliverSendsSameBytes(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	m.set(500, `{"code":21000,"message":"busy"}`)
	s.SetCallbackURL(m.URL)
	ok(t, do(t, s, payoutPath, payoutFields("RD1")))
	first, err := s.CompletePayout("RD1")
	require.NoError(t, err)
	require.Equal(t, 500, first.Status)
	require.False(t, first.Acknowledged())

	m.set(200, `{"code":10000,"message":"Success"}`)
	again, err := s.Redeliver(0)
	require.NoError(t, err)
	require.NoError(t, again.Err)
	require.Equal(t, 200, again.Status)
	require.True(t, again.Acknowledged())
	require.Equal(t, first.EventName, again.EventName)
	require.Equal(t, first.URL, again.URL)
	require.Equal(t, first.Param, again.Param)
	require.Equal(t, first.Sign, again.Sign)
	require.Equal(t, "disbursement.success", event(t, s, again)["eventName"], "still verifies with the platform key")

	got := m.received()
	require.Len(t, got, 2)
	require.Equal(t, string(got[0]), string(got[1]), "the redelivered body is byte-identical")

	cbs := s.Callbacks()
	require.Len(t, cbs, 2)
	require.Equal(t, 500, cbs[0].Status, "the original attempt is kept as it was")
	require.Equal(t, 200, cbs[1].Status)
	require.Equal(t, again.Param, cbs[1].Param)

	for _, i := range []int{-1, 2, 100} {
		res, err := s.Redeliver(i)
		require.ErrorIs(t, err, ErrNotFound, "index %d", i)
		require.Nil(t, res)
	}
	require.Len(t, s.Callbacks(), 2, "a refused redelivery records nothing")
	require.Len(t, m.received(), 2)
}

// In the PH dialect the flat body is redelivered as it was, not wrapped in {"param","sign"}.
func TestRedeliverPHFlatBody(t *testing.T) {
	s := newTestServer(t, WithDialect(paycools.DialectPH))
	m := newMerchant(t)
	m.set(200, `{"code":1,"msg":"success","data":{}}`)
	s.SetCallbackURL(m.URL)
	_, err := s.Client().Payouts.Create(context.Background(), &paycools.PayoutCreateParams{MchOrderID: "PHRD00000001", Amount: 10000,
		AccountNo: "1234567890", AccountName: "Juan Cruz", PayMethodCode: paycools.PayMethodBank, TransferCode: "BDO"})
	require.NoError(t, err)
	first, err := s.CompletePayout("PHRD00000001")
	require.NoError(t, err)
	require.True(t, first.Acknowledged(), "reply %d %s", first.Status, first.Body)
	again, err := s.Redeliver(0)
	require.NoError(t, err)
	require.True(t, again.Acknowledged(), "reply %d %s", again.Status, again.Body)
	got := m.received()
	require.Len(t, got, 2)
	require.Equal(t, string(first.Param), string(got[0]), "the flat body is the param")
	require.Equal(t, string(got[0]), string(got[1]))
}

// A callback with nowhere to go is recorded undeliverable and logged; Redeliver sends it to
// the dashboard callback URL once there is one.
func TestUndeliverableCallbackThenRedeliver(t *testing.T) {
	var logs lockedBuffer
	s := newTestServer(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ok(t, do(t, s, payoutPath, payoutFields("UD1")))
	res, err := s.CompletePayout("UD1")
	require.NoError(t, err)
	require.ErrorIs(t, res.Err, ErrNoCallbackURL)
	require.Contains(t, res.Err.Error(), "undeliverable")
	require.Equal(t, 0, res.Status)
	require.Empty(t, res.URL)
	require.NotEmpty(t, res.Param, "signed all the same, for a later redelivery")

	cbs := s.Callbacks()
	require.Len(t, cbs, 1)
	require.ErrorIs(t, cbs[0].Err, ErrNoCallbackURL)
	require.Equal(t, 0, cbs[0].Status)
	require.Equal(t, "disbursement.success", cbs[0].EventName)
	require.Contains(t, logs.String(), "level=WARN")
	require.Contains(t, logs.String(), "undeliverable")
	require.Contains(t, logs.String(), "disbursement.success")

	// Still no URL: the redelivery is recorded undeliverable too.
	res2, err := s.Redeliver(0)
	require.NoError(t, err)
	require.ErrorIs(t, res2.Err, ErrNoCallbackURL)
	require.Len(t, s.Callbacks(), 2)

	m := newMerchant(t)
	s.SetCallbackURL(m.URL)
	res3, err := s.Redeliver(0)
	require.NoError(t, err)
	require.NoError(t, res3.Err)
	require.Equal(t, m.URL, res3.URL, "the current dashboard callback URL")
	require.True(t, res3.Acknowledged())
	require.Equal(t, res.Param, res3.Param)
	require.Equal(t, res.Sign, res3.Sign)
	require.Equal(t, "UD1", event(t, s, res3)["mchOrderId"])
	require.Len(t, m.received(), 1)
	require.Len(t, s.Callbacks(), 3)
}

// A virtual account made by the batch operation has no notifyUrl: its payment is undeliverable
// until SetCallbackURL, in the same way.
func TestUndeliverableBatchVirtualAccountPayment(t *testing.T) {
	s := newTestServer(t)
	ok(t, do(t, s, vaBatchPath, map[string]any{
		"appName": "Sandbox", "mchOrderId": "UD2", "channelCode": "GCASH_STATIC_VA",
		"customerName": "Juan", "email": "juan@example.com",
	}))
	res, err := s.PayVirtualAccountChannel("UD2", "GCASH_STATIC_VA", 1500)
	require.NoError(t, err)
	require.ErrorIs(t, res.Err, ErrNoCallbackURL)
	cbs := s.Callbacks()
	require.Len(t, cbs, 1)
	require.Equal(t, "payment.success", cbs[0].EventName)
	require.ErrorIs(t, cbs[0].Err, ErrNoCallbackURL)
}

// A recorded callback that was never signed cannot be redelivered.
func TestRedeliverUnsigned(t *testing.T) {
	s := newTestServer(t)
	s.mu.Lock()
	s.cbs = append(s.cbs, &CallbackResult{EventName: "x", Err: errors.New("marshal failed")})
	s.mu.Unlock()
	_, err := s.Redeliver(0)
	require.ErrorIs(t, err, ErrState)
	require.Len(t, s.Callbacks(), 1)
}

func TestSandboxRedeliver(t *testing.T) {
	s := newTestServer(t)
	ok(t, do(t, s, payoutPath, payoutFields("SR1")))
	status, out := control(t, s, "complete-payout/SR1", nil)
	require.Equal(t, 200, status, "%v", out)
	require.Contains(t, out["callback"].(map[string]any)["error"], "undeliverable")

	m := newMerchant(t)
	status, _ = control(t, s, "callback-url", url.Values{"url": {m.URL}})
	require.Equal(t, 200, status)
	status, out = control(t, s, "redeliver/0", nil)
	require.Equal(t, 200, status, "%v", out)
	cb := out["callback"].(map[string]any)
	require.Equal(t, "disbursement.success", cb["eventName"])
	require.Equal(t, m.URL, cb["url"])
	require.Equal(t, true, cb["acknowledged"])
	require.EqualValues(t, 200, cb["status"])
	require.Equal(t, string(s.Callbacks()[0].Param), cb["param"])

	status, out = control(t, s, "redeliver/1", nil)
	require.Equal(t, 200, status, "%v", out)
	got := m.received()
	require.Len(t, got, 2)
	require.Equal(t, string(got[0]), string(got[1]), "byte-identical")
	require.Len(t, s.Callbacks(), 3)

	status, out = control(t, s, "redeliver/3", nil)
	require.Equal(t, 404, status, "%v", out)
	status, out = control(t, s, "redeliver/first", nil)
	require.Equal(t, 400, status, "%v", out)
	require.Contains(t, out["error"], "integer")
	resp, err := http.Get(s.URL() + SandboxPrefix + "redeliver/0")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 405, resp.StatusCode)
	require.Len(t, s.Callbacks(), 3, "refused redeliveries record nothing")
}

func TestSandboxRefusesBadURLs(t *testing.T) {
	s := newTestServer(t)
	verification := func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.verificationURL
	}
	routes := map[string]func() string{"callback-url": s.dashboardURL, "verification-url": verification}
	for route, current := range routes {
		status, out := control(t, s, route, url.Values{"url": {"https://merchant.example/notify"}})
		require.Equal(t, 200, status, "%s %v", route, out)
		require.Equal(t, "https://merchant.example/notify", current())
		for _, bad := range []string{"notaurl", "ftp://x", "http://", "https:///path", "//merchant.example/n", "http://:8080/n", "mailto:a@b.example", "http:merchant.example", " http://x"} {
			status, out := control(t, s, route, url.Values{"url": {bad}})
			assert.Equal(t, 400, status, "%s %q", route, bad)
			assert.Contains(t, out["error"], "absolute http or https URL", "%s %q", route, bad)
			assert.Equal(t, "https://merchant.example/notify", current(), "%s %q changes nothing", route, bad)
		}
		status, out = control(t, s, route, url.Values{"url": {"http://127.0.0.1:9/cb"}})
		require.Equal(t, 200, status, "%s %v", route, out)
		require.Equal(t, "http://127.0.0.1:9/cb", current())
		status, out = control(t, s, route, url.Values{"url": {""}})
		require.Equal(t, 200, status, "%s: empty unsets %v", route, out)
		require.Empty(t, current())
	}
}
