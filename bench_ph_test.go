//go:build unix

package paycools_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// The PH dialect's flat call beside the shortest correct hand-written flat client: the same
// 10.1 request, signed over the sorted k=v string, against the same loopback server with the
// same key (docs/dialects.md §4.2).

func sdkClientPH(tb testing.TB, baseURL string, merchant crypto.Signer) *paycools.Client {
	tb.Helper()
	c, err := paycools.NewClient(benchAppID, merchant,
		paycools.WithBaseURL(baseURL),
		paycools.WithDialect(paycools.DialectPH),
		paycools.WithHTTPClient(&http.Client{Transport: newTransport()}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// baseFlatClient is the hand-written flat client: a map of the fields, the names sorted, the
// k=v string signed, the map (plus sign) marshalled as the body.
type baseFlatClient struct {
	url    string
	signer crypto.Signer
	http   *http.Client
}

func newBaseFlatClient(baseURL string, signer crypto.Signer) *baseFlatClient {
	return &baseFlatClient{url: baseURL + "/api/direct/debit/token/apply", signer: signer, http: &http.Client{Transport: newTransport()}}
}

func (bc *baseFlatClient) call(ctx context.Context) (*baseAuthLink, error) {
	p := baseRequest()
	fields := map[string]string{
		"appId": benchAppID, "requestId": p.RequestID, "userId": p.UserID, "channelCode": p.ChannelCode,
		"notifyUrl": p.NotifyURL, "redirectUrl": p.RedirectURL, "terminalType": p.TerminalType, "osType": p.OsType,
	}
	ts := time.Now().UnixMilli()
	names := make([]string, 0, len(fields)+1)
	for k := range fields {
		names = append(names, k)
	}
	names = append(names, "timestamp")
	sort.Strings(names)
	var msg strings.Builder
	for i, k := range names {
		if i > 0 {
			msg.WriteByte('&')
		}
		msg.WriteString(k)
		msg.WriteByte('=')
		if k == "timestamp" {
			msg.WriteString(strconv.FormatInt(ts, 10))
		} else {
			msg.WriteString(fields[k])
		}
	}
	sum := sha256.Sum256([]byte(msg.String()))
	sig, err := bc.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"timestamp": ts, "sign": base64.StdEncoding.EncodeToString(sig)}
	for k, v := range fields {
		body[k] = v
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, bc.url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := bc.http.Do(req)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var a baseAnswer
	if err := json.Unmarshal(rb, &a); err != nil {
		return nil, fmt.Errorf("HTTP %d: not an envelope: %w", resp.StatusCode, err)
	}
	if a.Code != 10000 && a.Code != 1000 {
		return nil, fmt.Errorf("PayCools %d: %s", a.Code, a.Message)
	}
	return &a.Data, nil
}

func baseFlatCall(ctx context.Context, bc *baseFlatClient) error {
	res, err := bc.call(ctx)
	if err != nil {
		return err
	}
	if res.AuthURL == "" {
		return errors.New("baseline: empty authUrl")
	}
	return nil
}

func sdkCallPH(ctx context.Context, c *paycools.Client) error {
	p := sdkParams()
	p.CountryCode = "" // not sent in the PH dialect
	res, err := c.DirectDebit.CreateAuthorizationLink(ctx, p)
	if err != nil {
		return err
	}
	if res.AuthURL == "" {
		return errors.New("sdk: empty authUrl")
	}
	return nil
}

// BenchmarkCallPH compares the flat-signed PH call through the SDK with the hand-written flat
// baseline, with each key size (scripts/bench prints the ratios).
func BenchmarkCallPH(b *testing.B) {
	for _, k := range benchKeys {
		b.Run(k.name, func(b *testing.B) {
			key := loadKey(b, k.merchant)
			srv := benchServer(b)
			ctx := context.Background()
			sdk := sdkClientPH(b, srv.URL, key)
			base, base2 := newBaseFlatClient(srv.URL, key), newBaseFlatClient(srv.URL, key)
			sideBySide(b,
				func() error { return sdkCallPH(ctx, sdk) },
				func() error { return baseFlatCall(ctx, base) },
				func() error { return baseFlatCall(ctx, base2) })
		})
	}
}

// TestBenchFlatClientsAreCorrect: both flat clients send the same fields, and both signatures
// verify over the canonical string of the body received.
func TestBenchFlatClientsAreCorrect(t *testing.T) {
	key := loadKey(t, "test_merchant_2048_pkcs8.pem")
	var (
		mu  sync.Mutex
		got []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("body: %v", err)
		}
		canonical, err := paycools.CanonicalFlatString(body)
		if err != nil {
			t.Error(err)
		}
		sign, _ := m["sign"].(string)
		if err := paycools.VerifyParam(&key.PublicKey, []byte(canonical), sign); err != nil {
			t.Errorf("sign does not verify over %q: %v", canonical, err)
		}
		delete(m, "sign")
		delete(m, "timestamp")
		mu.Lock()
		got = append(got, fmt.Sprint(m))
		mu.Unlock()
		_, _ = io.WriteString(w, successAnswer)
	}))
	defer srv.Close()
	ctx := context.Background()
	if err := sdkCallPH(ctx, sdkClientPH(t, srv.URL, key)); err != nil {
		t.Fatal(err)
	}
	if err := baseFlatCall(ctx, newBaseFlatClient(srv.URL, key)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the two clients sent different fields: %v", got)
	}
}
