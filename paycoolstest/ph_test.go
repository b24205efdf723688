package paycoolstest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawSign signs msg with the merchant key, as a hand-written PH client would.
func rawSign(t *testing.T, k *rsa.PrivateKey, msg string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(sig)
}

// phAnswer posts body (or GETs with the query) and returns code and message.
func phAnswer(t *testing.T, s *Server, method, path, query string, body []byte) (int, string, json.RawMessage) {
	t.Helper()
	u := s.URL() + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &a), "%d %s", resp.StatusCode, b)
	return a.Code, a.Message, a.Data
}

// The fake's canonicalizer gives the golden strings of docs/dialects.md §4.2, and its flat
// SHA-1 callback sign the golden vector of §10.1.
func TestPHCanonicalGolden(t *testing.T) {
	pairs := func(body string) []phPair {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		p, err := readFlat(r, []byte(body))
		require.NoError(t, err)
		return p
	}
	assert.Equal(t, `amount=100.00&appId=f90addc4861540ef9312e87d8f360e08&version=1.0`,
		phCanonical(pairs(`{"version":"1.0","amount":100.00,"appId":"f90addc4861540ef9312e87d8f360e08","sign":"x"}`)))
	assert.Equal(t, `appId=f90addc4861540ef9312e87d8f360e08&flag=true&items=[{"a":1}]&note=a&b=c`,
		phCanonical(pairs(`{"appId":"f90addc4861540ef9312e87d8f360e08","flag":true,"items":[{"a": 1}],"note":"a&b=c","empty":""}`)))
	s := newTestServer(t, WithDialect(paycools.DialectPH), WithCallbackSecret("xxxxxxx"))
	body, sign, err := s.flatCallbackBody([]byte(`{"eventName":"qrcode.payment.success","mchOrderId":"CCVA1653350151938813","transactionId":"C1032653961085706055","channelCode":"QRPH_STATIC_QR","amount":503700,"transactionStatus":"COMPLETE","remark":"qrcode payment","createTime":"2022-05-31 09:38:06","returnTime":"2022-05-31 09:38:06"}`))
	require.NoError(t, err)
	assert.Equal(t, "4ac0208ac66f4ccea6983c5af30d2364f79ff711", sign)
	assert.True(t, bytes.HasSuffix(body, []byte(`,"sign":"4ac0208ac66f4ccea6983c5af30d2364f79ff711"}`)))
}

// Raw flat requests: accepted when signed over the canonical string, refused (1003) when
// tampered, signed with another key or re-ordered into another string; a repeated or unlisted
// name is a param error; the open-api paths do not exist on the PH host.
func TestPHRawRequests(t *testing.T) {
	s := newTestServer(t, WithDialect(paycools.DialectPH))
	k := s.MerchantPrivateKey()
	app := s.AppID()
	body := func(fields map[string]any, sign string) []byte {
		m := map[string]any{"sign": sign}
		for n, v := range fields {
			m[n] = v
		}
		b, _ := json.Marshal(m)
		return b
	}
	fields := map[string]any{"appId": app, "appName": "Shop", "mchOrderId": "PHRAW0000001", "idempotencyId": "PHRAW0000001",
		"amount": 50010, "accountNo": "1234567890", "accountName": "Juan Cruz", "payMethodCode": "BANK", "bankCode": "BDO"}
	canonical := "accountName=Juan Cruz&accountNo=1234567890&amount=50010&appId=" + app + "&appName=Shop&bankCode=BDO&idempotencyId=PHRAW0000001&mchOrderId=PHRAW0000001&payMethodCode=BANK"
	code, msg, data := phAnswer(t, s, "POST", "/api/v1/payout", "", body(fields, rawSign(t, k, canonical)))
	require.Equal(t, 1000, code, msg)
	assert.Contains(t, string(data), `"transactionId"`)

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	fields["mchOrderId"], fields["idempotencyId"] = "PHRAW0000002", "PHRAW0000002"
	canonical = strings.ReplaceAll(canonical, "PHRAW0000001", "PHRAW0000002")
	for name, b := range map[string][]byte{
		"tampered amount": bytes.Replace(body(fields, rawSign(t, k, canonical)), []byte("50010"), []byte("50011"), 1),
		"other key":       body(fields, rawSign(t, other, canonical)),
		"unsorted string": body(fields, rawSign(t, k, "mchOrderId=PHRAW0000002&"+canonical)),
		"envelope signed": body(fields, rawSign(t, k, `{"mchOrderId":"PHRAW0000002"}`)),
	} {
		code, _, _ := phAnswer(t, s, "POST", "/api/v1/payout", "", b)
		assert.Equal(t, 1003, code, name)
	}
	dup := bytes.Replace(body(fields, rawSign(t, k, canonical)), []byte(`{`), []byte(`{"amount":50010,`), 1)
	code, _, _ = phAnswer(t, s, "POST", "/api/v1/payout", "", dup)
	assert.Equal(t, 1009, code, "a repeated name")
	fields["timestamp"] = 1
	code, msg, _ = phAnswer(t, s, "POST", "/api/v1/payout", "", body(fields, rawSign(t, k, canonical+"&timestamp=1")))
	assert.Equal(t, 1009, code, "timestamp is not a field of the PH payout")
	assert.Contains(t, msg, "timestamp")

	// A flat GET: the names in the query, the string over the unencoded values.
	q := url.Values{"appId": {app}, "mchOrderId": {"PHRAW0000001"}}
	q.Set("sign", rawSign(t, k, "appId="+app+"&mchOrderId=PHRAW0000001"))
	code, msg, data = phAnswer(t, s, "GET", "/api/v1/payout/check", q.Encode(), nil)
	require.Equal(t, 1000, code, msg)
	assert.Contains(t, string(data), "PHRAW0000001")
	q.Set("mchOrderId", "NOSUCHORDER1")
	code, _, _ = phAnswer(t, s, "GET", "/api/v1/payout/check", q.Encode(), nil)
	assert.Equal(t, 1003, code, "the sign covers mchOrderId")

	resp, err := http.Post(s.URL()+"/open-api/disbursement/check", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
}

// /api/v2/checkout verifies only the configured envelope signing, and answers code 1.
func TestPHEnvelopeSigningVariants(t *testing.T) {
	for _, v := range []paycools.EnvelopeSigning{paycools.EnvelopeSignsAppIDAndParam, paycools.EnvelopeSignsParam} {
		s := newTestServer(t, WithDialect(paycools.DialectPH), WithEnvelopeSigning(v))
		param := `{"countryCode":"PH","timestamp":` + itoa64(time.Now().UnixMilli()) + `}`
		for _, signed := range []string{"appId=" + s.AppID() + "&param=" + param, param} {
			b, _ := json.Marshal(map[string]string{"appId": s.AppID(), "param": param, "sign": rawSign(t, s.MerchantPrivateKey(), signed)})
			code, _, _ := phAnswer(t, s, "POST", "/api/v2/checkout/channel", "", b)
			ok := (v == paycools.EnvelopeSignsAppIDAndParam) == strings.HasPrefix(signed, "appId=")
			if ok {
				assert.Equal(t, 1, code, "%v accepts its own message", v)
			} else {
				assert.Equal(t, 1003, code, "%v refuses the other message", v)
			}
		}
	}
}

// A PH payout through the SDK, completed: the callback is flat, SHA-1 signed with the secret,
// and acknowledged by the SDK's handler with the flat reply.
func TestPHPayoutCallbackIsFlatSHA1(t *testing.T) {
	s := newTestServer(t, WithDialect(paycools.DialectPH))
	c := s.Client()
	require.Equal(t, paycools.DialectPH, c.Dialect())
	hs := httptest.NewServer(c.NotificationHandler(func(context.Context, *paycools.Notification) error { return nil }))
	defer hs.Close()
	s.SetCallbackURL(hs.URL)
	po, err := c.Payouts.Create(context.Background(), &paycools.PayoutCreateParams{MchOrderID: "PHCB00000001", Amount: 10000,
		AccountNo: "1234567890", AccountName: "Juan Cruz", PayMethodCode: paycools.PayMethodBank, TransferCode: "BDO"})
	require.NoError(t, err)
	res, err := s.CompletePayout(po.MchOrderID)
	require.NoError(t, err)
	require.True(t, res.Acknowledged(), "reply %d %s", res.Status, res.Body)
	assert.JSONEq(t, `{"code":1,"msg":"success","data":{}}`, string(res.Body))
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(res.Param, &m))
	var sign string
	require.NoError(t, json.Unmarshal(m["sign"], &sign))
	delete(m, "sign")
	var parts []string
	for k, v := range m {
		var sv string
		if json.Unmarshal(v, &sv) != nil {
			sv = string(v)
		}
		if sv != "" {
			parts = append(parts, k+"="+sv)
		}
	}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "&") + "&secret=" + s.CallbackSecret()))
	assert.Equal(t, hex.EncodeToString(sum[:]), sign)
	assert.Equal(t, sign, res.Sign)
}

// The fake's PH table agrees with docs/endpoints-ph.tsv: method, path, form and fields.
func TestPHRouteTableMatchesTSV(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "docs", "endpoints-ph.tsv"))
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	byOp := map[paycools.Operation]phRoute{}
	for _, rt := range phRoutes {
		byOp[rt.op] = rt
	}
	for _, row := range rows[1:] {
		op := paycools.Operation(row[1] + "." + row[2])
		if op == paycools.OpWebPaymentChannels {
			op = paycools.OpCheckoutChannels // one route for both
		}
		rt, ok := byOp[op]
		require.True(t, ok, "%s missing", op)
		assert.Equal(t, row[3], rt.method, op)
		assert.Equal(t, row[4], rt.path, op)
		assert.Equal(t, row[5] == "flat", rt.flat, op)
		if rt.flat {
			assert.Equal(t, row[9], rt.fields, op)
		}
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// The path of a flat request is not signed: a placeholder naming another object than the
// signed field of that name is refused as a param error (1009), as the open-api routes refuse
// it. The gateway used to take the path's value over the signed one.
func TestPHPathPlaceholderMustMatchSignedField(t *testing.T) {
	s := newTestServer(t, WithDialect(paycools.DialectPH))
	app := s.AppID()
	q := url.Values{"appId": {app}, "transactionId": {"TXSIGNED1"}}
	q.Set("sign", rawSign(t, s.MerchantPrivateKey(), "appId="+app+"&transactionId=TXSIGNED1"))

	code, msg, _ := phAnswer(t, s, "GET", "/api/v1/payment/TXOTHER1", q.Encode(), nil)
	assert.Equal(t, 1009, code, msg)
	assert.Contains(t, msg, `transactionId in the path ("TXOTHER1") differs from the signed field ("TXSIGNED1")`)

	code, msg, _ = phAnswer(t, s, "GET", "/api/v1/payment/TXSIGNED1", q.Encode(), nil)
	assert.Equal(t, 1008, code, "the path and the signed field agree: looked up, not found; %s", msg)
}

// A request the PH checks refuse is recorded as received, with the PH code it was answered:
// a forged payout shows in Requests (it used to leave no trace).
func TestPHRefusedRequestsAreRecorded(t *testing.T) {
	s := newTestServer(t, WithDialect(paycools.DialectPH))
	body := `{"appId":"` + s.AppID() + `","mchOrderId":"PHREC1","amount":50010,"sign":"AAAA"}`
	code, _, _ := phAnswer(t, s, "POST", "/api/v1/payout", "", []byte(body))
	require.Equal(t, 1003, code)
	code, _, _ = phAnswer(t, s, "POST", "/api/v2/checkout/generate", "", []byte(`{"appId":"x","param":"{}","sign":"AAAA"}`))
	require.Equal(t, 1003, code)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, paycools.OpPayoutCreate, reqs[0].Operation)
	assert.Equal(t, "/api/v1/payout", reqs[0].Path)
	assert.Equal(t, 1003, reqs[0].Code)
	assert.Equal(t, s.AppID(), reqs[0].AppID)
	assert.Equal(t, "AAAA", reqs[0].Sign)
	assert.Equal(t, map[string]any{"mchOrderId": "PHREC1", "amount": json.Number("50010")}, reqs[0].Fields)
	assert.Equal(t, paycools.OpCheckoutCreate, reqs[1].Operation)
	assert.Equal(t, 1003, reqs[1].Code)
	assert.Equal(t, "x", reqs[1].AppID)
	assert.Equal(t, "{}", reqs[1].Param)
}
