package paycoolstest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

func TestNewServerAtAndClose(t *testing.T) {
	m, p := testKeys()
	s, err := NewServerAt("127.0.0.1:0", WithKeys(m, p))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"))
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
	s.Close()
	s.Close() // idempotent
	_, err = http.Post(s.URL()+balancePath, "application/json", strings.NewReader(`{}`))
	require.Error(t, err, "closed")

	_, err = NewServerAt("256.0.0.1:1")
	require.Error(t, err)
}

func TestGeneratedKeysAndClient(t *testing.T) {
	s := NewServer() // generates both key pairs
	defer s.Close()
	require.Equal(t, 2048, s.MerchantPrivateKey().N.BitLen())
	require.Equal(t, 2048, s.PlatformPrivateKey().N.BitLen())
	require.NotEqual(t, s.MerchantPrivateKey().N, s.PlatformPrivateKey().N)
	require.Len(t, s.AppID(), 32)
	c := s.Client()
	require.Equal(t, s.AppID(), c.AppID())
	require.Equal(t, s.URL(), c.BaseURL())
	c = s.Client(paycools.WithBaseURL("http://127.0.0.1:9"))
	require.Equal(t, "http://127.0.0.1:9", c.BaseURL(), "options are appended")
}

func TestCloseInterruptsDelay(t *testing.T) {
	s := newTestServer(t)
	s.InjectFault(paycools.OpAccountBalance, Fault{Delay: time.Hour})
	done := make(chan struct{})
	param := signedParam(t, s, map[string]any{"countryCode": "PH"})
	body := envelopeBody(t, s.AppID(), param, sign(t, s.MerchantPrivateKey(), param))
	go func() {
		defer close(done)
		resp, err := http.Post(s.URL()+balancePath, "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}()
	require.Eventually(t, func() bool { return len(s.pendingFaults()) == 0 }, time.Second, 5*time.Millisecond)
	start := time.Now()
	s.Close()
	require.Less(t, time.Since(start), 5*time.Second)
	<-done
}

func TestConcurrentPayouts(t *testing.T) {
	s := newTestServer(t, WithBalance(10*50010))
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- do(t, s, payoutPath, payoutFields(fmt.Sprintf("CC%02d", i))).Code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	require.Equal(t, map[int]int{10000: 10, 21014: 10}, count, "exactly the balance is paid out")
	require.Zero(t, s.Balance())
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	l := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	s := newTestServer(t, WithLogger(l))
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, buf.String(), "op=Account.Balance")
	require.Contains(t, buf.String(), "code=10000")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRouteTableMatchesSpec: the gateway's own operation table has every operation of
// docs/endpoints.tsv, with the same method and path.
func TestRouteTableMatchesSpec(t *testing.T) {
	tsv := readSpecTSV(t)
	seen := map[paycools.Operation]bool{}
	for _, row := range tsv {
		op := paycools.Operation(row.service + "." + row.method)
		if a, ok := aliases[op]; ok {
			require.Equal(t, row.path, routeOf(a).path, "%s", op)
			seen[op] = true
			continue
		}
		rt := routeOf(op)
		require.NotNil(t, rt, "no route for %s", op)
		require.Equal(t, row.httpMethod, rt.method, "%s", op)
		require.Equal(t, row.path, rt.path, "%s", op)
		seen[op] = true
		for _, f := range row.required {
			if f == "timestamp" {
				continue
			}
			found := false
			for _, rf := range rt.fields {
				found = found || (rf.name == f && rf.required)
			}
			require.True(t, found, "%s: %s should be a required field", op, f)
		}
	}
	require.Len(t, seen, len(tsv))
	require.Len(t, routes, len(tsv)-len(aliases))
}

func routeOf(op paycools.Operation) *route {
	for _, rt := range routes {
		if rt.op == op {
			return rt
		}
	}
	return nil
}

func TestAppendBounded(t *testing.T) {
	var l []int
	for i := range maxRecords + 5 {
		l = appendBounded(l, i)
	}
	require.Len(t, l, maxRecords)
	require.Equal(t, 5, l[0])
	require.Equal(t, maxRecords+4, l[len(l)-1])
}

// TestPublicKeys checks that MerchantPublicKey and PlatformPublicKey are the public halves of
// the private keys (a signature by each private key verifies with its public key and not with
// the other), and that they are copies: changing one does not change the key the gateway
// checks requests with.
func TestPublicKeys(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for name, k := range map[string]struct {
		priv       *rsa.PrivateKey
		pub, other *rsa.PublicKey
	}{
		"merchant": {s.MerchantPrivateKey(), s.MerchantPublicKey(), s.PlatformPublicKey()},
		"platform": {s.PlatformPrivateKey(), s.PlatformPublicKey(), s.MerchantPublicKey()},
	} {
		require.True(t, k.pub.Equal(k.priv.Public()), name)
		sig, err := base64.StdEncoding.DecodeString(sign(t, k.priv, "param"))
		require.NoError(t, err)
		sum := sha256.Sum256([]byte("param"))
		require.NoError(t, rsa.VerifyPKCS1v15(k.pub, crypto.SHA256, sum[:], sig), name)
		require.Error(t, rsa.VerifyPKCS1v15(k.other, crypto.SHA256, sum[:], sig), name)
	}
	pub := s.MerchantPublicKey()
	pub.N.SetInt64(3)
	pub.E = 3
	require.True(t, s.MerchantPublicKey().Equal(s.MerchantPrivateKey().Public()))
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
}
