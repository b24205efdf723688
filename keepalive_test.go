package paycools_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
)

// constSigner is a crypto.Signer that returns a fixed signature of the right size. The
// keep-alive servers do not verify, so the test measures connections, not RSA, and stays fast
// under -race. The SDK sends a custom signer down the same request path as an *rsa.PrivateKey.
type constSigner struct{ pub *rsa.PublicKey }

func (s constSigner) Public() crypto.PublicKey { return s.pub }

func (s constSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return make([]byte, s.pub.Size()), nil
}

// keepAliveCalls calls DirectDebit.CreateAuthorizationLink calls times from goroutines
// goroutines through one client against a server that answers status/contentType/body, and
// returns how many connections the server saw opened and how many requests it served. Every
// call's error goes to check.
func keepAliveCalls(t *testing.T, hc *http.Client, goroutines, calls, status int, contentType, body string, check func(error) error) (conns, reqs int64) {
	t.Helper()
	var newConns, served atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			newConns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	opts := []paycools.Option{paycools.WithBaseURL(srv.URL), paycools.WithRetries(0)}
	if hc != nil {
		opts = append(opts, paycools.WithHTTPClient(hc))
	}
	c, err := paycools.NewClient(benchAppID, constSigner{&loadKey(t, "test_merchant_2048_pkcs8.pem").PublicKey}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Int64
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls/goroutines; i++ {
				_, err := c.DirectDebit.CreateAuthorizationLink(context.Background(), sdkParams())
				if cerr := check(err); cerr != nil {
					if failed.Add(1) == 1 {
						t.Error(cerr)
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	return newConns.Load(), served.Load()
}

// TestKeepAlive checks that the one request path reuses connections: 200 calls from 4
// goroutines through one client open at most 4 connections, whether PayCools answers a
// success, an error envelope (HTTP 200 or 4xx) or an HTML error page. A body that is not read
// to EOF and closed would cost a new connection (and, in production, a TLS handshake) on
// every call.
func TestKeepAlive(t *testing.T) {
	const goroutines, calls = 4, 200
	htmlPage := "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>" +
		strings.Repeat("<p>upstream failed</p>\n", 20) + "</body></html>"
	isAPIError := func(code int) func(error) error {
		return func(err error) error {
			var ae *paycools.APIError
			if !errors.As(err, &ae) || ae.Code != code {
				return errors.New("want *APIError " + itoa(code) + ", got " + errString(err))
			}
			return nil
		}
	}
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		check       func(error) error
	}{
		{"success", http.StatusOK, "application/json", successAnswer, func(err error) error { return err }},
		{"api-error", http.StatusOK, "application/json", `{"code":21001,"message":"Request sign error","data":null}`, isAPIError(21001)},
		{"api-error-400", http.StatusBadRequest, "application/json", `{"code":21002,"message":"Request param error","data":null}`, isAPIError(21002)},
		{"http-500-html", http.StatusInternalServerError, "text/html", htmlPage, func(err error) error {
			var he *paycools.HTTPError
			if !errors.As(err, &he) || he.StatusCode != http.StatusInternalServerError {
				return errors.New("want *HTTPError 500, got " + errString(err))
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// At most goroutines connections may exist at once (MaxConnsPerHost), and all of them
			// fit in the idle pool, so racing dials cannot inflate the count: every connection
			// past the first goroutines was opened because one was closed instead of reused.
			hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: goroutines, MaxIdleConnsPerHost: goroutines}}
			conns, reqs := keepAliveCalls(t, hc, goroutines, calls, tc.status, tc.contentType, tc.body, tc.check)
			if reqs != calls {
				t.Errorf("server served %d requests, want %d", reqs, calls)
			}
			// A body not drained and closed costs a connection on every call (about calls
			// connections). net/http itself drops a connection now and then on a loaded machine
			// (it does not reuse one whose request write was not reported done within 50 ms),
			// so a few more than goroutines are allowed; the bug is an order of magnitude more.
			if limit := int64(2 * goroutines); conns > limit {
				t.Errorf("%d calls from %d goroutines opened %d connections, want at most %d: bodies are not drained and closed", calls, goroutines, conns, limit)
			}
			t.Logf("%d requests over %d connections", reqs, conns)
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
