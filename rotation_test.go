package paycools

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testOtherKey is a third RSA key of the test data (4096 bits), standing for PayCools' next
// platform key or another tenant's.
func testOtherKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(readTestFile(t, "test_merchant_4096_pkcs1.pem"))
	require.NoError(t, err)
	return k
}

// rsaSign is the standard base64 RSA-SHA256 signature of msg by k.
func rsaSign(t testing.TB, k *rsa.PrivateKey, msg string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(sig)
}

// envelopeBy is an envelope callback of param signed by k, with appID beside param unless "".
func envelopeBy(t testing.TB, k *rsa.PrivateKey, param, appID string) []byte {
	t.Helper()
	m := map[string]string{"param": param, "sign": rsaSign(t, k, param)}
	if appID != "" {
		m["appId"] = appID
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// clockedClient is a client of appID with a fixed clock given to it and to its store.
func clockedClient(t testing.TB, appID string, opts ...Option) *Client {
	t.Helper()
	store := NewMemoryNotificationStore(24 * time.Hour)
	store.now = func() time.Time { return fixedNow }
	base := []Option{WithBaseURL("https://pc.test"), WithClock(func() time.Time { return fixedNow }), WithNotificationStore(store)}
	c, err := NewClient(appID, testMerchantKey(t), append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// Two platform keys (the one PayCools signs with now and the next, of another size) both
// verify, in the envelope and the flat RSA forms; a third key is refused. The log line says
// which key verified by position and fingerprint, never the key.
func TestPlatformKeyRotation(t *testing.T) {
	oldKey, newKey, stranger := testPlatformKey(t), testOtherKey(t), testMerchantKey(t)
	var logs bytes.Buffer
	c := clockedClient(t, testAppID, WithDialect(DialectPH), WithLogger(newTextLogger(&logs)),
		WithPlatformPublicKey(&oldKey.PublicKey, &newKey.PublicKey))
	var handled []string
	h := c.NotificationHandler(func(_ context.Context, n *Notification) error {
		handled = append(handled, n.Event.(*PayoutNotification).TransactionID)
		return nil
	})
	param := func(id string) string { return `{"eventName":"disbursement.success","transactionId":"` + id + `"}` }
	flat := func(k *rsa.PrivateKey, id string) []byte {
		fields := [][2]string{{"eventName", `"disbursement.success"`}, {"transactionId", `"` + id + `"`}}
		return flatCallback(fields, rsaSign(t, k, mustCanonical(t, flatCallback(fields, "x"))))
	}

	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, oldKey, param("E1"), "")).Code)
	assert.Contains(t, logs.String(), "level=DEBUG msg=\"paycools: callback verified\" form=envelope key=1 keys=2 key_fingerprint="+KeyFingerprint(&oldKey.PublicKey))
	assert.Equal(t, 200, serveCallback(h, "POST", envelopeBy(t, newKey, param("E2"), "")).Code)
	assert.Contains(t, logs.String(), "level=INFO")
	assert.Contains(t, logs.String(), "form=envelope key=2 keys=2 key_fingerprint="+KeyFingerprint(&newKey.PublicKey))
	assert.Equal(t, 200, serveCallback(h, "POST", flat(newKey, "F2")).Code)
	assert.Contains(t, logs.String(), "form=flat-rsa key=2 keys=2")
	assert.Equal(t, 200, serveCallback(h, "POST", flat(oldKey, "F1")).Code)

	assert.Equal(t, 401, serveCallback(h, "POST", envelopeBy(t, stranger, param("E3"), "")).Code)
	assert.Equal(t, 401, serveCallback(h, "POST", flat(stranger, "F3")).Code)
	assert.Equal(t, []string{"E1", "E2", "F2", "F1"}, handled)

	_, err := c.ParseNotification(envelopeBy(t, stranger, param("E3"), ""))
	assert.ErrorIs(t, err, ErrSignatureMismatch, "a third key is a mismatch, not blamed on the size of another key")
	for _, k := range []*rsa.PrivateKey{oldKey, newKey} {
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		require.NoError(t, err)
		pkix := base64.StdEncoding.EncodeToString(der)
		assert.NotContains(t, logs.String(), pkix[20:60], "a key never shows in the log")
	}
	assert.Len(t, KeyFingerprint(&newKey.PublicKey), 8)
	assert.NotEqual(t, KeyFingerprint(&oldKey.PublicKey), KeyFingerprint(&newKey.PublicKey))
}

// Two callback secrets both verify flat SHA-1 callbacks; a third is refused. The log line says
// which secret by position, never its value.
func TestCallbackSecretRotation(t *testing.T) {
	var logs bytes.Buffer
	c := clockedClient(t, testAppID, WithDialect(DialectPH), WithLogger(newTextLogger(&logs)),
		WithCallbackSecret("old-Secret-7a1c", "new-Secret-9e4d"))
	var handled []string
	h := c.NotificationHandler(func(_ context.Context, n *Notification) error {
		handled = append(handled, n.Event.(*PayoutNotification).TransactionID)
		return nil
	})
	flat := func(secret, id string) []byte {
		fields := [][2]string{{"eventName", `"disbursement.success"`}, {"transactionId", `"` + id + `"`}, {"appId", `"` + testAppID + `"`}}
		return flatCallback(fields, sha1Sign(mustCanonical(t, flatCallback(fields, "x")), secret))
	}
	assert.Equal(t, 200, serveCallback(h, "POST", flat("old-Secret-7a1c", "S1")).Code)
	assert.Contains(t, logs.String(), `level=DEBUG msg="paycools: callback verified" form=flat-sha1 secret=1 secrets=2`)
	assert.Equal(t, 200, serveCallback(h, "POST", flat("new-Secret-9e4d", "S2")).Code)
	assert.Contains(t, logs.String(), `form=flat-sha1 secret=2 secrets=2`)
	assert.Equal(t, 401, serveCallback(h, "POST", flat("third-Secret-0000", "S3")).Code)
	assert.Equal(t, []string{"S1", "S2"}, handled)
	for _, s := range []string{"old-Secret-7a1c", "new-Secret-9e4d", "third-Secret-0000"} {
		assert.NotContains(t, logs.String(), s)
		for _, printed := range printedEveryWay(c) {
			assert.NotContains(t, printed, s)
		}
		type holder struct{ C Client }
		for _, printed := range printedEveryWay(holder{*c}) {
			assert.NotContains(t, printed, s, "a copy of the client shows no secret either")
		}
	}
}

// Extra keys and secrets are checked as the first one is: empty, surrounded by whitespace,
// unusable or repeated values are refused, naming which one, never showing it.
func TestRotationOptionsRefuseBadExtraValues(t *testing.T) {
	k := &testPlatformKey(t).PublicKey
	for name, tc := range map[string]struct {
		opt  Option
		want string
	}{
		"empty extra secret":      {WithCallbackSecret("s1", ""), "secret 2 is empty"},
		"extra secret with space": {WithCallbackSecret("s1", "s2\n"), "secret 2 has whitespace around it"},
		"repeated secret":         {WithCallbackSecret("s1", "s2", "s1"), "secret 3 is secret 1 again"},
		"nil extra key":           {WithPlatformPublicKey(k, nil), "key 2"},
		"small extra key":         {WithPlatformPublicKey(k, &rsa.PublicKey{N: new(big.Int).Rsh(testMerchantKey(t).N, 1100), E: 65537}), "key 2"},
		"repeated key":            {WithPlatformPublicKey(k, &testOtherKey(t).PublicKey, k), "key 3 is key 1 again (fingerprint " + KeyFingerprint(k)},
	} {
		_, err := NewClient(testAppID, testMerchantKey(t), tc.opt)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
		assert.NotContains(t, err.Error(), "s2\n", name)
	}
	_, err := NewClient(testAppID, testMerchantKey(t), WithCallbackSecret("s1", "s2"), WithPlatformPublicKey(k, &testOtherKey(t).PublicKey))
	require.NoError(t, err)
}

// One key or secret: verification does what it did (no second pass, no log cost when the
// level is off).
func BenchmarkParseNotificationOneKey(b *testing.B) {
	c := clockedClient(b, testAppID, WithPlatformPublicKey(&testPlatformKey(b).PublicKey))
	body := signedCallback(b, `{"eventName":"disbursement.success","transactionId":"B1"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ParseNotification(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseNotificationSecondKey is a callback signed with the second of two keys: one
// more RSA verification.
func BenchmarkParseNotificationSecondKey(b *testing.B) {
	c := clockedClient(b, testAppID, WithPlatformPublicKey(&testOtherKey(b).PublicKey, &testPlatformKey(b).PublicKey))
	body := signedCallback(b, `{"eventName":"disbursement.success","transactionId":"B1"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ParseNotification(body); err != nil {
			b.Fatal(err)
		}
	}
}
