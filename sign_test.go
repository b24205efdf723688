package paycools

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePrivateKeyEveryForm(t *testing.T) {
	for _, bits := range []string{"2048", "4096"} {
		pkcs1 := readTestFile(t, "test_merchant_"+bits+"_pkcs1.pem")
		pkcs8 := readTestFile(t, "test_merchant_"+bits+"_pkcs8.pem")
		b64 := readTestFile(t, "test_merchant_"+bits+"_pkcs8.b64")
		want, err := ParsePrivateKey(pkcs1)
		require.NoError(t, err)
		assert.Equal(t, bits, itoa(want.N.BitLen()))
		oneLine := strings.ReplaceAll(string(pkcs8), "\n", "")
		oneLine = strings.Replace(oneLine, "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\n", 1)
		forms := map[string]string{
			"pkcs1 pem":            string(pkcs1),
			"pkcs8 pem":            string(pkcs8),
			"bare base64":          string(b64),
			"base64 with spaces":   spaced(string(b64), 64, " "),
			"base64 with CRLF":     spaced(string(b64), 76, "\r\n"),
			"double quoted":        `"` + string(b64) + `"`,
			"single quoted":        "'" + string(pkcs8) + "'",
			"escaped newlines":     strings.ReplaceAll(string(pkcs1), "\n", `\n`),
			"pem with CRLF":        strings.ReplaceAll(string(pkcs8), "\n", "\r\n"),
			"BOM and whitespace":   "\ufeff  \n" + string(pkcs1) + "\n\n",
			"pem body on one line": oneLine,
			"mismatched label":     strings.ReplaceAll(string(pkcs8), "PRIVATE KEY", "RSA PRIVATE KEY"),
		}
		for name, in := range forms {
			t.Run(bits+"/"+name, func(t *testing.T) {
				k, err := ParsePrivateKey([]byte(in))
				require.NoError(t, err)
				assert.True(t, want.Equal(k))
			})
		}
	}
}

func spaced(s string, every int, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += every {
		end := min(i+every, len(s))
		b.WriteString(s[i:end])
		b.WriteString(sep)
	}
	return b.String()
}

func TestParsePublicKeyEveryForm(t *testing.T) {
	for _, bits := range []string{"2048", "4096"} {
		priv, err := ParsePrivateKey(readTestFile(t, "test_merchant_"+bits+"_pkcs1.pem"))
		require.NoError(t, err)
		b64 := string(readTestFile(t, "test_merchant_"+bits+"_public_pkix.b64"))
		forms := map[string]string{
			"pkix pem":       string(readTestFile(t, "test_merchant_"+bits+"_public_pkix.pem")),
			"pkcs1 pem":      string(readTestFile(t, "test_merchant_"+bits+"_public_pkcs1.pem")),
			"bare base64":    b64,
			"quoted, spaced": `"` + spaced(b64, 50, " ") + `"`,
		}
		for name, in := range forms {
			t.Run(bits+"/"+name, func(t *testing.T) {
				k, err := ParsePublicKey([]byte(in))
				require.NoError(t, err)
				assert.True(t, priv.PublicKey.Equal(k))
			})
		}
	}
	prefix := map[string]string{"2048": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", "4096": "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA"}
	for bits, p := range prefix {
		assert.True(t, strings.HasPrefix(string(readTestFile(t, "test_merchant_"+bits+"_public_pkix.b64")), p))
	}
	cert, err := ParsePublicKey(readTestFile(t, "test_platform_2048_cert.pem"))
	require.NoError(t, err)
	assert.True(t, testPlatformKey(t).PublicKey.Equal(cert))
}

func TestParseKeyRefusalsNameWhatWasFound(t *testing.T) {
	cases := []struct {
		name    string
		parse   func([]byte) error
		in      []byte
		message string
	}{
		{"public key as private", priv, readTestFile(t, "test_merchant_2048_public_pkix.pem"), "this is a public key, a private key is needed"},
		{"certificate as private", priv, readTestFile(t, "test_platform_2048_cert.pem"), "this is a certificate (it holds a public key), a private key is needed"},
		{"private key as public", pub, readTestFile(t, "test_merchant_2048_pkcs8.pem"), "this is a private key; the PayCools platform public key is needed"},
		{"pkcs1 private as public", pub, readTestFile(t, "test_merchant_2048_pkcs1.pem"), "this is a private key"},
		{"EC in PKCS#8", priv, readTestFile(t, "test_ec_pkcs8.pem"), "PKCS#8 holding an EC key: RSA is required"},
		{"EC SEC1", priv, readTestFile(t, "test_ec_sec1.pem"), "EC private key: RSA is required"},
		{"EC public", pub, readTestFile(t, "test_ec_public.pem"), "EC public key: RSA is required"},
		{"Ed25519", priv, readTestFile(t, "test_ed25519_pkcs8.pem"), "Ed25519 key: RSA is required"},
		{"1024 bits", priv, readTestFile(t, "test_small_1024_pkcs1.pem"), "RSA key of 1024 bits: at least 2048 are required"},
		{"encrypted", priv, readTestFile(t, "test_merchant_2048_encrypted.pem"), "encrypted keys are not supported: decrypt it first"},
		{"bad base64", priv, []byte("MIIEvAIBADANBg*kqhkiG9w0BAQEFAASC"), "the character '*' at position 14, outside the base64 alphabet"},
		{"truncated", priv, readTestFile(t, "test_merchant_2048_pkcs8.b64")[:900], "truncated"},
		{"empty", priv, []byte("  \n"), "the key is empty: check that PAYCOOLS_PRIVATE_KEY"},
	}
	secret := string(readTestFile(t, "test_merchant_2048_pkcs8.b64"))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.in)
			require.Error(t, err)
			var se *SignatureError
			require.True(t, errors.As(err, &se), "want *SignatureError, got %T", err)
			assert.Contains(t, err.Error(), tc.message)
			assert.NotContains(t, err.Error(), secret[40:80], "error must not contain key material")
		})
	}
}

func priv(b []byte) error { _, err := ParsePrivateKey(b); return err }
func pub(b []byte) error  { _, err := ParsePublicKey(b); return err }

func TestGenerateKeyPair(t *testing.T) {
	kp, err := GenerateKeyPair(2048)
	require.NoError(t, err)
	assert.Len(t, kp.PublicKeyBase64, 392)
	assert.True(t, strings.HasPrefix(kp.PublicKeyBase64, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))
	assert.NotContains(t, kp.PublicKeyBase64, "\n")
	k, err := ParsePrivateKey(kp.PrivateKeyPEM)
	require.NoError(t, err)
	assert.Contains(t, string(kp.PrivateKeyPEM), "-----BEGIN PRIVATE KEY-----")
	p1, err := ParsePublicKey([]byte(kp.PublicKeyBase64))
	require.NoError(t, err)
	p2, err := ParsePublicKey(kp.PublicKeyPEM)
	require.NoError(t, err)
	assert.True(t, p1.Equal(p2))
	sign, err := SignParam(k, []byte(`{"a":1}`))
	require.NoError(t, err)
	require.NoError(t, VerifyParam(p1, []byte(`{"a":1}`), sign))

	_, err = GenerateKeyPair(1024)
	assert.ErrorContains(t, err, "2048- or 4096-bit")
	// 3072 is a valid RSA size but not one PayCools uses; `paycools keygen` refuses it too.
	_, err = GenerateKeyPair(3072)
	assert.ErrorContains(t, err, "2048- or 4096-bit")
	assert.ErrorContains(t, CheckKeyBits(3072), "3072 bits")
	assert.NoError(t, CheckKeyBits(4096))
}

func TestSignAndVerifyParam(t *testing.T) {
	param := []byte(`{"mchOrderId":"CCP20220428011068111","timestamp":1676017834369}`)
	for _, file := range []string{"test_merchant_2048_pkcs1.pem", "test_merchant_4096_pkcs1.pem"} {
		k, err := ParsePrivateKey(readTestFile(t, file))
		require.NoError(t, err)
		sign, err := SignParam(k, param)
		require.NoError(t, err)
		// Standard base64 with padding: 344 characters for 2048 bits, 684 for 4096.
		if k.N.BitLen() == 2048 {
			assert.Len(t, sign, 344)
			assert.True(t, strings.HasSuffix(sign, "=="))
		} else {
			assert.Len(t, sign, 684)
		}
		// Independent check with crypto/rsa over the exact bytes.
		sig, err := base64.StdEncoding.DecodeString(sign)
		require.NoError(t, err)
		sum := sha256.Sum256(param)
		require.NoError(t, rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, sum[:], sig))

		require.NoError(t, VerifyParam(&k.PublicKey, param, sign))
		require.NoError(t, VerifyParam(&k.PublicKey, param, spaced(sign, 76, "\r\n")), "CR/LF wrapping is tolerated")
		tampered := append([]byte(nil), param...)
		tampered[5] ^= 1
		assert.ErrorIs(t, VerifyParam(&k.PublicKey, tampered, sign), ErrSignatureMismatch)
		assert.ErrorIs(t, VerifyParam(&k.PublicKey, append(param, '\n'), sign), ErrSignatureMismatch)
	}
	k := testMerchantKey(t)
	sign, err := SignParam(k, param)
	require.NoError(t, err)
	if strings.ContainsAny(sign, "+/") {
		withSpace := strings.NewReplacer("+", " ").Replace(sign)
		if withSpace != sign {
			assert.ErrorContains(t, VerifyParam(&k.PublicKey, param, withSpace), "a '+' was probably turned into a space")
		}
	}
	urlSafe := strings.NewReplacer("+", "-", "/", "_").Replace(sign)
	if urlSafe != sign {
		assert.ErrorContains(t, VerifyParam(&k.PublicKey, param, urlSafe), "URL-safe base64 is not accepted")
	}
	assert.ErrorContains(t, VerifyParam(&k.PublicKey, param, "-_"+sign[2:]), "URL-safe base64 is not accepted")
	assert.ErrorContains(t, VerifyParam(&k.PublicKey, param, "a "+sign[2:]), "turned into a space")
	assert.ErrorContains(t, VerifyParam(&testPlatformKey(t).PublicKey, param, sign), "bad signature")
	// SHA-1 signatures are not accepted.
	s1 := sha1.Sum(param)
	sig1, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA1, s1[:])
	require.NoError(t, err)
	assert.ErrorIs(t, VerifyParam(&k.PublicKey, param, base64.StdEncoding.EncodeToString(sig1)), ErrSignatureMismatch)
}

// kmsSigner stands for a key held in a KMS or HSM: only Public and Sign are reachable.
type kmsSigner struct {
	key   *rsa.PrivateKey
	calls int
}

func (s *kmsSigner) Public() crypto.PublicKey { return &s.key.PublicKey }
func (s *kmsSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.calls++
	return rsa.SignPKCS1v15(r, s.key, opts.HashFunc(), digest)
}

func TestNewClientSigners(t *testing.T) {
	_, err := NewClient("", testMerchantKey(t))
	assert.ErrorContains(t, err, "appID is empty")
	_, err = NewClient(testAppID, nil)
	assert.ErrorContains(t, err, "no signer")
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, err = NewClient(testAppID, ec)
	assert.ErrorContains(t, err, "RSA is required")
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	_, err = NewClient(testAppID, small)
	assert.ErrorContains(t, err, "1024 bits")

	// A KMS-held key signs requests that verify with its public key.
	kms := &kmsSigner{key: testMerchantKey(t)}
	f := newFakeAPI(t)
	c, err := NewClient(testAppID, kms, WithBaseURL("https://pc.test"), WithHTTPClient(f.Client.httpClient))
	require.NoError(t, err)
	f.replyData("POST", "/open-api/direct/debit/token/apply", `{"authUrl":"https://x.test"}`)
	_, err = c.DirectDebit.CreateAuthorizationLink(t.Context(), ddLinkParams())
	require.NoError(t, err) // fakeAPI verified the sign with the merchant public key
	assert.Equal(t, 1, kms.calls)
}
