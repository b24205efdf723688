package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testParam = `{"mchOrderId":"CCP20220428011068111","amount":50010,"notifyUrl":"https://m.example/cb?a=1&b=<2>","timestamp":1676017834369}`

func TestSignVerifyRoundTrip(t *testing.T) {
	priv := testKeyPath("test_merchant_2048_pkcs8.pem")
	pub := testKeyPath("test_merchant_2048_public_pkix.b64")

	status, out, errOut := runCLI(t, "sign", "-key", priv, "-param", testParam)
	require.Equal(t, exitOK, status, errOut)
	assert.Empty(t, errOut, "a clean param gives no warning")
	sign := strings.TrimSuffix(out, "\n")
	assert.Len(t, sign, 344)
	// The same bytes as the SDK's own signer (PKCS#1 v1.5 is deterministic).
	want, err := paycools.SignParam(merchantKey(t), []byte(testParam))
	require.NoError(t, err)
	assert.Equal(t, want, sign)

	status, out, errOut = runCLI(t, "verify", "-key", pub, "-param", testParam, "-sign", sign)
	assert.Equal(t, exitOK, status, errOut)
	assert.Equal(t, "OK\n", out)

	// One byte changed: refused with the reason.
	status, out, errOut = runCLI(t, "verify", "-key", pub, "-param", strings.Replace(testParam, "50010", "50011", 1), "-sign", sign)
	assert.Equal(t, exitFail, status)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "does not verify")
	assert.Contains(t, errOut, "doctor")

	// Another key: refused.
	status, _, _ = runCLI(t, "verify", "-key", testKeyPath("test_platform_2048_public_pkix.b64"), "-param", testParam, "-sign", sign)
	assert.Equal(t, exitFail, status)
}

func TestSignEnvelopeVerifiesAsBody(t *testing.T) {
	status, out, errOut := runCLI(t, "sign", "-key", testKeyPath("test_merchant_2048_pkcs1.pem"), "-param", testParam, "-app-id", "f90addc4861540ef9312e87d8f360e08")
	require.Equal(t, exitOK, status, errOut)
	var env map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &env))
	assert.Equal(t, "f90addc4861540ef9312e87d8f360e08", env["appId"])
	assert.Equal(t, testParam, env["param"])
	assert.NotContains(t, out, `\u003c`, "the envelope is not HTML-escaped")

	body := writeTemp(t, "body.json", []byte(out))
	status, out, errOut = runCLI(t, "verify", "-key", testKeyPath("test_merchant_2048_public_pkix.pem"), "-body", body)
	assert.Equal(t, exitOK, status, errOut)
	assert.Equal(t, "OK\n", out)
}

func TestSignParamFileIsSignedExactly(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "param.json")
	writeFile(t, pf, testParam+"\n")
	status, out, errOut := runCLI(t, "sign", "-key", testKeyPath("test_merchant_2048_pkcs8.b64"), "-param-file", pf)
	require.Equal(t, exitOK, status, errOut)
	assert.Contains(t, errOut, "newline", "the trailing newline is pointed out")
	sign := strings.TrimSpace(out)

	pub := &merchantKey(t).PublicKey
	assert.NoError(t, paycools.VerifyParam(pub, []byte(testParam+"\n"), sign), "the newline is signed: exact bytes")
	assert.Error(t, paycools.VerifyParam(pub, []byte(testParam), sign))

	status, _, errOut = runCLI(t, "verify", "-key", testKeyPath("test_merchant_2048_public_pkix.pem"), "-param-file", pf, "-sign", sign)
	assert.Equal(t, exitOK, status, errOut)
}

func TestSignWarnings(t *testing.T) {
	status, _, errOut := runCLI(t, "sign", "-key", testKeyPath("test_merchant_2048_pkcs8.pem"), "-param", "mchOrderId=1")
	assert.Equal(t, exitOK, status)
	assert.Contains(t, errOut, "not a JSON object")

	status, _, errOut = runCLI(t, "sign", "-key", testKeyPath("test_merchant_2048_pkcs8.pem"), "-param", `{"mchOrderId":"1"}`)
	assert.Equal(t, exitOK, status)
	assert.Contains(t, errOut, "no timestamp")
}

func TestSignRefusesPublicKey(t *testing.T) {
	status, out, errOut := runCLI(t, "sign", "-key", testKeyPath("test_merchant_2048_public_pkix.pem"), "-param", testParam)
	assert.Equal(t, exitFail, status)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "public key, a private key is needed")
}

func TestVerifyRefusesPrivateKey(t *testing.T) {
	sign := sign256(t, merchantKey(t), testParam)
	status, _, errOut := runCLI(t, "verify", "-key", testKeyPath("test_merchant_2048_pkcs8.pem"), "-param", testParam, "-sign", sign)
	assert.Equal(t, exitFail, status)
	assert.Contains(t, errOut, "private key")
	assert.Contains(t, errOut, "doctor")
}

func TestVerifyCallbackBody(t *testing.T) {
	param := `{"eventName":"disbursement.success","mchOrderId":"P1","amount":100}`
	body := writeTemp(t, "cb.json", envelopeBody(t, "", param, sign256(t, platformKey(t), param)))
	status, out, errOut := runCLI(t, "verify", "-key", testKeyPath("test_platform_2048_cert.pem"), "-body", body)
	assert.Equal(t, exitOK, status, errOut)
	assert.Equal(t, "OK\n", out)

	// The merchant's own key does not verify a callback.
	status, _, _ = runCLI(t, "verify", "-key", testKeyPath("test_merchant_2048_public_pkix.pem"), "-body", body)
	assert.Equal(t, exitFail, status)
}

func TestVerifyRefusesBadBodies(t *testing.T) {
	pub := testKeyPath("test_merchant_2048_public_pkix.pem")
	sign := sign256(t, merchantKey(t), testParam)
	for name, tc := range map[string]struct{ body, want string }{
		"not json":     {"appId=1&param=2", "not a JSON object"},
		"no sign":      {`{"param":"{}"}`, `no "param" or no "sign"`},
		"param object": {`{"param":` + testParam + `,"sign":"` + sign + `"}`, "not a JSON string"},
		"plus space":   {string(envelopeBody(t, "", testParam, strings.ReplaceAll(sign, "+", " "))), "space"},
		"url-safe":     {string(envelopeBody(t, "", testParam, strings.NewReplacer("+", "-", "/", "_").Replace(sign))), "URL-safe"},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "plus space" && !strings.Contains(sign, "+") || name == "url-safe" && !strings.ContainsAny(sign, "+/") {
				t.Skip("this sign has no '+' or '/'")
			}
			status, out, errOut := runCLI(t, "verify", "-key", pub, "-body", writeTemp(t, "b.json", []byte(tc.body)))
			assert.Equal(t, exitFail, status)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

// A CLI line says "paycools <command>:" and then the SDK's reason without the SDK's own
// "paycools: " (it read "paycools sign: paycools: key: empty input").
func TestCLIErrorsSayPaycoolsOnce(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.pem")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	status, _, errOut := runCLI(t, "sign", "-key", empty, "-param", testParam)
	assert.Equal(t, exitFail, status, errOut)
	assert.Contains(t, errOut, "paycools sign: "+empty+": key: the key is empty")
	assert.NotContains(t, errOut, "paycools:")
}
