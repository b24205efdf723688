package paycools

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// testAppID is the appId every test client sends.
const testAppID = "f90addc4861540ef9312e87d8f360e08"

// fixedNow is the clock of test clients: param.timestamp is fixedNow in milliseconds.
var fixedNow = time.Date(2024, 9, 12, 19, 7, 19, 0, phTime)

func readTestFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	require.NoError(t, err)
	return b
}

// testMerchantKey is the test merchant private key (testdata/keys, test-only).
func testMerchantKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(readTestFile(t, "test_merchant_2048_pkcs8.pem"))
	require.NoError(t, err)
	return k
}

// testPlatformKey is the stand-in for the PayCools platform key pair (test-only).
func testPlatformKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(readTestFile(t, "test_platform_2048_pkcs1.pem"))
	require.NoError(t, err)
	return k
}

// recorded is one request as the fake API received it.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Env    envelope
	// Param is param decoded into a map (numbers as json.Number).
	Param map[string]any
}

// fakeAPI is an httpmock transport behind a real Client. Every request it receives is
// checked (the sign verifies with the merchant public key over the exact param bytes) and
// recorded.
type fakeAPI struct {
	t         testing.TB
	Transport *httpmock.MockTransport
	Client    *Client
	mu        sync.Mutex
	reqs      []recorded
}

// newFakeAPI returns a client whose HTTP goes to an httpmock transport. Options are applied
// after the test defaults (base URL https://pc.test, fixed clock, platform key, fast backoff).
func newFakeAPI(t testing.TB, opts ...Option) *fakeAPI {
	t.Helper()
	mt := httpmock.NewMockTransport()
	f := &fakeAPI{t: t, Transport: mt}
	base := []Option{
		WithBaseURL("https://pc.test"),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithClock(func() time.Time { return fixedNow }),
		WithPlatformPublicKey(&testPlatformKey(t).PublicKey),
		WithBackoff(time.Millisecond, 2*time.Millisecond),
		WithPollInterval(time.Millisecond, 2*time.Millisecond),
	}
	c, err := NewClient(testAppID, testMerchantKey(t), append(base, opts...)...)
	require.NoError(t, err)
	f.Client = c
	return f
}

// record verifies and stores one request.
func (f *fakeAPI) record(req *http.Request) recorded {
	f.t.Helper()
	r := recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Header: req.Header.Clone()}
	if req.Method == http.MethodGet {
		r.Env = envelope{AppID: r.Query.Get("appId"), Param: r.Query.Get("param"), Sign: r.Query.Get("sign")}
	} else {
		body, err := io.ReadAll(req.Body)
		require.NoError(f.t, err)
		require.NoError(f.t, json.Unmarshal(body, &r.Env), "request body is not the envelope: %s", body)
	}
	require.NoError(f.t, VerifyParam(&testMerchantKey(f.t).PublicKey, []byte(r.Env.Param), r.Env.Sign),
		"sign does not verify over the exact param bytes sent")
	dec := json.NewDecoder(bytes.NewReader([]byte(r.Env.Param)))
	dec.UseNumber()
	require.NoError(f.t, dec.Decode(&r.Param))
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	return r
}

// reply answers method+path with an HTTP status and body, recording each request.
func (f *fakeAPI) reply(method, path string, status int, body string) {
	f.Transport.RegisterResponder(method, "https://pc.test"+path, func(req *http.Request) (*http.Response, error) {
		f.record(req)
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

// replyData answers method+path with a success envelope holding data (raw JSON).
func (f *fakeAPI) replyData(method, path, data string) {
	f.reply(method, path, 200, `{"code":10000,"message":"Success","data":`+data+`}`)
}

// replyCode answers method+path with an error envelope.
func (f *fakeAPI) replyCode(method, path string, code int, message string) {
	b, _ := json.Marshal(map[string]any{"code": code, "message": message, "data": nil})
	f.reply(method, path, 200, string(b))
}

// requests returns what was received so far.
func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// last returns the last request received; it fails the test when there was none.
func (f *fakeAPI) last() recorded {
	f.t.Helper()
	rs := f.requests()
	require.NotEmpty(f.t, rs, "no request reached the fake API")
	return rs[len(rs)-1]
}

// signedCallback builds a callback body {"param": param, "sign": ...} signed with the test
// platform key, as PayCools sends it.
func signedCallback(t testing.TB, param string) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(param))
	sig, err := rsa.SignPKCS1v15(rand.Reader, testPlatformKey(t), crypto.SHA256, sum[:])
	require.NoError(t, err)
	b, err := json.Marshal(map[string]string{"param": param, "sign": base64.StdEncoding.EncodeToString(sig)})
	require.NoError(t, err)
	return b
}

// newTextLogger logs everything, Debug included, as text into w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
