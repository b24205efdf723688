package paycools

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testAppID is the appId every test client sends.
const testAppID = "f90addc4861540ef9312e87d8f360e08"

// fixedNow is the clock of test clients: param.timestamp is fixedNow in milliseconds.
var fixedNow = phTimeOf(2024, 9, 12, 19, 7, 19)

// utc8 is the zone of PayCools' zone-less times, spelled out here rather than taken from the
// package (phTime), so that a wrong package zone fails the tests instead of moving with them.
var utc8 = time.FixedZone("UTC+8", 8*3600)

// phTimeOf is a wall-clock time in Philippine time (UTC+8).
func phTimeOf(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, utc8)
}

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

// answer is one scripted HTTP answer: a status and a body.
type answer struct {
	status int
	body   string
}

// okData is a success envelope holding data (raw JSON).
func okData(data string) answer {
	return answer{200, `{"code":10000,"message":"Success","data":` + data + `}`}
}

// codeAnswer is an error envelope with code and message.
func codeAnswer(code int, msg string) answer {
	b, _ := json.Marshal(map[string]any{"code": code, "message": msg, "data": nil})
	return answer{200, string(b)}
}

// badGateway is a proxy's HTML 502: an *HTTPError with OutcomeUnknown.
var badGateway = answer{502, "<html><body><h1>502 Bad Gateway</h1></body></html>"}

// script answers method+path with the answers in turn (the last one repeats), recording
// each request, and returns the call counter.
func (f *fakeAPI) script(method, path string, answers ...answer) *atomic.Int32 {
	return f.scriptHook(method, path, nil, answers...)
}

// scriptHook is script with a hook called with the 1-based number of each call before it is
// answered (e.g. to cancel a context after a few polls, independent of machine speed).
// An HTML body goes out as text/html, any other as application/json.
func (f *fakeAPI) scriptHook(method, path string, hook func(call int), answers ...answer) *atomic.Int32 {
	require.NotEmpty(f.t, answers, "script %s %s without an answer", method, path)
	var n atomic.Int32
	f.Transport.RegisterResponder(method, "https://pc.test"+path, func(req *http.Request) (*http.Response, error) {
		f.record(req)
		call := int(n.Add(1))
		if hook != nil {
			hook(call)
		}
		a := answers[min(call, len(answers))-1]
		resp := httpmock.NewStringResponse(a.status, a.body)
		if strings.HasPrefix(a.body, "<") {
			resp.Header.Set("Content-Type", "text/html")
		} else {
			resp.Header.Set("Content-Type", "application/json")
		}
		return resp, nil
	})
	return &n
}

// cancelOn returns a scriptHook hook that calls cancel on call number n.
func cancelOn(n int, cancel context.CancelFunc) func(int) {
	return func(call int) {
		if call == n {
			cancel()
		}
	}
}

// reply answers method+path with an HTTP status and body, recording each request.
func (f *fakeAPI) reply(method, path string, status int, body string) {
	f.script(method, path, answer{status, body})
}

// replyData answers method+path with a success envelope holding data (raw JSON).
func (f *fakeAPI) replyData(method, path, data string) {
	f.script(method, path, okData(data))
}

// replyCode answers method+path with an error envelope.
func (f *fakeAPI) replyCode(method, path string, code int, message string) {
	f.script(method, path, codeAnswer(code, message))
}

// requests returns what was received so far.
func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// requestsTo returns what was received so far on path.
func (f *fakeAPI) requestsTo(path string) []recorded {
	var out []recorded
	for _, r := range f.requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// last returns the last request received; it fails the test when there was none.
func (f *fakeAPI) last() recorded {
	f.t.Helper()
	rs := f.requests()
	require.NotEmpty(f.t, rs, "no request reached the fake API")
	return rs[len(rs)-1]
}

// paramKeys returns the sorted JSON names of a recorded param.
func paramKeys(r recorded) []string {
	return sortedNames(slices.Collect(maps.Keys(r.Param))...)
}

// queryKeys returns the sorted names of a recorded query (the envelope of a GET).
func queryKeys(r recorded) []string {
	return sortedNames(slices.Collect(maps.Keys(r.Query))...)
}

// sortedNames returns a sorted copy of names, to compare with paramKeys and queryKeys.
func sortedNames(names ...string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return out
}

// jsonInt64 is a recorded param value (a json.Number) as an int64; it fails the test when the
// value is not an integer JSON number.
func jsonInt64(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(interface{ Int64() (int64, error) })
	require.True(t, ok, "not a JSON number: %#v", v)
	i, err := n.Int64()
	require.NoError(t, err)
	return i
}

// requireInvalid asserts that err is a *ValidationError naming field and, when f is not nil,
// that nothing reached the fake API (pass nil only when f already holds earlier requests).
func requireInvalid(t *testing.T, f *fakeAPI, err error, field string) *ValidationError {
	t.Helper()
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
	assert.True(t, ve.Has(field), "want a problem with %q, got %v", field, ve.Fields)
	if f != nil {
		assert.Empty(t, f.requests(), "a request was sent despite invalid params")
	}
	return ve
}

// waitCtx bounds a Wait that should end by itself, so that a broken final-state rule fails
// the test instead of hanging it.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
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

// serveCallback sends body to the callback handler h with method and returns the recorder.
func serveCallback(h http.Handler, method string, body []byte) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/notify", bytes.NewReader(body)))
	return rec
}

// logJSON logs v with a JSON slog handler and returns the line.
func logJSON(v any) string {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
	return buf.String()
}

// newTextLogger logs everything, Debug included, as text into w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
