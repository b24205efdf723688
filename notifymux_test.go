package paycools

import (
	"bytes"
	"context"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	appA = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
	appB = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
)

// tenantCalls records which tenant's function ran for which event.
type tenantCalls struct {
	mu    sync.Mutex
	calls []string
}

func (tc *tenantCalls) handle(_ context.Context, n *Notification) error {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	id := ""
	if ev, ok := n.Event.(*PayoutNotification); ok {
		id = ev.TransactionID
	}
	tc.calls = append(tc.calls, n.AppID+"/"+id)
	return nil
}

func (tc *tenantCalls) list() []string {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return append([]string(nil), tc.calls...)
}

func payoutEvent(id string) string {
	return `{"eventName":"disbursement.success","transactionId":"` + id + `"}`
}

func payoutEventOf(appID, id string) string {
	return `{"appId":"` + appID + `","eventName":"disbursement.success","transactionId":"` + id + `"}`
}

// flatPayout is a flat payout callback naming appID (none when ""), signed with secret.
func flatPayout(t *testing.T, appID, id, secret string) []byte {
	fields := [][2]string{{"eventName", `"disbursement.success"`}, {"transactionId", `"` + id + `"`}}
	if appID != "" {
		fields = append(fields, [2]string{"appId", `"` + appID + `"`})
	}
	return flatCallback(fields, sha1Sign(mustCanonical(t, flatCallback(fields, "x")), secret))
}

// Envelope tenants with their own platform keys: each callback is handled by the tenant whose
// key verifies it, with Notification.AppID set to it, through that tenant's own store.
func TestMuxRoutesEnvelopeByVerifyingKey(t *testing.T) {
	keyA, keyB := testPlatformKey(t), testOtherKey(t)
	a := clockedClient(t, appA, WithPlatformPublicKey(&keyA.PublicKey))
	b := clockedClient(t, appB, WithPlatformPublicKey(&keyB.PublicKey))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	h := m.Handler(tc.handle)

	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, keyA, payoutEvent("T1"), "")).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, keyB, payoutEvent("T1"), "")).Code, "the same ids at another tenant are its own event")
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, keyB, payoutEvent("T2"), appB)).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, keyA, payoutEventOf(appA, "T3"), "")).Code)
	// A redelivery is acknowledged by its own tenant's store without running again.
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, keyA, payoutEvent("T1"), "")).Code)
	assert.Equal(t, []string{appA + "/T1", appB + "/T1", appB + "/T2", appA + "/T3"}, tc.list())

	assert.Equal(t, 405, serveCallback(h, "GET", nil).Code)
	assert.Equal(t, 413, serveCallback(h, "POST", bytes.Repeat([]byte(" "), 1<<20+10)).Code)
	assert.Equal(t, 400, serveCallback(h, "POST", []byte(`{"param":"{}"}`)).Code)
}

// Forged routing is refused and runs nothing: an appId beside param naming a tenant whose key
// does not verify, an appId no tenant has, a param naming one tenant with the other's key, a
// body no tenant's key verifies.
func TestMuxRefusesForgedRouting(t *testing.T) {
	keyA, keyB := testPlatformKey(t), testOtherKey(t)
	var logs bytes.Buffer
	a := clockedClient(t, appA, WithPlatformPublicKey(&keyA.PublicKey), WithLogger(newTextLogger(&logs)))
	b := clockedClient(t, appB, WithPlatformPublicKey(&keyB.PublicKey))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	h := m.Handler(tc.handle)
	for name, body := range map[string][]byte{
		"appId beside param names B, A's key signed":  envelopeBy(t, keyA, payoutEvent("F1"), appB),
		"unknown appId beside param":                  envelopeBy(t, keyA, payoutEvent("F2"), "c2c2c2c2"),
		"param names B, A's key signed":               envelopeBy(t, keyA, payoutEventOf(appB, "F3"), ""),
		"param names A, beside param names B":         envelopeBy(t, keyA, payoutEventOf(appA, "F4"), appB),
		"no appId, no tenant's key verifies":          envelopeBy(t, testMerchantKey(t), payoutEvent("F5"), ""),
		"param names A, signed by a stranger's key":   envelopeBy(t, testMerchantKey(t), payoutEventOf(appA, "F6"), ""),
		"appId beside param names A, stranger signed": envelopeBy(t, testMerchantKey(t), payoutEvent("F7"), appA),
	} {
		rec := serveCallback(h, "POST", body)
		assert.Equal(t, 401, rec.Code, name)
		assert.JSONEq(t, `{"code":21001,"message":"Request sign error"}`, rec.Body.String(), name)
	}
	assert.Empty(t, tc.list(), "nothing forged ran")
	assert.Contains(t, logs.String(), "no client of the mux has")
}

// Tenants sharing one platform key (PayCools' key is the same for every merchant): the appId
// beside param is not signed and cannot choose between them, nor can the key; an appId inside
// param is signed and does.
func TestMuxSharedKeyNeedsASignedAppID(t *testing.T) {
	key := testPlatformKey(t)
	a := clockedClient(t, appA, WithPlatformPublicKey(&key.PublicKey))
	b := clockedClient(t, appB, WithPlatformPublicKey(&key.PublicKey))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	h := m.Handler(tc.handle)

	// A's genuine event, its unsigned appId rewritten to B: B must not run it.
	assert.Equal(t, 401, serveCallback(h, "POST", envelopeBy(t, key, payoutEvent("S1"), appB)).Code)
	assert.Equal(t, 401, serveCallback(h, "POST", envelopeBy(t, key, payoutEvent("S2"), "")).Code, "no signed name, two tenants verify")
	assert.Empty(t, tc.list())

	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, key, payoutEventOf(appB, "S3"), "")).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, key, payoutEventOf(appA, "S4"), appA)).Code)
	assert.Equal(t, []string{appB + "/S3", appA + "/S4"}, tc.list())
}

// PH tenants sharing PayCools' key, flat RSA callbacks: the appId member is signed and picks
// the tenant; without one, both tenants' key verifies and the callback is refused.
func TestMuxSharedKeyFlatRSA(t *testing.T) {
	key := testPlatformKey(t)
	a := clockedClient(t, appA, WithDialect(DialectPH), WithPlatformPublicKey(&key.PublicKey))
	b := clockedClient(t, appB, WithDialect(DialectPH), WithPlatformPublicKey(&key.PublicKey))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	h := m.Handler(tc.handle)
	flatRSA := func(appID, id string) []byte {
		fields := [][2]string{{"eventName", `"disbursement.success"`}, {"transactionId", `"` + id + `"`}}
		if appID != "" {
			fields = append(fields, [2]string{"appId", `"` + appID + `"`})
		}
		return flatCallback(fields, rsaSign(t, key, mustCanonical(t, flatCallback(fields, "x"))))
	}
	assert.Equal(t, 401, serveCallback(h, "POST", flatRSA("", "K1")).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", flatRSA(appB, "K2")).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", flatRSA(appA, "K3")).Code)
	assert.Equal(t, []string{appB + "/K2", appA + "/K3"}, tc.list())
}

// PH tenants with their own callback secrets: a flat SHA-1 callback goes to the tenant it
// names, or to the one whose secret verifies it; one naming B signed with A's secret (or the
// reverse) is refused, as is one that no secret verifies.
func TestMuxRoutesFlatCallbacks(t *testing.T) {
	a := clockedClient(t, appA, WithDialect(DialectPH), WithCallbackSecret("secret-A"))
	b := clockedClient(t, appB, WithDialect(DialectPH), WithCallbackSecret("secret-B"))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	h := m.Handler(tc.handle)

	for _, ok := range [][]byte{
		flatPayout(t, appA, "P1", "secret-A"),
		flatPayout(t, appB, "P1", "secret-B"),
		flatPayout(t, "", "P2", "secret-B"),
		flatPayout(t, "", "P3", "secret-A"),
	} {
		rec := serveCallback(h, "POST", ok)
		assert.Equal(t, 200, rec.Code)
		assert.JSONEq(t, `{"code":1,"msg":"success","data":{}}`, rec.Body.String())
	}
	for name, bad := range map[string][]byte{
		"names B, signed with A's secret": flatPayout(t, appB, "X1", "secret-A"),
		"names A, signed with B's secret": flatPayout(t, appA, "X2", "secret-B"),
		"names an unknown appId":          flatPayout(t, "c2c2c2c2", "X3", "secret-A"),
		"no appId, no tenant's secret":    flatPayout(t, "", "X4", "secret-C"),
	} {
		assert.Equal(t, 401, serveCallback(h, "POST", bad).Code, name)
	}
	assert.Equal(t, []string{appA + "/P1", appB + "/P1", appB + "/P2", appA + "/P3"}, tc.list())
}

// Two tenants sharing one callback secret: a flat callback naming no appId cannot be told
// apart, and is refused.
func TestMuxSharedSecretWithoutAppIDRefused(t *testing.T) {
	a := clockedClient(t, appA, WithDialect(DialectPH), WithCallbackSecret("shared"))
	b := clockedClient(t, appB, WithDialect(DialectPH), WithCallbackSecret("shared"))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	h := m.Handler(tc.handle)
	assert.Equal(t, 401, serveCallback(h, "POST", flatPayout(t, "", "Q1", "shared")).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", flatPayout(t, appB, "Q2", "shared")).Code)
	assert.Equal(t, []string{appB + "/Q2"}, tc.list())
}

// A client's own handler refuses an event that names another merchant application: PayCools
// misdelivering B's event to A's URL, or B's event replayed to A's URL where both share
// PayCools' platform key. Before, the key verified and A ran B's event.
func TestNotificationHandlerRefusesAnotherAppID(t *testing.T) {
	key := testPlatformKey(t)
	a := clockedClient(t, appA, WithDialect(DialectPH), WithPlatformPublicKey(&key.PublicKey), WithCallbackSecret("secret-A"))
	var tc tenantCalls
	h := a.NotificationHandler(tc.handle)
	for name, body := range map[string][]byte{
		"param names B":                  envelopeBy(t, key, payoutEventOf(appB, "R1"), ""),
		"appId beside param names B":     envelopeBy(t, key, payoutEvent("R2"), appB),
		"flat names B, A's secret":       flatPayout(t, appB, "R3", "secret-A"),
		"param names A, beside names B":  envelopeBy(t, key, payoutEventOf(appA, "R4"), appB),
		"param names B, beside names A!": envelopeBy(t, key, payoutEventOf(appB, "R5"), appA),
	} {
		assert.Equal(t, 401, serveCallback(h, "POST", body).Code, name)
		_, err := a.ParseNotification(body)
		var se *SignatureError
		require.ErrorAs(t, err, &se, name)
	}
	assert.Empty(t, tc.list())
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, key, payoutEventOf(appA, "R6"), appA)).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", flatPayout(t, appA, "R7", "secret-A")).Code)
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, key, payoutEvent("R8"), "")).Code)
	assert.Equal(t, []string{appA + "/R6", appA + "/R7", appA + "/R8"}, tc.list(), "AppID is the verified tenant even when the body names none")
}

// Configurations whose callbacks could not be told apart or verified are refused when the mux
// is built.
func TestNewNotificationMuxRefusesAmbiguousConfiguration(t *testing.T) {
	key := &testPlatformKey(t).PublicKey
	a := clockedClient(t, appA, WithPlatformPublicKey(key))
	a2 := clockedClient(t, appA, WithPlatformPublicKey(&testOtherKey(t).PublicKey))
	noVerifier := clockedClient(t, appB)
	for name, tc := range map[string]struct {
		clients []*Client
		want    string
	}{
		"no client":          {nil, "no client"},
		"nil client":         {[]*Client{a, nil}, "client 2 is nil"},
		"two with one appId": {[]*Client{a, a2}, `two clients have appId "` + appA + `"`},
		"cannot verify":      {[]*Client{a, noVerifier}, "WithPlatformPublicKey"},
	} {
		m, err := NewNotificationMux(tc.clients...)
		require.Error(t, err, name)
		assert.Nil(t, m)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	m, err := NewNotificationMux(a)
	require.NoError(t, err)
	assert.Panics(t, func() { m.Handler(nil) })
	assert.Panics(t, func() { m.RepaymentVerificationHandler(nil) })
}

// A repayment question goes to its tenant's RepaymentVerificationHandler, which tells fn the
// tenant and stores the decision in that tenant's store; a question signed for another tenant
// is refused.
func TestMuxRepaymentVerification(t *testing.T) {
	keyA, keyB := testPlatformKey(t), testOtherKey(t)
	a := clockedClient(t, appA, WithPlatformPublicKey(&keyA.PublicKey))
	b := clockedClient(t, appB, WithPlatformPublicKey(&keyB.PublicKey))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var mu sync.Mutex
	var asked []string
	h := m.RepaymentVerificationHandler(func(_ context.Context, appID string, q *RepaymentVerification) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, appID+"/"+q.MchOrderID)
		return appID == appA, nil
	})
	// The question of the clients' day (the replay window applies).
	question := `{"eventName":"payment.verification","mchOrderId":"VA1","channelCode":"GCASH_STATIC_VA","referenceNumber":"PC1","amount":"50010","createTime":"2024-09-12 19:00:00"}`
	rec := serveCallback(h, "POST", envelopeBy(t, keyA, question, ""))
	assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, rec.Body.String())
	rec = serveCallback(h, "POST", envelopeBy(t, keyB, question, appB))
	assert.JSONEq(t, `{"code":1000,"message":"Failed","data":{}}`, rec.Body.String())
	rec = serveCallback(h, "POST", envelopeBy(t, keyA, question, "")) // asked again: stored decision
	assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, rec.Body.String())
	assert.Equal(t, 401, serveCallback(h, "POST", envelopeBy(t, keyB, question, appA)).Code)
	assert.Equal(t, []string{appA + "/VA1", appB + "/VA1"}, asked)
}

// The mux answers through a real server too (the body is re-buffered for the tenant's
// handler, which reads it again).
func TestMuxOverHTTP(t *testing.T) {
	keyA, keyB := testPlatformKey(t), testOtherKey(t)
	a := clockedClient(t, appA, WithPlatformPublicKey(&keyA.PublicKey))
	b := clockedClient(t, appB, WithPlatformPublicKey(&keyB.PublicKey))
	m, err := NewNotificationMux(a, b)
	require.NoError(t, err)
	var tc tenantCalls
	srv := httptest.NewServer(m.Handler(tc.handle))
	defer srv.Close()
	for _, k := range []*rsa.PrivateKey{keyB, keyA} {
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(envelopeBy(t, k, payoutEvent("H1"), "")))
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
	}
	assert.Equal(t, []string{appB + "/H1", appA + "/H1"}, tc.list())
}
