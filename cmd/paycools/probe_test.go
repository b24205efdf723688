package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probeAgainst runs the probe against a fake host with the given key and returns its exit
// status and output.
func probeAgainst(t *testing.T, srv *paycoolstest.Server, key *rsa.PrivateKey) (int, string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "merchant.pem")
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	var out, errOut bytes.Buffer
	code := runProbe(context.Background(), []string{"-base-url", srv.URL(), "-app-id", srv.AppID(), "-key", file}, &out, &errOut)
	require.Empty(t, errOut.String())
	return code, out.String()
}

// noMoneyMoved checks that the probe sent no money-moving call and printed no secret.
func noMoneyMoved(t *testing.T, srv *paycoolstest.Server, out string) {
	t.Helper()
	for _, r := range srv.Requests() {
		switch r.Operation {
		case paycools.OpPayoutCreate, paycools.OpRefundCreate, paycools.OpWebPaymentCreate, paycools.OpCheckoutCreate,
			paycools.OpDirectDebitCreatePayment, paycools.OpCheckoutClose, paycools.OpQRCodeCreate:
			t.Errorf("the probe sent %s", r.Operation)
		}
		if r.Sign != "" {
			assert.NotContains(t, out, r.Sign)
		}
	}
	assert.NotContains(t, out, srv.AppID(), "the appId is shown by its last four characters only")
	assert.NotContains(t, out, "PRIVATE KEY")
}

func TestProbeTellsTheVariantsApart(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []paycoolstest.Option
		want    string
		settled string
	}{
		{"PH host, appId&param", []paycoolstest.Option{paycoolstest.WithDialect(paycools.DialectPH)},
			"use: paycools.WithDialect(paycools.DialectPH), paycools.WithEnvelopeSigning(paycools.EnvelopeSignsAppIDAndParam)",
			"appId&param accepted, param refused"},
		{"PH host, param", []paycoolstest.Option{paycoolstest.WithDialect(paycools.DialectPH), paycoolstest.WithEnvelopeSigning(paycools.EnvelopeSignsParam)},
			"use: paycools.WithDialect(paycools.DialectPH), paycools.WithEnvelopeSigning(paycools.EnvelopeSignsParam)",
			"param accepted, appId&param refused"},
		{"open-api host", nil,
			"use: paycools.WithDialect(paycools.DialectOpenAPI), paycools.WithEnvelopeSigning(paycools.EnvelopeSignsParam)",
			"param accepted, appId&param refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := paycoolstest.NewServer(tc.opts...)
			defer srv.Close()
			code, out := probeAgainst(t, srv, srv.MerchantPrivateKey())
			assert.Equal(t, exitOK, code, out)
			assert.Contains(t, out, tc.want)
			assert.Contains(t, out, tc.settled)
			assert.Contains(t, out, "signature refused")
			noMoneyMoved(t, srv, out)
		})
	}
}

func TestProbeNothingAccepted(t *testing.T) {
	srv := paycoolstest.NewServer(paycoolstest.WithDialect(paycools.DialectPH))
	defer srv.Close()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	code, out := probeAgainst(t, srv, other)
	assert.Equal(t, exitFail, code, out)
	assert.Contains(t, out, "no variant was accepted")
	assert.NotContains(t, out, "use: ")
	noMoneyMoved(t, srv, out)
}

func TestProbeAppIDRefusedIsInconclusive(t *testing.T) {
	srv := paycoolstest.NewServer(paycoolstest.WithDialect(paycools.DialectPH))
	defer srv.Close()
	der, err := x509.MarshalPKCS8PrivateKey(srv.MerchantPrivateKey())
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "k.pem")
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	var out, errOut bytes.Buffer
	code := runProbe(context.Background(), []string{"-base-url", srv.URL(), "-app-id", "not-the-app-id", "-key", file}, &out, &errOut)
	assert.Contains(t, out.String(), "inconclusive: fix the appId first")
	_ = code

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitUsage, runProbe(context.Background(), []string{"-base-url", srv.URL()}, &out, &errOut))
	assert.True(t, strings.Contains(errOut.String(), "need -base-url"), errOut.String())
}

// A host that echoes the request in its message (sign first, as a query, or cut short) gets
// its words printed redacted: no line of the probe carries a fragment of a sign.
func TestProbeRedactsEchoedSigns(t *testing.T) {
	echoes := map[string]func(sign, query string, body []byte) string{
		"json":      func(sign, _ string, body []byte) string { return `{"sign":"` + sign + `"} ` + string(body) },
		"query":     func(sign, query string, _ []byte) string { return "bad sign=" + sign + "&" + query },
		"cut short": func(sign, _ string, _ []byte) string { return `{"sign":"` + sign[:55] },
		"key=value": func(sign, _ string, _ []byte) string { return "verify failed: signature=" + sign[:55] + " rejected" },
	}
	for name, echo := range echoes {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var signs []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				var m map[string]any
				_ = json.Unmarshal(body, &m)
				sign, _ := m["sign"].(string)
				if q := r.URL.Query().Get("sign"); q != "" {
					sign = q
				}
				if len(sign) < 64 {
					http.Error(w, "no sign", http.StatusBadRequest)
					return
				}
				mu.Lock()
				signs = append(signs, sign)
				mu.Unlock()
				reply, _ := json.Marshal(map[string]any{"code": 1009, "message": echo(sign, r.URL.RawQuery, body)})
				_, _ = w.Write(reply)
			}))
			defer srv.Close()
			file := filepath.Join(t.TempDir(), "k.pem")
			der, err := x509.MarshalPKCS8PrivateKey(merchantKey(t))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
			var out, errOut bytes.Buffer
			runProbe(context.Background(), []string{"-base-url", srv.URL, "-app-id", "f90addc4861540ef9312e87d8f360e08", "-key", file}, &out, &errOut)
			mu.Lock()
			defer mu.Unlock()
			require.NotEmpty(t, signs, "the probe sent nothing: %s", errOut.String())
			printed := out.String() + errOut.String()
			assert.Contains(t, printed, "[redacted]", "the host's message is still shown")
			for _, sign := range signs {
				for i := 0; i+12 <= len(sign); i++ {
					if strings.Contains(printed, sign[i:i+12]) {
						t.Fatalf("the output holds a fragment of a sign (%q at %d):\n%s", sign[i:i+12], i, printed)
					}
				}
			}
		})
	}
}

// A host where nothing answers (here: a closed port) was reported as "no variant was
// accepted: check ... the appId and that the key ...": the probe now says that nothing
// answered, names the host it tried, and does not blame the credentials.
func TestProbeNothingAnsweredNamesTheHost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + l.Addr().String()
	require.NoError(t, l.Close()) // connections to it are now refused

	var out, errOut bytes.Buffer
	code := runProbe(context.Background(), []string{"-base-url", base, "-app-id", "app-0001", "-key", testKeyPath("test_merchant_2048_pkcs8.pem"), "-timeout", "2s"}, &out, &errOut)
	assert.Equal(t, exitFail, code, out.String())
	assert.Contains(t, out.String(), "nothing answered at "+base)
	assert.NotContains(t, out.String(), "no variant was accepted")
	assert.NotContains(t, out.String(), "the appId and that the key")
	assert.NotContains(t, out.String(), "use: ")
}

// Each line shows the response code the host sent, success codes included: an accepted call
// printed code=0.
func TestProbeShowsTheCodeItGot(t *testing.T) {
	srv := paycoolstest.NewServer(paycoolstest.WithDialect(paycools.DialectPH))
	defer srv.Close()
	_, out := probeAgainst(t, srv, srv.MerchantPrivateKey())
	accepted := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, " accepted ") {
			continue
		}
		accepted++
		assert.NotContains(t, line, "code=0 ", line)
		assert.Regexp(t, `code=(10000|1000|1|2\d{4}|1\d{3}) `, line)
	}
	assert.NotZero(t, accepted, out)
}
