package paycools

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSentinelsAndEquivalents(t *testing.T) {
	assert.Len(t, codeTable, 78, "every documented code of docs/codes.md §2-§4 has one entry")
	names := map[string]bool{}
	for code, info := range codeTable {
		assert.NotEmpty(t, info.message, "code %d", code)
		for _, also := range info.also {
			_, ok := codeTable[also]
			assert.True(t, ok, "code %d is equivalent to undocumented %d", code, also)
		}
		names[fmt.Sprint(code)] = true
	}
	e := func(code int, msg string) error {
		return fmt.Errorf("wrapped: %w", &APIError{Code: code, Message: msg, HTTPStatus: 200, Operation: OpPayoutCreate})
	}
	assert.ErrorIs(t, e(21007, ""), ErrDuplicateOrder)
	assert.ErrorIs(t, e(1012, ""), ErrDuplicateOrder, "a legacy code matches its open-api twin")
	assert.ErrorIs(t, e(1012, ""), ErrLegacyDuplicateOrder)
	assert.NotErrorIs(t, e(21007, ""), ErrLegacyDuplicateOrder)
	assert.ErrorIs(t, e(1003, ""), ErrSignature)
	assert.ErrorIs(t, e(1510, ""), ErrLegacyRefundChannelUnsupported)
	assert.ErrorIs(t, e(1503, ""), ErrServer)
	assert.ErrorIs(t, e(21010, "transaction not found"), ErrTransactionNotFound, "the 21010 'not found' rule")
	assert.NotErrorIs(t, e(21010, "The amount exceeds the limit"), ErrTransactionNotFound)
	assert.ErrorIs(t, e(21010, "The amount exceeds the limit"), ErrAmountExceedsLimit)
	assert.NotErrorIs(t, e(99999, ""), ErrServer)

	var ae *APIError
	require.ErrorAs(t, e(21020, "x"), &ae)
	assert.True(t, ae.Retryable())
	assert.True(t, ae.NothingCreated())
	assert.Equal(t, "paycools: Payouts.Create: code 21020: x", ae.Error())
	assert.False(t, (&APIError{Code: 21014}).NothingCreated())
	assert.False(t, (&APIError{Code: 12345}).Retryable())
	assert.False(t, (&APIError{Code: 12345}).NothingCreated())
}

// counting is an httptest server that counts hits and answers with h.
func counting(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func serverClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithBaseURL(url), WithBackoff(time.Millisecond, 2*time.Millisecond), WithClock(func() time.Time { return fixedNow })}
	c, err := NewClient(testAppID, testMerchantKey(t), append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func write(c *Client) error {
	_, err := do[probeResult](context.Background(), c, OpDirectDebitCreateAuthorizationLink, &probeParams{MchOrderID: "M", Amount: 100})
	return err
}

func readCall(c *Client) error {
	_, err := do[probeResult](context.Background(), c, OpDirectDebitGetAuthorization, &probeParams{MchOrderID: "M", Amount: 100})
	return err
}

func TestRetryRules(t *testing.T) {
	envelope := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"code":%d,"message":"m","data":null}`, code)
		}
	}
	status := func(st int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(st); fmt.Fprint(w, body) }
	}
	cases := []struct {
		name          string
		h             http.HandlerFunc
		call          func(*Client) error
		hits          int64
		unknown       bool
		wantHTTPError bool
	}{
		{"21000 query retried", envelope(21000), readCall, 3, false, false},
		{"21000 write not retried", envelope(21000), write, 1, false, false},
		{"21020 write retried (nothing created)", envelope(21020), write, 3, false, false},
		{"21007 never retried", envelope(21007), readCall, 1, false, false},
		{"429 write retried", status(429, "slow down"), write, 3, false, true},
		{"502 query retried", status(502, "<html>bad gateway</html>"), readCall, 3, true, true},
		{"503 write not retried, outcome unknown", status(503, "<html>x</html>"), write, 1, true, true},
		{"504 write not retried", status(504, ""), write, 1, true, true},
		{"500 HTML not retried, unknown", status(500, "<html>oops</html>"), readCall, 1, true, true},
		{"200 HTML unknown", status(200, "<html>login</html>"), write, 1, true, true},
		{"200 truncated JSON unknown", status(200, `{"code":100`), write, 1, true, true},
		{"200 empty body unknown", status(200, ""), write, 1, true, true},
		{"404 not processed", status(404, "not found"), write, 1, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := counting(t, tc.h)
			err := tc.call(serverClient(t, srv.URL))
			require.Error(t, err)
			assert.Equal(t, tc.hits, hits.Load())
			assert.Equal(t, tc.unknown, IsOutcomeUnknown(err), "%v", err)
			var he *HTTPError
			assert.Equal(t, tc.wantHTTPError, errors.As(err, &he), "%T %v", err, err)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var n atomic.Int64
	srv, _ := counting(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		fmt.Fprint(w, `{"code":10000,"message":"Success","data":{"mchOrderId":"M"}}`)
	})
	start := time.Now()
	require.NoError(t, write(serverClient(t, srv.URL)))
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
}

func TestTransportErrorsOutcome(t *testing.T) {
	t.Run("refused dial: not sent, retried, even for writes", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		var logs strings.Builder
		c := serverClient(t, "http://"+addr, WithLogger(newTextLogger(&logs)))
		err = write(c)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.False(t, te.OutcomeUnknown)
		assert.False(t, IsOutcomeUnknown(err))
		assert.Equal(t, 3, strings.Count(logs.String(), "paycools request"), "three attempts logged")
	})
	t.Run("DNS failure: not sent", func(t *testing.T) {
		c := serverClient(t, "http://no-such-host.invalid", WithRetries(0))
		err := write(c)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.False(t, te.OutcomeUnknown)
	})
	t.Run("timeout after the request was written: unknown, write not retried, query retried", func(t *testing.T) {
		release := make(chan struct{})
		srv, hits := counting(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		c := serverClient(t, srv.URL, WithHTTPClient(&http.Client{Timeout: time.Second}))
		err := write(c)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.OutcomeUnknown)
		assert.EqualValues(t, 1, hits.Load())
		err = readCall(c)
		require.ErrorAs(t, err, &te)
		assert.True(t, te.OutcomeUnknown)
		assert.EqualValues(t, 4, hits.Load())
	})
	t.Run("connection reset after the request: unknown", func(t *testing.T) {
		srv, hits := counting(t, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		})
		err := write(serverClient(t, srv.URL))
		assert.True(t, IsOutcomeUnknown(err), "%v", err)
		assert.EqualValues(t, 1, hits.Load())
	})
	t.Run("body over the cap", func(t *testing.T) {
		srv, _ := counting(t, func(w http.ResponseWriter, r *http.Request) {
			chunk := strings.Repeat("x", 1<<20)
			for i := 0; i < 11; i++ {
				fmt.Fprint(w, chunk)
			}
		})
		err := write(serverClient(t, srv.URL))
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Contains(t, he.Body, "over")
		assert.True(t, he.OutcomeUnknown)
	})
}

func TestCancelledContextEndsBackoffPromptly(t *testing.T) {
	srv, hits := counting(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"code":21020,"message":"Too many requests","data":null}`)
	})
	// The context ends right after the first attempt was answered, in the 10 s backoff before
	// the retry (an observer, not a timer, so that a loaded machine cannot cancel it earlier).
	ctx, cancel := context.WithCancel(context.Background())
	c := serverClient(t, srv.URL, WithBackoff(10*time.Second, 10*time.Second),
		WithAttemptObserver(func(context.Context, Attempt) { cancel() }))
	start := time.Now()
	_, err := do[probeResult](ctx, c, OpDirectDebitCreateAuthorizationLink, &probeParams{MchOrderID: "M", Amount: 100})
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrRateLimited, "the last answer is kept beside the context error")
	assert.EqualValues(t, 1, hits.Load())

	// A context cancelled before sending: not sent.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = do[probeResult](ctx, c, OpDirectDebitCreateAuthorizationLink, &probeParams{MchOrderID: "M", Amount: 100})
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, IsOutcomeUnknown(err))
	assert.EqualValues(t, 1, hits.Load())
}

func TestOneClientManyGoroutines(t *testing.T) {
	srv, hits := counting(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"code":10000,"message":"Success","data":{"mchOrderId":"M","amount":"100"}}`)
	})
	c := serverClient(t, srv.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				err = write(c)
			} else {
				err = readCall(c)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.EqualValues(t, 100, hits.Load())
}
