package paycools

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogOneLinePerAttemptWithoutSecrets(t *testing.T) {
	var logs bytes.Buffer
	f := newFakeAPI(t, WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	f.replyData("POST", probePath, `{"mchOrderId":"M"}`)
	_, err := probe(f, &probeParams{MchOrderID: "M", Amount: 100, Mobile: "09171234567"})
	require.NoError(t, err)
	sent := f.last()
	line := logs.String()
	for _, want := range []string{`"msg":"paycools request"`, `"operation":"DirectDebit.CreateAuthorizationLink"`,
		`"path":"/open-api/direct/debit/token/apply"`, `"attempt":1`, `"http_status":200`, `"code":10000`, `"duration":`} {
		assert.Contains(t, line, want)
	}
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("\n")))

	// An HTTP error page echoing an account number and a sign is redacted in logs and errors.
	logs.Reset()
	f.reply("POST", probePath, 502, `<html>account 1234567890123 sign=`+sent.Env.Sign+` -----BEGIN PRIVATE KEY-----MIIE-----END PRIVATE KEY-----</html>`)
	_, err = probe(f, &probeParams{MchOrderID: "M", Amount: 100})
	require.Error(t, err)
	for _, text := range []string{logs.String(), err.Error()} {
		assert.NotContains(t, text, "1234567890123")
		assert.Contains(t, text, "*********0123")
		assert.NotContains(t, text, sent.Env.Sign[:40])
		assert.NotContains(t, text, "MIIE")
		assert.NotContains(t, text, "09171234567")
	}
	key := readTestFile(t, "test_merchant_2048_pkcs8.b64")
	assert.NotContains(t, logs.String(), string(key[100:140]))

	// Nothing is logged below the handler's level, and the default logger discards.
	c, err := NewClient(testAppID, testMerchantKey(t))
	require.NoError(t, err)
	assert.False(t, c.logger.Enabled(context.Background(), slog.LevelError))
}

func TestMaskedLogValue(t *testing.T) {
	type addr struct {
		Mobile string `json:"mobile" log:"mask"`
		City   string `json:"city"`
	}
	type params struct {
		AccountNo string          `json:"accountNo" log:"mask"`
		Amount    Amount          `json:"amount"`
		Addr      *addr           `json:"addr"`
		Items     []addr          `json:"items"`
		Empty     string          `json:"empty"`
		Extra     map[string]any  `json:"-"`
		Raw       json.RawMessage `json:"-"`
	}
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	l.Info("x", "p", maskedLogValue(params{AccountNo: "1234567890", Amount: 50010, Addr: &addr{Mobile: "09171234567", City: "Manila"},
		Items: []addr{{Mobile: "09998887777"}}, Extra: map[string]any{"b": "secret", "a": 1}, Raw: json.RawMessage(`{"accountNo":"1234567890"}`)}))
	out := buf.String()
	assert.Contains(t, out, `"p":{"accountNo":"******7890","amount":50010,"addr":{"mobile":"*******4567","city":"Manila"},"items":{"0":{"mobile":"*******7777"}},"extraKeys":["a","b"]}`)
	assert.NotContains(t, out, "secret")
	assert.NotContains(t, out, "1234567890")
}
