package paycoolstest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func control(t *testing.T, s *Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+SandboxPrefix+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func fetchPage(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestSandboxControlAPI(t *testing.T) {
	s := newTestServer(t, WithBalance(200000))
	m := newMerchant(t)
	status, _ := control(t, s, "callback-url", url.Values{"url": {m.URL}})
	require.Equal(t, 200, status)
	ok(t, do(t, s, payoutPath, payoutFields("SB1")))

	status, out := control(t, s, "complete-payout/SB1", nil)
	require.Equal(t, 200, status, "%v", out)
	cb := out["callback"].(map[string]any)
	require.Equal(t, "disbursement.success", cb["eventName"])
	require.Equal(t, true, cb["acknowledged"])

	status, out = control(t, s, "complete-payout/SB1", nil)
	require.Equal(t, 409, status, "%v", out)
	status, _ = control(t, s, "complete-payout/NOPE", nil)
	require.Equal(t, 404, status)
	status, _ = control(t, s, "explode/SB1", nil)
	require.Equal(t, 404, status)

	ok(t, do(t, s, payoutPath, payoutFields("SB2")))
	status, out = control(t, s, "fail-payout/SB2", url.Values{"failedCode": {"-10005"}, "message": {"bad account"}})
	require.Equal(t, 200, status, "%v", out)
	require.Contains(t, out["callback"].(map[string]any)["param"], `"failedCode":-10005`)

	status, out = control(t, s, "balance", url.Values{"amount": {"777"}})
	require.Equal(t, 200, status)
	require.EqualValues(t, 777, out["balance"])
	require.EqualValues(t, 777, s.Balance())

	resp, err := http.Get(s.URL() + SandboxPrefix + "requests")
	require.NoError(t, err)
	var reqs []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&reqs))
	resp.Body.Close()
	require.Len(t, reqs, 2)
	require.Equal(t, "Payouts.Create", reqs[0]["Operation"])

	resp, err = http.Get(s.URL() + SandboxPrefix + "callbacks")
	require.NoError(t, err)
	var cbs []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&cbs))
	resp.Body.Close()
	require.Len(t, cbs, 2)
}

func TestSandboxHostedPages(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	link := ok(t, do(t, s, webCreatePath, webFields("HP1", m.URL))).str(t, "payData")
	status, body := fetchPage(t, link)
	require.Equal(t, 200, status)
	require.Contains(t, body, "complete-web-payment/HP1")

	// pressing "Pay" on the page
	resp, err := http.PostForm(s.URL()+SandboxPrefix+"complete-web-payment/HP1", url.Values{"html": {"1"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, "COMPLETED", ok(t, do(t, s, webGetPath, map[string]any{"mchOrderId": "HP1", "countryCode": "PH"})).str(t, "transactionStatus"))

	auth := ok(t, do(t, s, ddAuthPath, map[string]any{
		"requestId": "HP2", "userId": "u1", "channelCode": "PH_GCASH_DIRECT_DEBIT", "countryCode": "PH",
		"terminalType": "WEB", "notifyUrl": m.URL, "redirectUrl": "https://merchant.example/back",
	})).str(t, "authUrl")
	_, body = fetchPage(t, auth)
	require.Contains(t, body, "approve-authorization/HP2")

	va := ok(t, do(t, s, vaCreatePath, vaFields("HP3", m.URL)))
	_, body = fetchPage(t, va.str(t, "guideUrl"))
	require.Contains(t, body, "pay-virtual-account/HP3")
	status, out := control(t, s, "pay-virtual-account/HP3", url.Values{"amount": {"1500"}, "channel": {"GCASH_STATIC_VA"}})
	require.Equal(t, 200, status, "%v", out)

	batch := ok(t, do(t, s, vaBatchPath, map[string]any{
		"appName": "Sandbox", "mchOrderId": "HP5", "channelCode": "GCASH_STATIC_VA,PAYMAYA_STATIC_VA",
		"customerName": "Juan", "email": "juan@example.com",
	}))
	_, body = fetchPage(t, batch.str(t, "shortLink"))
	require.Contains(t, body, "Pay via PAYMAYA_STATIC_VA")

	qr := ok(t, do(t, s, qrCreatePath, map[string]any{"channelCode": "QRPH_STATIC_QR", "mchOrderId": "HP4", "notifyUrl": m.URL, "customerName": "Raja"}))
	_, body = fetchPage(t, qr.str(t, "qrLink"))
	require.Contains(t, body, `name="pesos"`)

	status, _ = fetchPage(t, s.URL()+"/pay/NOPE")
	require.Equal(t, 404, status)
	require.True(t, strings.HasPrefix(link, s.URL()+"/pay/"))
}
