package paycools

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The fuzz targets: no panic, no hang, and no forged callback accepted. Seed corpora are in
// testdata/fuzz; CI runs each target for a short smoke time (.ci/run).

// FuzzParseNotification feeds any body to ParseNotification. Only the seeds' params are signed
// with the platform key, and a fuzzer cannot forge RSA: any body that verifies must carry one
// of them, byte for byte.
func FuzzParseNotification(f *testing.F) {
	signed := []string{
		`{"eventName":"disbursement.success","mchOrderId":"M1","amount":"50010","createTime":"2024-07-19 14:14:47"}`,
		verificationParam,
		`{"eventName":"unknown.event"}`,
	}
	for _, p := range signed {
		f.Add(signedCallback(f, p))
	}
	f.Add([]byte(`{"param":{"eventName":"x"},"sign":"AAAA"}`))
	f.Add([]byte(`{"param":"{}","sign":"a b"}`))
	c := newFakeAPI(f, WithNotificationStore(nil)).Client
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := c.ParseNotification(body)
		if err != nil {
			var se *SignatureError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *SignatureError", err)
			}
			return
		}
		for _, p := range signed {
			if string(n.Param) == p {
				return
			}
		}
		t.Fatalf("accepted a param that was never signed: %q", n.Param)
	})
}

// FuzzResponseEnvelope feeds any HTTP answer to the response classifier and decoder.
func FuzzResponseEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"code":10000,"message":"Success","data":{"mchOrderId":"M","amount":"100","items":[{"n":"1"}]}}`,
		`{"code":"21007","message":"Duplicate merchant order id","data":null}`,
		`{"code":1000,"msg":"success","data":"{\"mchOrderId\":\"x\"}"}`,
		`<html>502</html>`, `{"code":100`, ``, `{"code":null}`, `{"code":1,"data":[1,2]}`,
	} {
		f.Add(200, []byte(s))
	}
	f.Add(502, []byte(`bad gateway`))
	c := newFakeAPI(f).Client
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		var out probeResult
		_, r := c.handleResponse(t.Context(), OpPayoutGet, "/open-api/disbursement/check", resp, body, false, &out, 1)
		if r.err == nil {
			return
		}
		var ae *APIError
		var he *HTTPError
		if !errors.As(r.err, &ae) && !errors.As(r.err, &he) {
			t.Fatalf("error is %T", r.err)
		}
		if he != nil && strings.Contains(he.Body, "-----BEGIN") {
			t.Fatalf("key armor in an error body")
		}
	})
}

// FuzzParseKeys feeds any bytes to both key parsers.
func FuzzParseKeys(f *testing.F) {
	for _, name := range []string{"test_merchant_2048_pkcs1.pem", "test_merchant_2048_pkcs8.b64",
		"test_merchant_2048_public_pkix.b64", "test_ec_pkcs8.pem", "test_platform_2048_cert.pem"} {
		f.Add(readTestFile(f, name))
	}
	f.Add([]byte(`"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if k, err := ParsePrivateKey(in); err == nil && k.N.BitLen() < minKeyBits {
			t.Fatalf("accepted a %d-bit private key", k.N.BitLen())
		}
		if k, err := ParsePublicKey(in); err == nil && k.N.BitLen() < minKeyBits {
			t.Fatalf("accepted a %d-bit public key", k.N.BitLen())
		}
	})
}

// FuzzAmount feeds any JSON to Amount and any text to ParseAmount.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{`50010`, `"50010"`, `"-10004"`, `100.0`, `null`, `""`, `"500.10"`, `1e3`, `"１２"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a Amount
		if err := json.Unmarshal([]byte(s), &a); err == nil {
			b, _ := json.Marshal(a)
			var back Amount
			if json.Unmarshal(b, &back) != nil || back != a {
				t.Fatalf("%q decoded to %d, which does not round-trip", s, a)
			}
		}
		if p, err := ParseAmount(s); err == nil {
			if q, err := ParseAmount(p.String()); err != nil || q != p {
				t.Fatalf("ParseAmount(%q)=%d, String %q does not parse back", s, p, p.String())
			}
		}
	})
}

// FuzzTime feeds any JSON to Time.
func FuzzTime(f *testing.F) {
	for _, s := range []string{`"2024-07-19 14:14:47"`, `"2024-07-19T14:14:47+08:00"`, `"2024-07-19T14:14:47+0800"`,
		`1721369687`, `1721369687000`, `"2024-07-19"`, `null`, `""`, `"2024-07-19T06:14:47.949Z"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v Time
		if err := json.Unmarshal([]byte(s), &v); err != nil || v.IsZero() {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			return // years outside 0-9999 cannot be written
		}
		var back Time
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(v.Truncate(1e9)) {
			t.Fatalf("%s → %v → %s does not round-trip (%v)", s, v.Time, b, err)
		}
	})
}
