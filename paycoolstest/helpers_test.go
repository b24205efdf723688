package paycoolstest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

// testKeys are the repository's test key pairs (../testdata/keys), so that tests do not pay for
// key generation on every server.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	read := func(name string) *rsa.PrivateKey {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "keys", name))
		if err != nil {
			panic(err)
		}
		blk, _ := pem.Decode(b)
		if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
			return k
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			panic(err)
		}
		return k.(*rsa.PrivateKey)
	}
	return read("test_merchant_2048_pkcs8.pem"), read("test_platform_2048_pkcs1.pem")
})

func newTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	m, p := testKeys()
	s := NewServer(append([]Option{WithKeys(m, p)}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// reply is the gateway's answer to a raw request.
type reply struct {
	HTTPStatus int
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	Body       []byte
}

// field decodes one field of an object in Data.
func (r reply) field(t *testing.T, name string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &m), "data: %s", r.Data)
	return m[name]
}

// str is a string field of Data.
func (r reply) str(t *testing.T, name string) string {
	t.Helper()
	s, _ := r.field(t, name).(string)
	return s
}

// list decodes Data as an array of objects.
func (r reply) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &l), "data: %s", r.Data)
	return l
}

func sign(t *testing.T, k *rsa.PrivateKey, param string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(param))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(sig)
}

// postEnvelope sends an arbitrary body to path.
func postBody(t *testing.T, s *Server, path string, body []byte) reply {
	t.Helper()
	resp, err := http.Post(s.URL()+path, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	return readReply(t, resp)
}

func readReply(t *testing.T, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{HTTPStatus: resp.StatusCode, Body: b}
	_ = json.Unmarshal(b, &r)
	return r
}

// signedParam is fields as param JSON with a fresh millisecond timestamp (unless fields has one).
func signedParam(t *testing.T, s *Server, fields map[string]any) string {
	t.Helper()
	f := map[string]any{"timestamp": s.now().UnixMilli()}
	for k, v := range fields {
		f[k] = v
	}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	return string(b)
}

// do signs fields with the merchant key and POSTs the envelope to path.
func do(t *testing.T, s *Server, path string, fields map[string]any) reply {
	t.Helper()
	param := signedParam(t, s, fields)
	body, err := json.Marshal(map[string]string{"appId": s.AppID(), "param": param, "sign": sign(t, s.MerchantPrivateKey(), param)})
	require.NoError(t, err)
	return postBody(t, s, path, body)
}

// get signs fields and sends the envelope as query parameters.
func get(t *testing.T, s *Server, path string, fields map[string]any) reply {
	t.Helper()
	param := signedParam(t, s, fields)
	q := url.Values{"appId": {s.AppID()}, "param": {param}, "sign": {sign(t, s.MerchantPrivateKey(), param)}}
	resp, err := http.Get(s.URL() + path + "?" + q.Encode())
	require.NoError(t, err)
	return readReply(t, resp)
}

// ok asserts a success answer.
func ok(t *testing.T, r reply) reply {
	t.Helper()
	require.Equal(t, 10000, r.Code, "answer: %d %s", r.HTTPStatus, r.Body)
	require.Equal(t, "Success", r.Message)
	return r
}

// refused asserts an answer with code.
func refused(t *testing.T, r reply, code int) reply {
	t.Helper()
	require.Equal(t, code, r.Code, "answer: %d %s", r.HTTPStatus, r.Body)
	return r
}

// merchant is a merchant's callback endpoint that records what it receives and answers with
// the reply it is given (default: the success reply).
type merchant struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status int
	answer string
}

func newMerchant(t *testing.T) *merchant {
	t.Helper()
	m := &merchant{status: 200, answer: `{"code":10000,"message":"Success"}`}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.bodies = append(m.bodies, b)
		status, answer := m.status, m.answer
		m.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *merchant) set(status int, answer string) {
	m.mu.Lock()
	m.status, m.answer = status, answer
	m.mu.Unlock()
}

// event decodes the param of a callback result, after checking its signature with the
// platform key.
func event(t *testing.T, s *Server, res *CallbackResult) map[string]any {
	t.Helper()
	require.NotNil(t, res)
	require.NoError(t, res.Err)
	sig, err := base64.StdEncoding.DecodeString(res.Sign)
	require.NoError(t, err)
	sum := sha256.Sum256(res.Param)
	require.NoError(t, rsa.VerifyPKCS1v15(s.PlatformPublicKey(), crypto.SHA256, sum[:], sig))
	var m map[string]any
	require.NoError(t, json.Unmarshal(res.Param, &m))
	return m
}

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func paycoolsAmount(n int) paycools.Amount { return paycools.Amount(n) }

// pendingFaults lists the faults not yet applied.
func (s *Server) pendingFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fault
	for _, q := range s.fault {
		out = append(out, q...)
	}
	return out
}

type specRow struct {
	service, method, httpMethod, path string
	required                          []string
}

// readSpecTSV reads the operation table of the contract (../docs/endpoints.tsv).
func readSpecTSV(t *testing.T) []specRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "endpoints.tsv"))
	require.NoError(t, err)
	var rows []specRow
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i == 0 {
			continue
		}
		c := strings.Split(line, "\t")
		require.Len(t, c, 9, line)
		r := specRow{service: c[1], method: c[2], httpMethod: c[3], path: c[4]}
		for _, f := range strings.Split(c[8], ",") {
			if strings.HasSuffix(f, "*") {
				r.required = append(r.required, strings.TrimSuffix(f, "*"))
			}
		}
		rows = append(rows, r)
	}
	return rows
}
