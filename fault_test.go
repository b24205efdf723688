package paycools

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultMatrix drives the real client through every transport and answer fault, checking
// the exact error type, OutcomeUnknown, the number of attempts, and that no goroutine is left
// behind.
func TestFaultMatrix(t *testing.T) {
	type want struct {
		errType string // "transport", "http", "api", "none"
		unknown bool
		hits    int64 // attempts that reached the server (-1: not reachable)
	}
	sleepy := func(d time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
	}
	trickle := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		fmt.Fprint(w, `{"code":10000,`)
		for i := 0; i < 120; i++ {
			if _, err := fmt.Fprint(w, " "); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(25 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}
	huge := func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("a", 1<<20)
		for i := 0; i < 50; i++ {
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return
			}
		}
	}
	reset := func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}
	}
	body := func(st int, s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(st); fmt.Fprint(w, s) }
	}
	cases := []struct {
		name  string
		h     http.HandlerFunc // nil: nothing listens
		host  string           // overrides the server URL
		write want
		query want
	}{
		{"dial refused", nil, "", want{"transport", false, -1}, want{"transport", false, -1}},
		{"DNS failure", nil, "http://paycools.invalid", want{"transport", false, -1}, want{"transport", false, -1}},
		{"timeout before response headers", sleepy(5 * time.Second), "", want{"transport", true, 1}, want{"transport", true, 3}},
		{"reset after the request was written", reset, "", want{"transport", true, 1}, want{"transport", true, 3}},
		{"trickle past the deadline", trickle, "", want{"transport", true, 1}, want{"transport", true, 3}},
		{"500", body(500, "Internal Server Error"), "", want{"http", true, 1}, want{"http", true, 1}},
		{"502", body(502, "<html>Bad Gateway</html>"), "", want{"http", true, 1}, want{"http", true, 3}},
		{"503", body(503, ""), "", want{"http", true, 1}, want{"http", true, 3}},
		{"429", body(429, ""), "", want{"http", false, 3}, want{"http", false, 3}},
		{"HTML error page with 200", body(200, "<!doctype html><title>Error</title>"), "", want{"http", true, 1}, want{"http", true, 1}},
		{"truncated JSON", body(200, `{"code":10000,"message":"Succ`), "", want{"http", true, 1}, want{"http", true, 1}},
		{"empty body", body(200, ""), "", want{"http", true, 1}, want{"http", true, 1}},
		{"data of the wrong shape", body(200, `{"code":10000,"message":"Success","data":[1,2,3]}`), "", want{"none", false, 1}, want{"none", false, 1}},
		{"50 MiB body", huge, "", want{"http", true, 1}, want{"http", true, 1}},
		{"retryable code 21011", body(200, `{"code":21011,"message":"Network error"}`), "", want{"api", false, 1}, want{"api", false, 3}},
	}
	for _, tc := range cases {
		for _, kind := range []string{"write", "query"} {
			w := tc.write
			if kind == "query" {
				w = tc.query
			}
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				var hits atomic.Int64
				url := tc.host
				var srv *httptest.Server
				if tc.h != nil {
					srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { hits.Add(1); tc.h(rw, r) }))
					url = srv.URL
				} else if url == "" {
					l, err := net.Listen("tcp", "127.0.0.1:0")
					require.NoError(t, err)
					url = "http://" + l.Addr().String()
					l.Close()
				}
				tr := &http.Transport{}
				timeout := time.Second
				if tc.name == "50 MiB body" {
					timeout = 20 * time.Second // reading the capped 10 MiB is slow under -race
				}
				c := serverClient(t, url, WithHTTPClient(&http.Client{Transport: tr, Timeout: timeout}))
				var err error
				var res *probeResult
				start := time.Now()
				if kind == "write" {
					res, err = do[probeResult](context.Background(), c, OpDirectDebitCreateAuthorizationLink, &probeParams{MchOrderID: "M", Amount: 100})
				} else {
					res, err = do[probeResult](context.Background(), c, OpDirectDebitGetAuthorization, &probeParams{MchOrderID: "M", Amount: 100})
				}
				assert.Less(t, time.Since(start), 15*time.Second)
				var te *TransportError
				var he *HTTPError
				var ae *APIError
				switch w.errType {
				case "none":
					require.NoError(t, err)
					assert.JSONEq(t, `[1,2,3]`, string(res.Raw))
				case "transport":
					require.ErrorAs(t, err, &te)
				case "http":
					require.ErrorAs(t, err, &he)
					assert.False(t, errors.As(err, &te))
				case "api":
					require.ErrorAs(t, err, &ae)
				}
				assert.Equal(t, w.unknown, IsOutcomeUnknown(err), "%v", err)
				if w.hits >= 0 {
					assert.Equal(t, w.hits, hits.Load(), "attempts")
				}
				if srv != nil {
					srv.CloseClientConnections()
					srv.Close()
				}
				tr.CloseIdleConnections()
				assert.Eventually(t, func() bool { return len(leftBehind()) == 0 }, 3*time.Second, 10*time.Millisecond,
					"goroutines left behind")
				if t.Failed() {
					t.Log(strings.Join(leftBehind(), "\n\n"))
				}
			})
		}
	}
}

// leftBehind lists the goroutines of the HTTP client or of this package still running, other
// than the tests themselves.
func leftBehind() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "paycools-go.leftBehind") || strings.Contains(g, "testing.tRunner") || strings.Contains(g, "testing.(*T).Run") || strings.Contains(g, "testing.runTests") {
			continue
		}
		if strings.Contains(g, "net/http.(*persistConn)") || strings.Contains(g, "net/http.(*Transport)") ||
			strings.Contains(g, "github.com/paycools-sdk/paycools-go.") {
			out = append(out, g)
		}
	}
	return out
}
