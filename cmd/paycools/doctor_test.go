package main

import (
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testAppID = "f90addc4861540ef9312e87d8f360e08"

// callbackParam is a callback's param: it has an eventName.
const callbackParam = `{"eventName":"disbursement.success","mchOrderId":"P1","amount":50010,"completeTime":"2024-09-12 19:07:19"}`

// merchantPub, merchantPriv and platformPub are the raw test key files doctor reads.
func merchantPub(t testing.TB) []byte  { return testKeyFile(t, "test_merchant_2048_public_pkix.b64") }
func merchantPriv(t testing.TB) []byte { return testKeyFile(t, "test_merchant_2048_pkcs8.pem") }
func platformPub(t testing.TB) []byte  { return testKeyFile(t, "test_platform_2048_public_pkix.b64") }

// requestBody is a request envelope whose sign was made over signed (the mistake under test)
// while param carries sent.
func requestBody(t testing.TB, sent, sign string) []byte {
	return envelopeBody(t, testAppID, sent, sign)
}

// signWithPlus finds a param variant (by timestamp) whose correct sign holds the characters
// wanted, so that a test of a mangled character is never vacuous.
func signWithChars(t testing.TB, chars string) (param, sign string) {
	t.Helper()
	for ts := 1676017834369; ts < 1676017834369+200; ts++ {
		param = fmt.Sprintf(`{"mchOrderId":"CCP1","amount":50010,"timestamp":%d}`, ts)
		sign = sign256(t, merchantKey(t), param)
		ok := true
		for _, c := range chars {
			ok = ok && strings.ContainsRune(sign, c)
		}
		if ok {
			return param, sign
		}
	}
	t.Fatal("no sign with " + chars)
	return "", ""
}

func assertVerified(t *testing.T, fs []Finding) {
	t.Helper()
	f := finding(t, fs, CauseVerified)
	assert.Equal(t, SeverityOK, f.Severity)
	for _, f := range fs {
		assert.NotEqual(t, SeverityProblem, f.Severity, "unexpected problem:\n%s", dump(fs))
	}
}

// assertProblems checks that the problems found are exactly want (notes aside) and that the
// signature is not called verified.
func assertProblems(t *testing.T, fs []Finding, want ...Cause) {
	t.Helper()
	var got []Cause
	for _, f := range fs {
		if f.Severity == SeverityProblem {
			got = append(got, f.Cause)
		}
		assert.NotEqual(t, CauseVerified, f.Cause, "called verified:\n%s", dump(fs))
	}
	assert.ElementsMatch(t, want, got, "findings:\n%s", dump(fs))
}

func TestDoctorVerified(t *testing.T) {
	body := requestBody(t, testParam, sign256(t, merchantKey(t), testParam))
	for name, key := range map[string][]byte{
		"public pkix base64": merchantPub(t),
		"public pkix pem":    testKeyFile(t, "test_merchant_2048_public_pkix.pem"),
		"private pkcs8":      merchantPriv(t),
		"private pkcs1":      testKeyFile(t, "test_merchant_2048_pkcs1.pem"),
	} {
		t.Run(name, func(t *testing.T) {
			fs := diagnose(Inputs{Key: key, KeyName: "k", Body: body})
			assertVerified(t, fs)
			assert.Contains(t, finding(t, fs, CauseKeyForm).Message, "ParsePublicKey")
		})
	}

	// The same through the command: exit 0 and a verdict.
	status, out, errOut := runCLI(t, "doctor", "-key", testKeyPath("test_merchant_2048_public_pkix.pem"), "-body", writeTemp(t, "b.json", body))
	assert.Equal(t, exitOK, status, errOut)
	assert.Contains(t, out, "[ok] verified")
	assert.Contains(t, out, "Verdict: the signature verifies.")
}

func TestDoctorCommandReportsProblems(t *testing.T) {
	param, sign := signWithChars(t, "+")
	status, out, _ := runCLI(t, "doctor", "-key", testKeyPath("test_merchant_2048_public_pkix.b64"),
		"-param", param, "-sign", strings.ReplaceAll(sign, "+", " "))
	assert.Equal(t, exitFail, status)
	assert.Contains(t, out, "[problem] sign-plus-as-space")
	assert.Contains(t, out, "Verdict: the signature does not verify as given (1 problem(s) above).")
}

// Wrong key: the merchant vs platform mix-up, in both directions, with -other-key naming the
// key that actually signed.
func TestDoctorWrongKeyWithOtherKey(t *testing.T) {
	t.Run("request signed with the platform key", func(t *testing.T) {
		body := requestBody(t, testParam, sign256(t, platformKey(t), testParam))
		fs := diagnose(Inputs{Key: merchantPub(t), KeyName: "merchant.pub", OtherKey: platformPub(t), OtherKeyName: "platform.pub", Body: body})
		assertProblems(t, fs, CauseWrongKey)
		msg := finding(t, fs, CauseWrongKey).Message
		assert.Contains(t, msg, "verifies with -other-key platform.pub")
		assert.Contains(t, msg, "not with -key merchant.pub")
	})
	t.Run("callback checked with the merchant's own key", func(t *testing.T) {
		body := envelopeBody(t, "", callbackParam, sign256(t, platformKey(t), callbackParam))
		fs := diagnose(Inputs{Key: merchantPriv(t), KeyName: "merchant.pem", OtherKey: testKeyFile(t, "test_platform_2048_cert.pem"), OtherKeyName: "platform.crt", Body: body})
		assertProblems(t, fs, CauseWrongKey)
		assert.Contains(t, finding(t, fs, CauseWrongKey).Message, "-other-key platform.crt")
		assert.Contains(t, finding(t, fs, CausePrivateForPublic).Message, "derived its public key")
	})
	t.Run("signature matches -key, not -other-key", func(t *testing.T) {
		body := requestBody(t, testParam, sign256(t, merchantKey(t), testParam))
		fs := diagnose(Inputs{Key: merchantPub(t), OtherKey: platformPub(t), Body: body})
		assertVerified(t, fs)
		assert.Contains(t, finding(t, fs, CauseVerified).Message, "does not come from -other-key")
	})
}

// Rotating the merchant key: given the old and the new private key, doctor says which one
// signed the body by the fingerprint the SDK logs, calls it a rotation (not a mix-up with the
// platform key), and never prints a private key.
func TestDoctorTellsWhichOfTwoMerchantKeysSigned(t *testing.T) {
	oldPEM, newPEM := merchantPriv(t), testKeyFile(t, "test_merchant_4096_pkcs8.pem")
	newKey, err := paycools.ParsePrivateKey(newPEM)
	require.NoError(t, err)
	oldFP, newFP := paycools.KeyFingerprint(&merchantKey(t).PublicKey), paycools.KeyFingerprint(&newKey.PublicKey)
	body := requestBody(t, testParam, sign256(t, newKey, testParam))

	fs := diagnose(Inputs{Key: oldPEM, KeyName: "old.pem", OtherKey: newPEM, OtherKeyName: "new.pem", Body: body})
	assertProblems(t, fs, CauseWrongKey)
	signedBy := finding(t, fs, CauseSignedBy).Message
	assert.Contains(t, signedBy, "Signed by -other-key new.pem, fingerprint "+newFP+"; not by -key old.pem, fingerprint "+oldFP)
	assert.Contains(t, finding(t, fs, CauseWrongKey).Message, "rotation of the merchant key")
	assert.NotContains(t, finding(t, fs, CauseWrongKey).Message, "platform public key (WithPlatformPublicKey)")

	fs = diagnose(Inputs{Key: newPEM, KeyName: "new.pem", OtherKey: oldPEM, OtherKeyName: "old.pem", Body: body})
	assertVerified(t, fs)
	assert.Contains(t, finding(t, fs, CauseSignedBy).Message, "Signed by -key new.pem, fingerprint "+newFP+"; not by -other-key old.pem, fingerprint "+oldFP)

	status, out, _ := runCLI(t, "doctor", "-key", testKeyPath("test_merchant_2048_pkcs8.pem"),
		"-other-key", testKeyPath("test_merchant_4096_pkcs8.pem"), "-body", writeTemp(t, "body.json", body))
	assert.Equal(t, exitFail, status)
	assert.Contains(t, out, "[note] signed-by")
	assert.Contains(t, out, "fingerprint "+newFP)
	for _, pemFile := range [][]byte{oldPEM, newPEM} {
		lines := strings.Split(strings.TrimSpace(string(pemFile)), "\n")
		assert.NotContains(t, out, lines[len(lines)/2], "no line of a private key is printed")
	}
}

// Wrong key without -other-key: given the merchant private key, doctor derives its public key,
// finds that nothing verifies, and says a callback needs the platform key.
func TestDoctorWrongKeyDerivedFromPrivate(t *testing.T) {
	body := envelopeBody(t, "", callbackParam, sign256(t, platformKey(t), callbackParam))
	fs := diagnose(Inputs{Key: merchantPriv(t), KeyName: "merchant.pem", Body: body})
	assertProblems(t, fs, CauseUnknownKey)
	assert.Contains(t, finding(t, fs, CausePrivateForPublic).Message, "derived its public key")
	msg := finding(t, fs, CauseUnknownKey).Message
	assert.Contains(t, msg, "looks like a callback")
	assert.Contains(t, msg, "platform public key")
	assert.Contains(t, msg, "-other-key")
}

func TestDoctorSignLengthOfAnotherKeySize(t *testing.T) {
	k4096 := testKeyFile(t, "test_merchant_4096_pkcs8.pem")
	key4096, err := parsePriv(k4096)
	require.NoError(t, err)
	body := requestBody(t, testParam, sign256(t, key4096, testParam))
	fs := diagnose(Inputs{Key: merchantPub(t), Body: body})
	assertProblems(t, fs, CauseSignLength, CauseUnknownKey)
	assert.Contains(t, finding(t, fs, CauseSignLength).Message, "4096-bit key")
}

func TestDoctorKeyForms(t *testing.T) {
	body := requestBody(t, testParam, sign256(t, merchantKey(t), testParam))
	pkcs1PubPEM := testKeyFile(t, "test_merchant_2048_public_pkcs1.pem")

	t.Run("PKCS#1 public where PKIX is expected", func(t *testing.T) {
		fs := diagnose(Inputs{Key: pkcs1PubPEM, Body: body})
		assertVerified(t, fs)
		f := finding(t, fs, CausePKCS1Public)
		assert.Equal(t, SeverityNote, f.Severity)
		assert.Contains(t, f.Message, `PKCS#1 "RSA PUBLIC KEY"`)
		assert.Contains(t, f.Message, "paycools.ParsePublicKey accepts it")
		assert.Contains(t, f.Message, strings.TrimSpace(string(merchantPub(t))), "gives the PKIX form")
		assert.Contains(t, finding(t, fs, CauseKeyForm).Message, `a PEM "RSA PUBLIC KEY" block holding a PKCS#1 RSA public key`)
	})
	t.Run("PKCS#1 public as bare base64", func(t *testing.T) {
		blk := pemBody(t, pkcs1PubPEM)
		fs := diagnose(Inputs{Key: []byte(blk), Body: body})
		assertVerified(t, fs)
		finding(t, fs, CausePKCS1Public)
		assert.Contains(t, finding(t, fs, CauseKeyForm).Message, "bare base64 DER of a PKCS#1 RSA public key")
	})
	t.Run("PKCS#1 DER in PUBLIC KEY armor", func(t *testing.T) {
		relabelled := strings.ReplaceAll(string(pkcs1PubPEM), "RSA PUBLIC KEY", "PUBLIC KEY")
		fs := diagnose(Inputs{Key: []byte(relabelled), Body: body})
		f := finding(t, fs, CauseKeyPEMLabel)
		assert.Contains(t, f.Message, `armor says "PUBLIC KEY"`)
		assert.Contains(t, f.Message, `"RSA PUBLIC KEY"`)
		assert.Contains(t, f.Message, "accepts it")
		finding(t, fs, CauseVerified)
	})
	t.Run("PKCS#8 DER in RSA PRIVATE KEY armor", func(t *testing.T) {
		relabelled := strings.ReplaceAll(string(merchantPriv(t)), "PRIVATE KEY", "RSA PRIVATE KEY")
		fs := diagnose(Inputs{Key: []byte(relabelled), Body: body})
		assert.Contains(t, finding(t, fs, CauseKeyPEMLabel).Message, `the DER inside is a PKCS#8 private key, whose armor is "PRIVATE KEY"`)
	})
	t.Run("private key where a public one is expected", func(t *testing.T) {
		fs := diagnose(Inputs{Key: testKeyFile(t, "test_merchant_2048_pkcs8.b64"), Body: body})
		assertVerified(t, fs)
		f := finding(t, fs, CausePrivateForPublic)
		assert.Contains(t, f.Message, "a private key where a public key is expected")
		assert.Contains(t, f.Message, strings.TrimSpace(string(merchantPub(t))))
		form := finding(t, fs, CauseKeyForm).Message
		assert.Contains(t, form, "bare base64 DER of a PKCS#8 private key")
		assert.Contains(t, form, "paycools.ParsePublicKey refuses it (this is a private key")
		assert.Contains(t, form, "paycools.ParsePrivateKey accepts it")
	})
	t.Run("base64 of a PEM file", func(t *testing.T) {
		double := base64.StdEncoding.EncodeToString(testKeyFile(t, "test_merchant_2048_public_pkix.pem"))
		fs := diagnose(Inputs{Key: []byte(double), Body: body})
		f := finding(t, fs, CauseKeyBase64OfPEM)
		assert.Equal(t, SeverityProblem, f.Severity)
		assert.Contains(t, f.Message, "base64-decode it once")
		finding(t, fs, CauseVerified) // doctor still checks with the key inside
	})
	t.Run("EC key", func(t *testing.T) {
		fs := diagnose(Inputs{Key: testKeyFile(t, "test_ec_pkcs8.pem"), Body: body})
		assert.Contains(t, finding(t, fs, CauseKeyUnusable).Message, "RSA")
		assert.NotContains(t, causes(fs), CauseVerified)
	})
	t.Run("1024-bit key", func(t *testing.T) {
		fs := diagnose(Inputs{Key: testKeyFile(t, "test_small_1024_pkcs1.pem"), Body: body})
		assert.Contains(t, finding(t, fs, CauseKeyTooSmall).Message, "1024-bit")
	})
	t.Run("encrypted key", func(t *testing.T) {
		fs := diagnose(Inputs{Key: testKeyFile(t, "test_merchant_2048_encrypted.pem"), Body: body})
		assert.Contains(t, finding(t, fs, CauseKeyUnusable).Message, "encrypted")
	})
}

func TestDoctorTruncatedKey(t *testing.T) {
	body := requestBody(t, testParam, sign256(t, merchantKey(t), testParam))
	full := strings.TrimSpace(string(merchantPub(t)))
	for name, key := range map[string]string{
		"base64 cut at 300": full[:300],
		"base64 cut at 301": full[:301],
		"PEM cut short":     string(testKeyFile(t, "test_merchant_2048_public_pkix.pem"))[:250],
		"PEM lines missing": dropLines(string(testKeyFile(t, "test_merchant_2048_pkcs8.pem")), 10, 14),
	} {
		t.Run(name, func(t *testing.T) {
			fs := diagnose(Inputs{Key: []byte(key), KeyName: "k", Body: body})
			f := finding(t, fs, CauseKeyTruncated)
			assert.Equal(t, SeverityProblem, f.Severity)
			assert.Contains(t, f.Message, "looks truncated")
			assert.Contains(t, f.Message, "bytes of DER")
			assert.Contains(t, f.Message, "392 base64 characters", "gives the length a whole key has")
			assert.NotContains(t, causes(fs), CauseVerified)
		})
	}
	fs := diagnose(Inputs{Key: []byte(strings.Split(string(testKeyFile(t, "test_merchant_2048_public_pkix.pem")), "-----END")[0]), Body: body})
	f := finding(t, fs, CauseKeyTruncated)
	assert.Equal(t, SeverityProblem, f.Severity)
	assert.Contains(t, f.Message, `no "-----END PUBLIC KEY-----" line`)
	assert.Contains(t, f.Message, "restore the END line")

	fs = diagnose(Inputs{Key: []byte(full[:300]), Body: body})
	assert.Contains(t, finding(t, fs, CauseKeyTruncated).Message, "announces 294 bytes but only 225 are there, 69 missing")
	assert.Contains(t, finding(t, fs, CauseKeyTruncated).Message, "PKIX public key")
}

func TestDoctorSignTransportDamage(t *testing.T) {
	t.Run("plus turned into a space", func(t *testing.T) {
		param, sign := signWithChars(t, "+")
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, param, strings.ReplaceAll(sign, "+", " "))})
		assertProblems(t, fs, CauseSignPlusAsSpace)
		msg := finding(t, fs, CauseSignPlusAsSpace).Message
		assert.Contains(t, msg, "'+' of the base64 was turned into a space")
		assert.Contains(t, msg, "Repaired, the signature verifies: this is the only problem.")
	})
	t.Run("form-encoded body", func(t *testing.T) {
		param, sign := signWithChars(t, "+")
		body := "appId=" + testAppID + "&param=" + param + "&sign=" + sign // '+' not escaped as %2B
		fs := diagnose(Inputs{Key: merchantPub(t), Body: []byte(body)})
		assertProblems(t, fs, CauseSignPlusAsSpace)
		finding(t, fs, CauseBodyForm)
	})
	t.Run("URL-safe base64", func(t *testing.T) {
		param, sign := signWithChars(t, "+/")
		urlSafe := strings.NewReplacer("+", "-", "/", "_").Replace(sign)
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(param), Sign: urlSafe})
		assertProblems(t, fs, CauseSignURLSafe)
		assert.Contains(t, finding(t, fs, CauseSignURLSafe).Message, "Repaired, the signature verifies")
	})
	t.Run("URL-safe without padding", func(t *testing.T) {
		param, sign := signWithChars(t, "+")
		raw := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(sign), "=")
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(param), Sign: raw})
		assertProblems(t, fs, CauseSignURLSafe, CauseSignUnpadded)
	})
	t.Run("no padding", func(t *testing.T) {
		sign := sign256(t, merchantKey(t), testParam)
		require.True(t, strings.HasSuffix(sign, "=="))
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: strings.TrimRight(sign, "=")})
		assertProblems(t, fs, CauseSignUnpadded)
	})
	t.Run("hex", func(t *testing.T) {
		raw, _ := base64.StdEncoding.DecodeString(sign256(t, merchantKey(t), testParam))
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: hex.EncodeToString(raw)})
		assertProblems(t, fs, CauseSignHex)
	})
	t.Run("base64 twice", func(t *testing.T) {
		twice := base64.StdEncoding.EncodeToString([]byte(sign256(t, merchantKey(t), testParam)))
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: twice})
		assertProblems(t, fs, CauseSignDoubleBase64)
	})
	t.Run("line-wrapped is only a note", func(t *testing.T) {
		sign := sign256(t, merchantKey(t), testParam)
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: sign[:76] + "\r\n" + sign[76:]})
		assertVerified(t, fs)
		assert.Equal(t, SeverityNote, finding(t, fs, CauseSignWrapped).Severity)
	})
	t.Run("garbage", func(t *testing.T) {
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: "not*base64"})
		assertProblems(t, fs, CauseSignNotBase64)
	})
	t.Run("truncated sign", func(t *testing.T) {
		sign := sign256(t, merchantKey(t), testParam)
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: sign[:200]})
		assertProblems(t, fs, CauseSignLength, CauseUnknownKey)
		assert.Contains(t, finding(t, fs, CauseSignLength).Message, "truncated")
	})
}

func TestDoctorParamObject(t *testing.T) {
	compact := `{"mchOrderId":"CCP1","amount":50010,"timestamp":1676017834369}`
	sign := sign256(t, merchantKey(t), compact)

	t.Run("object bytes as signed", func(t *testing.T) {
		body := []byte(`{"appId":"` + testAppID + `","param":` + compact + `,"sign":"` + sign + `"}`)
		fs := diagnose(Inputs{Key: merchantPub(t), Body: body})
		assertProblems(t, fs, CauseParamObject, CauseParamObject)
		assert.Contains(t, fs[len(fs)-1].Message, "exactly as they appear in the body")
		assert.Contains(t, finding(t, fs, CauseParamObject).Message, "not a string")
	})
	t.Run("object re-serialized on the way", func(t *testing.T) {
		body := []byte("{\n  \"appId\": \"" + testAppID + "\",\n  \"param\": {\n    \"mchOrderId\": \"CCP1\",\n    \"amount\": 50010,\n    \"timestamp\": 1676017834369\n  },\n  \"sign\": \"" + sign + "\"\n}\n")
		fs := diagnose(Inputs{Key: merchantPub(t), Body: body})
		assertProblems(t, fs, CauseParamObject, CauseReserialized)
		assert.Contains(t, finding(t, fs, CauseReserialized).Message, "compact, keys in the order sent")
	})
}

func TestDoctorReserialized(t *testing.T) {
	// Sent: the SDK's form (compact, no HTML escaping, this key order). Signed: what other
	// encoders make of the same object.
	sent := `{"mchOrderId":"CCP1","notifyUrl":"https://m.example/cb?a=1&b=2","remark":"café","amount":50010,"timestamp":1676017834369}`
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(sent), &m))
	goMap, err := json.Marshal(m) // sorted keys, HTML-escaped
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		signed string
		want   []string
	}{
		"sorted keys, HTML-escaped (json.Marshal of a map)": {string(goMap), []string{"keys sorted", `\u0026`}},
		"HTML-escaped only": {strings.ReplaceAll(sent, "&", `\u0026`), []string{"keys in the order sent", "SetEscapeHTML(false)"}},
		"Python json.dumps": {`{"mchOrderId": "CCP1", "notifyUrl": "https://m.example/cb?a=1&b=2", "remark": "caf\u00e9", "amount": 50010, "timestamp": 1676017834369}`,
			[]string{"Python json.dumps", "non-ASCII"}},
		"PHP json_encode": {`{"mchOrderId":"CCP1","notifyUrl":"https:\/\/m.example\/cb?a=1&b=2","remark":"caf\u00e9","amount":50010,"timestamp":1676017834369}`,
			[]string{`"\/"`, "PHP"}},
		"pretty-printed": {"{\n  \"mchOrderId\": \"CCP1\",\n  \"notifyUrl\": \"https://m.example/cb?a=1&b=2\",\n  \"remark\": \"café\",\n  \"amount\": 50010,\n  \"timestamp\": 1676017834369\n}",
			[]string{"pretty-printed"}},
		"json.Encoder output": {strings.ReplaceAll(sent, "&", `\u0026`) + "\n", []string{"trailing newline", `\u0026`}},
	} {
		t.Run(name, func(t *testing.T) {
			fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, sent, sign256(t, merchantKey(t), tc.signed))})
			assertProblems(t, fs, CauseReserialized)
			msg := finding(t, fs, CauseReserialized).Message
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}

func TestDoctorTrailingNewline(t *testing.T) {
	t.Run("signed with a newline, sent without", func(t *testing.T) {
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, testParam, sign256(t, merchantKey(t), testParam+"\n"))})
		assertProblems(t, fs, CauseTrailingNewline)
		assert.Contains(t, finding(t, fs, CauseTrailingNewline).Message, "plus a trailing newline")
	})
	t.Run("param file gained a newline after signing", func(t *testing.T) {
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam + "\n"), Sign: sign256(t, merchantKey(t), testParam)})
		assertProblems(t, fs, CauseTrailingNewline)
		assert.Contains(t, finding(t, fs, CauseTrailingNewline).Message, "the signer did not sign")
	})
}

func TestDoctorWrongMessage(t *testing.T) {
	t.Run("SHA-1", func(t *testing.T) {
		sign := signRaw(t, merchantKey(t), []byte(testParam), crypto.SHA1, false)
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, testParam, sign)})
		assertProblems(t, fs, CauseSHA1)
		assert.Contains(t, finding(t, fs, CauseSHA1).Message, "SHA1withRSA")
	})
	t.Run("PSS", func(t *testing.T) {
		sign := signRaw(t, merchantKey(t), []byte(testParam), crypto.SHA256, true)
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, testParam, sign)})
		assertProblems(t, fs, CausePSS)
	})
	t.Run("outer body", func(t *testing.T) {
		outer := envelopeBody(t, testAppID, testParam, "")
		outer = []byte(strings.Replace(string(outer), `,"sign":""`, "", 1))
		require.NotContains(t, string(outer), "sign")
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, testParam, sign256(t, merchantKey(t), string(outer)))})
		assertProblems(t, fs, CauseOuterBody)
		assert.Contains(t, finding(t, fs, CauseOuterBody).Message, "outer body without its sign")
	})
	t.Run("outer body, param given separately", func(t *testing.T) {
		outer := fmt.Sprintf(`{"appId":%q,"param":%q}`, testAppID, testParam)
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: sign256(t, merchantKey(t), outer), AppID: testAppID})
		assertProblems(t, fs, CauseOuterBody)
	})
	t.Run("appId=...&param=...", func(t *testing.T) {
		signed := "appId=" + testAppID + "&param=" + testParam
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, testParam, sign256(t, merchantKey(t), signed))})
		assertProblems(t, fs, CauseAppIDParam)
		assert.Contains(t, finding(t, fs, CauseAppIDParam).Message, "appId=<appId>&param=<param>")
	})
	t.Run("appId=...&param=... needs the appId", func(t *testing.T) {
		sign := sign256(t, merchantKey(t), "appId="+testAppID+"&param="+testParam)
		fs := diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: sign})
		assertProblems(t, fs, CauseUnknownKey)
		assert.Contains(t, finding(t, fs, CauseUnknownKey).Message, "give -app-id")
		fs = diagnose(Inputs{Key: merchantPub(t), Param: []byte(testParam), Sign: sign, AppID: testAppID})
		assertProblems(t, fs, CauseAppIDParam)
	})
	t.Run("legacy sorted k=v", func(t *testing.T) {
		signed := "amount=50010&appId=" + testAppID + "&mchOrderId=CCP20220428011068111&notifyUrl=https://m.example/cb?a=1&b=<2>&timestamp=1676017834369"
		fs := diagnose(Inputs{Key: merchantPub(t), Body: requestBody(t, testParam, sign256(t, merchantKey(t), signed))})
		assertProblems(t, fs, CauseLegacyKV)
	})
	t.Run("several mistakes at once", func(t *testing.T) {
		param, _ := signWithChars(t, "")
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(param), &m))
		sorted, _ := json.Marshal(m)
		for i := 0; ; i++ {
			sign := signRaw(t, platformKey(t), sorted, crypto.SHA1, false)
			if strings.ContainsAny(sign, "+/") || i > 0 {
				urlSafe := strings.NewReplacer("+", "-", "/", "_").Replace(sign)
				fs := diagnose(Inputs{Key: merchantPub(t), OtherKey: platformPub(t), Param: []byte(param), Sign: urlSafe})
				want := []Cause{CauseWrongKey, CauseReserialized, CauseSHA1}
				if urlSafe != sign {
					want = append(want, CauseSignURLSafe)
				}
				assertProblems(t, fs, want...)
				return
			}
		}
	})
}

func TestDoctorBadBodies(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want Cause
	}{
		"not JSON":     {"hello", CauseBodyNotJSON},
		"broken JSON":  {`{"param":`, CauseBodyNotJSON},
		"no sign":      {`{"param":"{}"}`, CauseBodyIncomplete},
		"no param":     {`{"sign":"abc="}`, CauseBodyIncomplete},
		"param number": {`{"param":12,"sign":"abc="}`, CauseBodyIncomplete},
		"empty sign":   {`{"param":"{}","sign":""}`, CauseBodyIncomplete},
	} {
		t.Run(name, func(t *testing.T) {
			fs := diagnose(Inputs{Key: merchantPub(t), Body: []byte(tc.body)})
			assertProblems(t, fs, tc.want)
		})
	}
}

// pemBody returns the base64 body of a PEM file on one line.
func pemBody(t testing.TB, pemFile []byte) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(string(pemFile), "\n") {
		if !strings.HasPrefix(l, "-----") {
			b.WriteString(strings.TrimSpace(l))
		}
	}
	return b.String()
}

// dropLines removes lines [from, to) of a text.
func dropLines(s string, from, to int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(append(lines[:from:from], lines[to:]...), "\n")
}
