package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe to write from the sandbox goroutine and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSandbox runs "paycools sandbox ARGS" in a goroutine with ctx and waits until it has printed
// its details. The returned channel yields run's exit status.
func startSandbox(t *testing.T, ctx context.Context, args ...string) (stdout, stderr *syncBuffer, done <-chan int) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ch := make(chan int, 1)
	go func() {
		ch <- runContext(ctx, append([]string{"sandbox"}, args...), stdout, stderr)
	}()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "serving") },
		30*time.Second, 5*time.Millisecond, "sandbox did not start: %s", stderr)
	return stdout, stderr, ch
}

// waitExit waits for the sandbox to return and gives its status.
func waitExit(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case status := <-done:
		return status
	case <-time.After(30 * time.Second):
		t.Fatal("sandbox did not stop")
		return -1
	}
}

// sandboxClient builds an SDK client from what the sandbox printed, as an integration test in
// another language would.
func sandboxClient(t *testing.T, info sandboxInfo) *paycools.Client {
	t.Helper()
	key, err := paycools.ParsePrivateKey([]byte(info.MerchantPrivateKey))
	require.NoError(t, err)
	platform, err := paycools.ParsePublicKey([]byte(info.PlatformPublicKey))
	require.NoError(t, err)
	merchantPub, err := paycools.ParsePublicKey([]byte(info.MerchantPublicKey))
	require.NoError(t, err)
	require.True(t, merchantPub.Equal(&key.PublicKey))
	c, err := paycools.NewClient(info.AppID, key,
		paycools.WithBaseURL(info.BaseURL), paycools.WithPlatformPublicKey(platform), paycools.WithRetries(0))
	require.NoError(t, err)
	return c
}

func authLinkParams() *paycools.DirectDebitAuthorizationLinkCreateParams {
	return &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID:    "REQ1",
		UserID:       "U1",
		ChannelCode:  paycools.DirectDebitChannelCodeGCash,
		CountryCode:  "PH",
		NotifyURL:    "https://merchant.example/notify",
		RedirectURL:  "https://merchant.example/back",
		TerminalType: "WEB",
	}
}

func TestSandboxServesSignedRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := startSandbox(t, ctx, "-addr", "127.0.0.1:0", "-json")

	var info sandboxInfo
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &info), stdout.String())
	assert.True(t, strings.HasPrefix(info.BaseURL, "http://127.0.0.1:"), info.BaseURL)
	assert.Len(t, info.AppID, 32)
	assert.Contains(t, info.Note, "throwaway")
	assert.True(t, strings.HasPrefix(info.MerchantPrivateKey, "-----BEGIN PRIVATE KEY-----\n"))
	assert.True(t, strings.HasPrefix(info.PlatformPublicKey, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"))

	// One signed request through the SDK: the gateway verifies the signature and answers.
	c := sandboxClient(t, info)
	link, err := c.DirectDebit.CreateAuthorizationLink(ctx, authLinkParams())
	require.NoError(t, err)
	assert.NotEmpty(t, link.AuthURL)
	assert.Equal(t, "REQ1", link.RequestID)

	// A request signed with another key is refused by the gateway.
	other, err := paycools.NewClient(info.AppID, platformKey(t), paycools.WithBaseURL(info.BaseURL), paycools.WithRetries(0))
	require.NoError(t, err)
	_, err = other.DirectDebit.CreateAuthorizationLink(ctx, authLinkParams())
	var apiErr *paycools.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 21001, apiErr.Code, "sign error")

	cancel()
	assert.Equal(t, exitOK, waitExit(t, done))
	assert.Contains(t, stderr.String(), "stopped")

	// The port is closed.
	_, err = c.DirectDebit.CreateAuthorizationLink(context.Background(), authLinkParams())
	assert.Error(t, err)
}

// With -dialect ph the sandbox speaks the PH dialect: a client built from what it prints (the Go
// options line included) makes a flat-signed call, and the open-api path is gone.
func TestSandboxPHDialect(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, _, done := startSandbox(t, ctx, "-addr", "127.0.0.1:0", "-dialect", "ph", "-json")
	var info sandboxInfo
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &info), stdout.String())
	assert.Equal(t, "ph", info.Dialect)
	assert.Len(t, info.CallbackSecret, 32)
	assert.Contains(t, info.GoOptions, "paycools.WithDialect(paycools.DialectPH)")
	assert.Contains(t, info.GoOptions, "paycools.WithEnvelopeSigning(paycools.EnvelopeSignsAppIDAndParam)")
	key, err := paycools.ParsePrivateKey([]byte(info.MerchantPrivateKey))
	require.NoError(t, err)
	c, err := paycools.NewClient(info.AppID, key, paycools.WithBaseURL(info.BaseURL), paycools.WithDialect(paycools.DialectPH))
	require.NoError(t, err)
	link, err := c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{RequestID: "REQ1", UserID: "U1",
		ChannelCode: paycools.DirectDebitChannelCodeGCash, NotifyURL: "https://m.example/n", RedirectURL: "https://m.example/r", TerminalType: paycools.TerminalTypeWeb})
	require.NoError(t, err)
	assert.NotEmpty(t, link.AuthURL)
	oa, err := paycools.NewClient(info.AppID, key, paycools.WithBaseURL(info.BaseURL), paycools.WithRetries(0))
	require.NoError(t, err)
	_, err = oa.Account.Balance(ctx, &paycools.AccountBalanceParams{})
	var he *paycools.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 404, he.StatusCode)
	cancel()
	assert.Equal(t, exitOK, waitExit(t, done))

	var out, errOut bytes.Buffer
	assert.Equal(t, exitUsage, runSandbox(context.Background(), []string{"-dialect", "legacy"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "unknown dialect")
}

func TestSandboxTextOutput(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, _, done := startSandbox(t, ctx, "--addr", "127.0.0.1:0") // the spelling of the docs
	out := stdout.String()
	for _, want := range []string{"Base URL: http://127.0.0.1:", "App ID:", "Platform public key", "-----BEGIN PRIVATE KEY-----", "throwaway test keys", "moves no money", "/sandbox/redeliver/0"} {
		assert.Contains(t, out, want)
	}
	cancel()
	assert.Equal(t, exitOK, waitExit(t, done))
}

func TestSandboxStopsOnSIGTERM(t *testing.T) {
	// runSandbox has registered for SIGTERM before it prints "serving", so the signal reaches
	// it and not the default handler that would end the test binary.
	_, stderr, done := startSandbox(t, context.Background(), "-addr", "127.0.0.1:0")
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGTERM))
	assert.Equal(t, exitOK, waitExit(t, done))
	assert.Contains(t, stderr.String(), "stopped")
}

func TestSandboxBadAddress(t *testing.T) {
	status, _, errOut := runCLI(t, "sandbox", "-addr", "256.0.0.1:x")
	assert.Equal(t, exitFail, status)
	assert.Contains(t, errOut, "paycools sandbox:")
}

// sandboxPost POSTs form to a control route of the sandbox and decodes the JSON answer.
func sandboxPost(t *testing.T, base, route string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(base+"/sandbox/"+route, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// Through the sandbox process: a payout completed before a callback URL is set is warned
// about on stderr, a bad callback URL is refused, and the callback is redelivered byte for
// byte once a URL is set.
func TestSandboxUndeliverableAndRedeliver(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := startSandbox(t, ctx, "-addr", "127.0.0.1:0", "-json")
	var info sandboxInfo
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &info), stdout.String())
	c := sandboxClient(t, info)
	_, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{MchOrderID: "SBRD00000001", Amount: 10000,
		AccountNo: "1234567890", AccountName: "Juan Cruz", PayMethodCode: paycools.PayMethodBank, TransferCode: "BDO"})
	require.NoError(t, err)

	status, out := sandboxPost(t, info.BaseURL, "complete-payout/SBRD00000001", nil)
	require.Equal(t, 200, status, "%v", out)
	assert.Contains(t, out["callback"].(map[string]any)["error"], "undeliverable")
	assert.Contains(t, stderr.String(), "level=WARN")
	assert.Contains(t, stderr.String(), "disbursement.success")

	for _, bad := range []string{"notaurl", "ftp://x", "http://"} {
		status, out = sandboxPost(t, info.BaseURL, "callback-url", url.Values{"url": {bad}})
		assert.Equal(t, 400, status, "%q: %v", bad, out)
		assert.Contains(t, out["error"], "absolute http or https URL", bad)
	}

	var mu sync.Mutex
	var bodies []string
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		_, _ = io.WriteString(w, `{"code":10000,"message":"Success"}`)
	}))
	defer merchant.Close()
	status, out = sandboxPost(t, info.BaseURL, "callback-url", url.Values{"url": {merchant.URL}})
	require.Equal(t, 200, status, "%v", out)
	for i := range 2 {
		status, out = sandboxPost(t, info.BaseURL, "redeliver/0", nil)
		require.Equal(t, 200, status, "%v", out)
		cb := out["callback"].(map[string]any)
		assert.Equal(t, true, cb["acknowledged"], "attempt %d: %v", i, cb)
		assert.Equal(t, merchant.URL, cb["url"])
	}
	mu.Lock()
	require.Len(t, bodies, 2)
	assert.Equal(t, bodies[0], bodies[1])
	assert.Contains(t, bodies[0], "SBRD00000001")
	mu.Unlock()

	cancel()
	assert.Equal(t, exitOK, waitExit(t, done))
}
