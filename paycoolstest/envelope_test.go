package paycoolstest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

const balancePath = "/open-api/account/balance"

func envelopeBody(t *testing.T, appID, param, sig string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]string{"appId": appID, "param": param, "sign": sig})
	require.NoError(t, err)
	return b
}

func TestValidRequestSucceeds(t *testing.T) {
	s := newTestServer(t, WithBalance(12345))
	r := ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
	require.EqualValues(t, 12345, r.field(t, "balance"))
	req, found := s.LastRequest(paycools.OpAccountBalance)
	require.True(t, found)
	require.Equal(t, 10000, req.Code)
	require.Equal(t, "PH", req.Fields["countryCode"])
	require.Equal(t, s.AppID(), req.AppID)
}

func TestBadSignature(t *testing.T) {
	s := newTestServer(t)
	param := signedParam(t, s, map[string]any{"countryCode": "PH"})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	good := sign(t, s.MerchantPrivateKey(), param)

	cases := map[string]struct{ param, sign string }{
		"other key":          {param, sign(t, other, param)},
		"platform key":       {param, sign(t, s.PlatformPrivateKey(), param)},
		"param changed":      {strings.Replace(param, `"PH"`, `"ID"`, 1), good},
		"trailing newline":   {param + "\n", good},
		"url-safe base64":    {param, strings.NewReplacer("+", "-", "/", "_").Replace(good)},
		"space for plus":     {param, strings.ReplaceAll(good, "+", " ")},
		"not base64":         {param, "not-a-signature!"},
		"truncated":          {param, good[:len(good)-4]},
		"signed with appId":  {param, sign(t, s.MerchantPrivateKey(), "appId="+s.AppID()+"&param="+param)},
		"re-serialized sign": {`{"timestamp":` + fmt.Sprint(s.now().UnixMilli()) + `,"countryCode":"PH"}`, good},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "space for plus" && !strings.Contains(good, "+") {
				t.Skip("signature has no '+'")
			}
			r := refused(t, postBody(t, s, balancePath, envelopeBody(t, s.AppID(), c.param, c.sign)), 21001)
			require.Equal(t, "Request sign error", r.Message)
			require.Equal(t, http.StatusOK, r.HTTPStatus)
		})
	}
}

func TestTimestamp(t *testing.T) {
	clock := &fixedClock{t: time.Date(2024, 9, 12, 19, 7, 19, 0, time.UTC)}
	s := newTestServer(t, WithClock(clock.now))
	now := clock.now()
	send := func(ts any) reply {
		f := map[string]any{"countryCode": "PH"}
		if ts != nil {
			f["timestamp"] = ts
		}
		param, err := json.Marshal(f)
		require.NoError(t, err)
		return postBody(t, s, balancePath, envelopeBody(t, s.AppID(), string(param), sign(t, s.MerchantPrivateKey(), string(param))))
	}

	t.Run("missing", func(t *testing.T) {
		r := refused(t, send(nil), 21008)
		require.Equal(t, "Request timestamp error", r.Message)
	})
	for name, ts := range map[string]any{"word": "yesterday", "fraction": 1.5, "bool": true, "object": map[string]any{}, "empty": ""} {
		t.Run("unreadable "+name, func(t *testing.T) { refused(t, send(ts), 21008) })
	}
	t.Run("stale", func(t *testing.T) {
		r := refused(t, send(now.Add(-3*time.Minute).UnixMilli()), 21009)
		require.Equal(t, "Request timestamp error", r.Message)
	})
	t.Run("future", func(t *testing.T) { refused(t, send(now.Add(3*time.Minute).UnixMilli()), 21009) })
	t.Run("inside window", func(t *testing.T) { ok(t, send(now.Add(-119*time.Second).UnixMilli())) })
	t.Run("seconds", func(t *testing.T) { ok(t, send(now.Unix())) })
	t.Run("stale seconds", func(t *testing.T) { refused(t, send(now.Add(-time.Hour).Unix()), 21009) })
	t.Run("numeric string", func(t *testing.T) { ok(t, send(fmt.Sprint(now.UnixMilli()))) })
	t.Run("window follows the clock", func(t *testing.T) {
		ts := now.UnixMilli()
		clock.add(5 * time.Minute)
		defer clock.add(-5 * time.Minute)
		refused(t, send(ts), 21009)
	})
}

func TestTimestampWindowOption(t *testing.T) {
	s := newTestServer(t, WithTimestampWindow(time.Hour))
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH", "timestamp": s.now().Add(-59 * time.Minute).UnixMilli()}))
	refused(t, do(t, s, balancePath, map[string]any{"countryCode": "PH", "timestamp": s.now().Add(-61 * time.Minute).UnixMilli()}), 21009)
}

func TestUnknownAppID(t *testing.T) {
	s := newTestServer(t)
	param := signedParam(t, s, map[string]any{"countryCode": "PH"})
	r := refused(t, postBody(t, s, balancePath, envelopeBody(t, "0123456789abcdef0123456789abcdef", param, sign(t, s.MerchantPrivateKey(), param))), 21003)
	require.Equal(t, "Request appId error", r.Message)

	s2 := newTestServer(t, WithAppID("my-app"))
	require.Equal(t, "my-app", s2.AppID())
	ok(t, do(t, s2, balancePath, map[string]any{"countryCode": "PH"}))
}

func TestMalformedEnvelope(t *testing.T) {
	s := newTestServer(t)
	param := signedParam(t, s, map[string]any{"countryCode": "PH"})
	sig := sign(t, s.MerchantPrivateKey(), param)
	app := s.AppID()
	cases := map[string]string{
		"not JSON":          `appId=x&param=y&sign=z`,
		"empty body":        ``,
		"JSON array":        `[1,2]`,
		"missing appId":     fmt.Sprintf(`{"param":%q,"sign":%q}`, param, sig),
		"missing param":     fmt.Sprintf(`{"appId":%q,"sign":%q}`, app, sig),
		"missing sign":      fmt.Sprintf(`{"appId":%q,"param":%q}`, app, param),
		"empty sign":        fmt.Sprintf(`{"appId":%q,"param":%q,"sign":""}`, app, param),
		"null param":        fmt.Sprintf(`{"appId":%q,"param":null,"sign":%q}`, app, sig),
		"param as object":   fmt.Sprintf(`{"appId":%q,"param":%s,"sign":%q}`, app, param, sig),
		"param not object":  fmt.Sprintf(`{"appId":%q,"param":%q,"sign":%q}`, app, `[1]`, sign(t, s.MerchantPrivateKey(), `[1]`)),
		"param not JSON":    fmt.Sprintf(`{"appId":%q,"param":%q,"sign":%q}`, app, `hello`, sign(t, s.MerchantPrivateKey(), `hello`)),
		"two JSON values":   string(envelopeBody(t, app, param, sig)) + `{}`,
		"truncated JSON":    string(envelopeBody(t, app, param, sig))[:40],
		"appId as a number": fmt.Sprintf(`{"appId":12,"param":%q,"sign":%q}`, param, sig),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			r := refused(t, postBody(t, s, balancePath, []byte(body)), 21002)
			require.True(t, strings.HasPrefix(r.Message, "Request param error"), r.Message)
		})
	}
}

func TestFieldErrorsNameTheField(t *testing.T) {
	s := newTestServer(t)
	r := refused(t, do(t, s, balancePath, map[string]any{}), 21002)
	require.Contains(t, r.Message, "countryCode")
	r = refused(t, do(t, s, balancePath, map[string]any{"countryCode": "XX"}), 21002)
	require.Contains(t, r.Message, "countryCode")
	r = refused(t, do(t, s, "/api/v1/record/paymentList", map[string]any{"createDate": "2024-1-2", "page": 1}), 21002)
	require.Contains(t, r.Message, "createDate")
	r = refused(t, do(t, s, "/api/v1/record/paymentList", map[string]any{"createDate": "2024-01-02", "page": 0}), 21002)
	require.Contains(t, r.Message, "page")
	r = refused(t, do(t, s, "/api/v1/record/paymentList", map[string]any{"page": 1}), 21002)
	require.Contains(t, r.Message, "createDate")
}

func TestUnknownPathAndMethod(t *testing.T) {
	s := newTestServer(t)
	r := postBody(t, s, "/open-api/nope", []byte(`{}`))
	require.Equal(t, http.StatusNotFound, r.HTTPStatus)
	require.Zero(t, r.Code, "an unknown path is not answered with an envelope")
	resp, err := http.Get(s.URL() + balancePath)
	require.NoError(t, err)
	require.Equal(t, http.StatusMethodNotAllowed, readReply(t, resp).HTTPStatus)
}

func TestGETEnvelope(t *testing.T) {
	s := newTestServer(t)
	path := "/api/v1/paymentAccount/CUST1/payments"
	ok(t, do(t, s, "/api/v1/batch/paymentAccount", map[string]any{
		"appName": "Sandbox", "mchOrderId": "CUST1", "channelCode": "INSTA_TRANSFER_ACC", "customerName": "Juan Cruz",
	}))
	fields := func() map[string]any {
		return map[string]any{"mchOrderId": "CUST1", "startDate": "2024-01-01", "endDate": "2030-01-01"}
	}
	ok(t, get(t, s, path, fields()))

	// The query must be percent-encoded: a '+' left raw in sign arrives as a space.
	param := signedParam(t, s, fields())
	sig := sign(t, s.MerchantPrivateKey(), param)
	raw := "appId=" + s.AppID() + "&param=" + url.QueryEscape(param) + "&sign=" + sig
	resp, err := http.Get(s.URL() + path + "?" + raw)
	require.NoError(t, err)
	r := readReply(t, resp)
	if strings.Contains(sig, "+") {
		refused(t, r, 21001)
	} else {
		ok(t, r)
	}

	resp, err = http.Get(s.URL() + path + "?appId=" + s.AppID())
	require.NoError(t, err)
	refused(t, readReply(t, resp), 21002)

	// The path id and the param id must agree.
	refused(t, get(t, s, "/api/v1/paymentAccount/OTHER/payments", fields()), 21002)
}

func TestDuplicateOrder(t *testing.T) {
	s := newTestServer(t)
	p := payoutFields("DUP1")
	ok(t, do(t, s, payoutPath, p))
	p2 := payoutFields("DUP1")
	p2["idempotencyId"] = "ANOTHERIDEM1"
	r := refused(t, do(t, s, payoutPath, p2), 21007)
	require.Equal(t, "Duplicate merchant order id", r.Message)
}

func TestRequestsAreRecorded(t *testing.T) {
	s := newTestServer(t)
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
	refused(t, do(t, s, balancePath, map[string]any{"countryCode": "PH", "timestamp": 1}), 21009)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, paycools.OpAccountBalance, reqs[1].Operation)
	require.Equal(t, 21009, reqs[1].Code)
	require.Equal(t, json.Number("1"), reqs[1].Fields["timestamp"])
	require.Contains(t, reqs[1].Param, `"timestamp":1`)
}
