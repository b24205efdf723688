package paycools

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCallbackBodyStrings is decodeCallbackBody with its result as strings, for comparisons.
func decodeCallbackBodyStrings(body []byte) (param, sign, appID string, ok bool) {
	p, s, a, nerr := decodeCallbackBody(body)
	return string(p), s, a, nerr == nil
}

func TestScanCallbackBody(t *testing.T) {
	handled := map[string]struct{ param, sign, appID string }{
		`{"param":"{\"eventName\":\"x\"}","sign":"AB/+=="}`:                           {`{"eventName":"x"}`, "AB/+==", ""},
		` {"appId" : "APP1", "param":"{}" ,"sign":"A\/B"}` + "\n":                     {"{}", "A/B", "APP1"},
		`{"param":"a\\b\"c\/d\be\ff\ng\rh\ti","sign":"s","extra":"ignored"}`:          {"a\\b\"c/d\be\ff\ng\rh\ti", "s", ""},
		`{"param":"{\"name\":\"Peñafrancia 日本\"}","sign":"s"}`:                        {`{"name":"Peñafrancia 日本"}`, "s", ""},
		"{\r\n\t\"sign\":\"\",\r\n\t\"param\":\"\"\r\n}":                              {"", "", ""},
		`{"param":"p","sign":"s","appId":"","PARAMS":"not param","signs":"nor sign"}`: {"p", "s", ""},
	}
	for body, want := range handled {
		t.Run("handles "+body, func(t *testing.T) {
			param, sign, appID, ok := scanCallbackBody([]byte(body))
			require.True(t, ok)
			assert.Equal(t, want.param, string(param))
			assert.Equal(t, want.sign, sign)
			assert.Equal(t, want.appID, appID)
			// and encoding/json reads the same
			jp, js, ja, jok := decodeCallbackBodyStrings([]byte(body))
			require.True(t, jok)
			assert.Equal(t, []string{jp, js, ja}, []string{string(param), sign, appID})
		})
	}

	// Left to encoding/json: it decides, and its answer is the one parseNotification gives.
	leftAlone := []string{
		``,
		`null`,
		`{}`,
		`{"param":"p"}`,
		`{"sign":"s"}`,
		`{"param":{"eventName":"x"},"sign":"s"}`,
		`{"param":"p","sign":null}`,
		`{"param":"p","sign":"s","appId":12}`,
		`{"param":"\u0041","sign":"s"}`,
		`{"param":"p","param":"q","sign":"s"}`,
		`{"Param":"p","sign":"s"}`,
		`{"param":"p","SIGN":"s"}`,
		`{"param":"p","sign":"s"} x`,
		`{"param":"p","sign":"s",}`,
		`{"param":"p" "sign":"s"}`,
		`{"param":"p","sign":"s"`,
		`{"param":"p","sign":"s`,
		`{"param":"p\x","sign":"s"}`,
		"{\"param\":\"tab\there\",\"sign\":\"s\"}",
		"{\"param\":\"\xff\",\"sign\":\"s\"}",
		"{\"p\xc3\xa4ram\":\"p\",\"param\":\"p\",\"sign\":\"s\"}",
		`{"pa\"ram":"p","param":"p","sign":"s"}`,
		`[{"param":"p","sign":"s"}]`,
	}
	for _, body := range leftAlone {
		_, _, _, ok := scanCallbackBody([]byte(body))
		assert.False(t, ok, "%q", body)
	}
}

// TestParseNotificationBothBodyReaders: a callback is accepted the same whichever reader took
// its body, and refused the same.
func TestParseNotificationBothBodyReaders(t *testing.T) {
	// The appId beside param must be the client's: one holding < > takes the slow reader.
	c, err := NewClient("A<1>", testMerchantKey(t), WithPlatformPublicKey(&testPlatformKey(t).PublicKey))
	require.NoError(t, err)
	var good map[string]string
	require.NoError(t, json.Unmarshal(signedCallback(t, verificationParam), &good))
	// encoding/json writes < > & as \u escapes: this body goes to the slow reader.
	slow, err := json.Marshal(map[string]string{"param": good["param"], "sign": good["sign"], "appId": "A<1>"})
	require.NoError(t, err)
	require.Contains(t, string(slow), `\u003c`)
	fast := []byte(`{"appId":"A<1>","param":` + string(mustJSON(t, good["param"])) + `,"sign":"` + good["sign"] + `"}`)
	_, _, _, ok := scanCallbackBody(fast)
	require.True(t, ok)
	_, _, _, ok = scanCallbackBody(slow)
	require.False(t, ok)

	nFast, err := c.ParseNotification(fast)
	require.NoError(t, err)
	nSlow, err := c.ParseNotification(slow)
	require.NoError(t, err)
	assert.Equal(t, nSlow, nFast)
	assert.Equal(t, "A<1>", nFast.AppID)
	assert.Equal(t, verificationParam, string(nFast.Param))

	// A second param member: what is signed would be ambiguous, so the body is refused
	// whichever copy is genuine (docs/dialects.md §10.1).
	for _, forged := range [][]byte{
		[]byte(`{"param":"{\"eventName\":\"payment.verification\",\"amount\":1}","param":` + string(mustJSON(t, good["param"])) + `,"sign":"` + good["sign"] + `"}`),
		[]byte(`{"param":` + string(mustJSON(t, good["param"])) + `,"param":"{\"eventName\":\"payment.verification\",\"amount\":1}","sign":"` + good["sign"] + `"}`),
	} {
		_, err = c.ParseNotification(forged)
		var se *SignatureError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, err.Error(), "repeats a top-level name")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// FuzzScanCallbackBody: whenever the hand-written reader takes a body, encoding/json reads the
// same param, sign and appId from it.
func FuzzScanCallbackBody(f *testing.F) {
	f.Add([]byte(`{"param":"{\"eventName\":\"x\"}","sign":"AB/+=="}`))
	f.Add([]byte(` {"appId" : "APP1", "param":"{}" ,"sign":"A\/B"}`))
	f.Add([]byte(`{"param":"a\\b\"c\/d\be\ff\ng\rh\ti","sign":"s","x":"y"}`))
	f.Add([]byte(`{"param":"Peñafrancia","sign":"s","Param":"p"}`))
	f.Add([]byte(`{"param":"\u0041","sign":"s"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		param, sign, appID, ok := scanCallbackBody(body)
		if !ok {
			return
		}
		jp, js, ja, jok := decodeCallbackBodyStrings(body)
		if !jok {
			t.Fatalf("scanCallbackBody took %q, encoding/json refuses it", body)
		}
		if jp != string(param) || js != sign || ja != appID {
			t.Fatalf("body %q: scan read (%q, %q, %q), encoding/json (%q, %q, %q)", body, param, sign, appID, jp, js, ja)
		}
	})
}

// encodeEnvelopeWithJSON is what appendEnvelope must equal: encoding/json with HTML escaping
// off, as the SDK sent the envelope before.
func encodeEnvelopeWithJSON(t testing.TB, appID string, param []byte, sign string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(envelope{AppID: appID, Param: string(param), Sign: sign}); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func TestAppendEnvelope(t *testing.T) {
	params := []string{
		`{"amount":50010,"name":"Peñafrancia \"Jr\" <&>","note":"a\\b/c","timestamp":1726139239000}`,
		"tab\t nl\n cr\r bs\b ff\f nul\x00 us\x1f del\x7f",
		"bad utf-8 \xff \xc3 \xe2\x80 end",
		"separators \u2028 \u2029 and \u2027 \u202a",
		"日本語 🇵🇭",
		"",
	}
	for _, p := range params {
		got := appendEnvelope(nil, "APP\"1", []byte(p), "AB/+==")
		assert.Equal(t, string(encodeEnvelopeWithJSON(t, "APP\"1", []byte(p), "AB/+==")), string(got), "%q", p)
	}
	// Random bytes, with a fixed seed: every byte value and many invalid sequences.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		p := make([]byte, rng.IntN(40))
		for j := range p {
			p[j] = byte(rng.IntN(256))
		}
		require.Equal(t, string(encodeEnvelopeWithJSON(t, "a", p, "s")), string(appendEnvelope(nil, "a", p, "s")), "%q", p)
	}
}

// FuzzAppendEnvelope: the hand-written envelope equals encoding/json's, byte for byte, and a
// param that is valid UTF-8 reads back as the same bytes (what PayCools verifies).
func FuzzAppendEnvelope(f *testing.F) {
	f.Add("f90addc4861540ef9312e87d8f360e08", []byte(`{"amount":50010,"name":"Peña"}`), "AB/+==")
	f.Add("", []byte("\x00\u2028\xff\""), "")
	f.Fuzz(func(t *testing.T, appID string, param []byte, sign string) {
		got := appendEnvelope(nil, appID, param, sign)
		if want := encodeEnvelopeWithJSON(t, appID, param, sign); !bytes.Equal(got, want) {
			t.Fatalf("appendEnvelope wrote %q, encoding/json %q", got, want)
		}
		if utf8.Valid(param) {
			var env envelope
			if err := json.Unmarshal(got, &env); err != nil || env.Param != string(param) {
				t.Fatalf("param %q reads back as %q (%v)", param, env.Param, err)
			}
		}
	})
}
