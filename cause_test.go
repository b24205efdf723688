package paycools

import (
	"context"
	"crypto/rsa"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 23, "errors that name the real cause".

// A broken PEM BEGIN line was reported as "PEM block without an END line", an empty key as
// "empty input", a word outside base64 as "invalid base64".
func TestKeyErrorsNameTheRealCause(t *testing.T) {
	pemKey := string(readTestFile(t, "test_merchant_2048_pkcs8.pem"))
	secret := string(readTestFile(t, "test_merchant_2048_pkcs8.b64"))
	cases := []struct {
		name     string
		in       string
		want     []string
		dontWant string
	}{
		{"BEGIN with four trailing dashes", strings.Replace(pemKey, "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY----", 1),
			[]string{"BEGIN line", "broken", "-----BEGIN PRIVATE KEY-----"}, "without an END line"},
		{"BEGIN with four leading dashes", strings.Replace(pemKey, "-----BEGIN PRIVATE KEY-----", "----BEGIN PRIVATE KEY-----", 1),
			[]string{"BEGIN line", "broken", "4 leading"}, "not base64"},
		{"BEGIN on one line, dashes lost", strings.ReplaceAll(strings.Replace(pemKey, "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY---", 1), "\n", " "),
			[]string{"BEGIN line", "broken"}, "without an END line"},
		{"END line broken", strings.Replace(pemKey, "-----END PRIVATE KEY-----", "-----END PRIVATE KEY", 1),
			[]string{"END line", "broken"}, ""},
		{"empty", "", []string{"the key is empty", "PAYCOOLS_PRIVATE_KEY"}, "empty input"},
		{"whitespace only", " \r\n\t", []string{"the key is empty", "PAYCOOLS_PRIVATE_KEY"}, ""},
		{"a file name", "/etc/paycools/merchant_private.pem", []string{"not base64", "file name", "PEM"}, ""},
		{"a NAME=value line", "PAYCOOLS_PRIVATE_KEY=" + secret[:60], []string{"not base64", "NAME=value"}, ""},
		{"a stray word", secret[:100] + " key: " + secret[100:], []string{"not base64", "word 2", "':'", "accepted forms", "bare base64"}, "invalid base64"},
		{"a character lost", secret[:len(secret)/2] + secret[len(secret)/2+1:], []string{"length", "copy the key again"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivateKey([]byte(tc.in))
			require.Error(t, err)
			var se *SignatureError
			require.ErrorAs(t, err, &se)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if tc.dontWant != "" {
				assert.NotContains(t, err.Error(), tc.dontWant)
			}
			assert.NotContains(t, err.Error(), secret[40:80], "no key material in the error")
			assert.NotContains(t, err.Error(), secret[100:140], "no key material in the error")
			assert.LessOrEqual(t, strings.Count(err.Error(), "paycools:"), 1, err.Error())
		})
	}
	_, err := ParsePublicKey([]byte("\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform public key")
}

// A credential read whole from a file keeps its trailing newline: it is refused (not trimmed,
// not kept), and the error names the value and the fix without showing it.
func TestCredentialsWithSurroundingWhitespaceAreRefused(t *testing.T) {
	key := testMerchantKey(t)
	_, err := NewClient(testAppID+"\n", key)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "appID has whitespace around it")
	assert.Contains(t, err.Error(), "TrimSpace")
	assert.NotContains(t, err.Error(), testAppID)

	_, err = NewClient(testAppID, key, WithCallbackSecret("s3cr3t-value\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithCallbackSecret")
	assert.Contains(t, err.Error(), "whitespace")
	assert.NotContains(t, err.Error(), "s3cr3t-value")

	_, err = NewClient(testAppID, key, WithAppName(" Shop"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithAppName")

	c, err := NewClient(testAppID, key, WithCallbackSecret("s3cr3t-value"), WithAppName("Shop"))
	require.NoError(t, err)
	assert.Equal(t, testAppID, c.AppID())
}

// Every error-returning constructor and option, given bad input, says "paycools:" once: the
// texts used to read "paycools: NewClient: paycools: key: ..." and "...WithPlatformPublicKey:
// paycools: key: ...".
func TestErrorTextsSayPaycoolsOnce(t *testing.T) {
	key := testMerchantKey(t)
	small := &rsa.PublicKey{N: big.NewInt(3233), E: 65537}
	newClient := func(opts ...Option) error { _, err := NewClient(testAppID, key, opts...); return err }
	cases := map[string]func() error{
		"NewClient empty appID":   func() error { _, err := NewClient("", key); return err },
		"NewClient appID newline": func() error { _, err := NewClient("app\n", key); return err },
		"NewClient nil signer":    func() error { _, err := NewClient(testAppID, nil); return err },
		"NewClient nil *rsa.PrivateKey": func() error {
			var k *rsa.PrivateKey
			_, err := NewClient(testAppID, k)
			return err
		},
		"NewClient empty RSA key":      func() error { _, err := NewClient(testAppID, &rsa.PrivateKey{}); return err },
		"WithBaseURL":                  func() error { return newClient(WithBaseURL("ftp://x")) },
		"WithBaseURL production http":  func() error { return newClient(WithBaseURL("http://openapi.paycools.com")) },
		"WithHTTPClient":               func() error { return newClient(WithHTTPClient(nil)) },
		"WithPlatformPublicKey small":  func() error { return newClient(WithPlatformPublicKey(small)) },
		"WithPlatformPublicKey nil":    func() error { return newClient(WithPlatformPublicKey(nil)) },
		"WithLogger":                   func() error { return newClient(WithLogger(nil)) },
		"WithRetries":                  func() error { return newClient(WithRetries(-1)) },
		"WithClock":                    func() error { return newClient(WithClock(nil)) },
		"WithEndpoint":                 func() error { return newClient(WithEndpoint("Nope.Op", "GET", "/x")) },
		"WithBackoff":                  func() error { return newClient(WithBackoff(0, 0)) },
		"WithPollInterval":             func() error { return newClient(WithPollInterval(0, 0)) },
		"WithDialect":                  func() error { return newClient(WithDialect(Dialect(9))) },
		"WithEnvelopeSigning":          func() error { return newClient(WithEnvelopeSigning(EnvelopeSigning(9))) },
		"WithCallbackSecret empty":     func() error { return newClient(WithCallbackSecret("")) },
		"WithCallbackSecret newline":   func() error { return newClient(WithCallbackSecret("x\n")) },
		"WithAppName":                  func() error { return newClient(WithAppName("")) },
		"WithNotificationMaxAge":       func() error { return newClient(WithNotificationMaxAge(-1)) },
		"ParsePrivateKey":              func() error { _, err := ParsePrivateKey([]byte("x")); return err },
		"ParsePublicKey":               func() error { _, err := ParsePublicKey(nil); return err },
		"ParseAmount":                  func() error { _, err := ParseAmount("1.234"); return err },
		"PHP overflow":                 func() error { _, err := PHP(1 << 62); return err },
		"Pesos centavos":               func() error { _, err := Pesos(1, 100); return err },
		"GenerateKeyPair 3072":         func() error { _, err := GenerateKeyPair(3072); return err },
		"CheckKeyBits":                 func() error { return CheckKeyBits(1024) },
		"ParseDialect":                 func() error { _, err := ParseDialect("x"); return err },
		"ParseEnvelopeSigning":         func() error { _, err := ParseEnvelopeSigning("x"); return err },
		"SignParam nil signer":         func() error { _, err := SignParam(nil, nil); return err },
		"VerifyParam bad sign":         func() error { return VerifyParam(&key.PublicKey, nil, "a b") },
		"VerifyParam no key":           func() error { return VerifyParam(nil, nil, "") },
		"NewClient key and option bad": func() error { return newClient(WithPlatformPublicKey(&rsa.PublicKey{})) },
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			err := fn()
			require.Error(t, err)
			assert.Equal(t, 1, strings.Count(err.Error(), "paycools:"), "%q", err.Error())
			assert.True(t, strings.HasPrefix(err.Error(), "paycools: "), "%q", err.Error())
		})
	}
	// A wrapped sentinel says it once too, and errors.Is still reaches it.
	assert.Equal(t, 1, strings.Count(errRefundNotListed.Error(), "paycools:"), errRefundNotListed.Error())
	assert.ErrorIs(t, errRefundNotListed, ErrTransactionNotFound)
	// The wrapped error is still reachable.
	err := newClient(WithPlatformPublicKey(small))
	var se *SignatureError
	assert.True(t, errors.As(err, &se), "%T", err)
}

// A PH host behind a proxy without WithDialect (or the reverse) answered "HTTP 404 without a
// PayCools envelope" and nothing more: the text now names the other dialect, WithDialect and
// `paycools probe`.
func TestNotFoundWithoutEnvelopeNamesTheOtherDialect(t *testing.T) {
	f := newFakeAPI(t) // https://pc.test: an unknown host, so the open-api default
	f.reply("POST", "/open-api/disbursement/check", 404, `<html><body>404 Not Found</body></html>`)
	_, err := f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "ORDER1", CountryCode: CountryPH})
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	msg := err.Error()
	for _, w := range []string{"HTTP 404", "/open-api/disbursement/check", "ph dialect", "WithDialect(paycools.DialectPH)", "paycools probe"} {
		assert.Contains(t, msg, w)
	}
	assert.Equal(t, 1, strings.Count(msg, "paycools:"), msg)

	c, w := newPHClient(t, WithBaseURL("https://proxy.example.com"), WithDialect(DialectPH))
	w.mt.RegisterResponder("GET", `=~^https://proxy\.example\.com/api/v1/payout/check`, httpmock.NewStringResponder(404, "Not Found"))
	_, err = c.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "ORDER1"})
	require.ErrorAs(t, err, &he)
	assert.Contains(t, err.Error(), "open-api dialect")
	assert.Contains(t, err.Error(), "WithDialect(paycools.DialectOpenAPI)")
	assert.Contains(t, err.Error(), "paycools probe")

	// Other statuses are not about the dialect.
	f = newFakeAPI(t)
	f.reply("POST", "/open-api/disbursement/check", 403, `Forbidden`)
	_, err = f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "ORDER1", CountryCode: CountryPH})
	require.ErrorAs(t, err, &he)
	assert.NotContains(t, err.Error(), "WithDialect")
}

// WithLogger at Info showed nothing of a payout that succeeded: it is now one Info line with
// the operation, amount, order id and masked account; queries and failures are as before.
func TestMoneyMovingSuccessIsOneInfoLine(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	f := newFakeAPI(t, WithLogger(logger))
	f.replyData("POST", pathPayoutCreate, payoutCreateData)
	p := fullCreatePayoutParams()
	p.PayMethodCode, p.TransferCode, p.AccountNo = PayMethodBank, "BDO", "001234567890"
	_, err := f.Client.Payouts.Create(context.Background(), p)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 1, buf.String())
	line := lines[0]
	for _, w := range []string{"level=INFO", "operation=Payouts.Create", "amount=50010", "mch_order_id=TestMchOrderIdD0001", "account=********7890"} {
		assert.Contains(t, line, w)
	}
	assert.NotContains(t, line, "001234567890", "the account number is masked")

	// A query that succeeded and a payout that failed add no Info line.
	buf.Reset()
	f.replyData("POST", pathPayoutGet, payoutCreateData)
	_, err = f.Client.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "TestMchOrderIdD0001", CountryCode: CountryPH})
	require.NoError(t, err)
	assert.Empty(t, buf.String())
	f.replyCode("POST", pathPayoutCreate, 21007, "Duplicate merchant order id")
	_, err = f.Client.Payouts.Create(context.Background(), p)
	require.Error(t, err)
	assert.NotContains(t, buf.String(), "level=INFO")
	assert.Contains(t, buf.String(), "level=WARN")

	// A refund names its own amount and order id.
	buf.Reset()
	f.replyData("POST", "/open-api/payment/refund", `{"mchRefundOrderId":"R1","refundTransactionId":"RT1","refundStatus":"PENDING"}`)
	_, err = f.Client.Refunds.Create(context.Background(), &RefundCreateParams{MchRefundOrderID: "REFUND0001", OriginalTransactionID: "T1",
		RefundAmount: 1000, RefundCallbackURL: "https://merchant.example.com/refund"})
	require.NoError(t, err)
	assert.Contains(t, buf.String(), "amount=1000")
	assert.Contains(t, buf.String(), "mch_order_id=REFUND0001")
	assert.Contains(t, buf.String(), "original_transaction_id=T1")
}
