package paycools

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// printedEveryWay is v through every fmt verb a log line or an error might use, and through
// slog's text and JSON handlers, as a value and nested in a group.
func printedEveryWay(v any) []string {
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v, slog.Group("g", "v", v))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v, slog.Group("g", "v", v))
	out := []string{text.String(), js.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	return append(out, fmt.Sprint(v), fmt.Sprintln(v))
}

// The callback secret never shows when the client is printed, as a pointer or as a value, by
// any fmt verb or slog handler.
func TestClientNeverPrintsTheCallbackSecret(t *testing.T) {
	const secret = "cb-Secret-8f3a9c"
	c := newFakeAPI(t, WithCallbackSecret(secret)).Client
	type holder struct{ C Client }
	for _, v := range []any{c, *c, holder{*c}, &holder{*c}} {
		for _, s := range printedEveryWay(v) {
			assert.NotContains(t, s, secret)
			assert.NotContains(t, s, fmt.Sprintf("%x", secret), "hex of the secret")
		}
	}
	assert.Contains(t, fmt.Sprint(c), testAppID, "the client still says which app it is")
	assert.Contains(t, fmt.Sprint(c), "callbackSecret:[redacted]")
}

// errKMS is what a cloud KMS signer may return: its error quotes request credentials.
var errKMS = errors.New(`kms: AccessDenied request-id=7f1e; token=FQoGZXIvYXdzEBc1234tokenVALUE ` +
	`X-Amz-Security-Token=IQoJb3JpZ2luX2VjEAMaDmFwLXNvdXRoZWFzdC0x&X-Amz-Credential=AKIAEXAMPLE123/20240912/ap-southeast-1 ` +
	`password=hunter2 client_secret='s3cr3t value' {"apiKey":"ak-live-0042"} Api-Key = raw-key-77`)

type kmsDeniedSigner struct{ crypto.Signer }

func (kmsDeniedSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errKMS }

// A signer's error reaches the caller's error text with the values of credential-like
// key=value pairs removed, as well as keys, signatures and account numbers; errors.Is still
// finds the original.
func TestSignerErrorCredentialsAreRedacted(t *testing.T) {
	f := newFakeAPI(t)
	c, err := NewClient(testAppID, kmsDeniedSigner{testMerchantKey(t)}, WithBaseURL("https://pc.test"),
		WithHTTPClient(&http.Client{Transport: f.Transport}), WithClock(func() time.Time { return fixedNow }))
	require.NoError(t, err)
	_, err = c.Payouts.Get(context.Background(), &PayoutGetParams{MchOrderID: "M1"})
	require.Error(t, err)
	assert.ErrorIs(t, err, errKMS)
	_, direct := SignParam(kmsDeniedSigner{testMerchantKey(t)}, []byte("x"))
	require.Error(t, direct)
	for _, text := range []string{err.Error(), direct.Error(), fmt.Sprintf("%+v", err)} {
		for _, secret := range []string{"FQoGZXIvYXdzEBc1234tokenVALUE", "IQoJb3JpZ2luX2VjEAMaDmFwLXNvdXRoZWFzdC0x", "AKIAEXAMPLE123",
			"hunter2", "s3cr3t", "ak-live-0042", "raw-key-77"} {
			assert.NotContains(t, text, secret)
		}
		assert.Contains(t, text, "AccessDenied", "the reason stays readable")
		assert.Contains(t, text, "token=[redacted]")
		assert.Contains(t, text, "request-id=7f1e", "a pair that is not a credential is kept")
	}
	assert.Empty(t, f.requests(), "nothing is sent when signing fails")
}

// Each credential-like pair is redacted on its own, in every spelling a signer or a host
// uses, and ordinary pairs and words are kept.
func TestRedactTextCredentialPairs(t *testing.T) {
	for in, want := range map[string]string{
		"token=abc123":                        "token=[redacted]",
		"X-Amz-Security-Token=IQo%2Bx&b=1":    "X-Amz-Security-Token=[redacted]&b=1",
		"client_secret='two words' next":      "client_secret=[redacted] next",
		`{"apiKey":"ak-1","mchOrderId":"M1"}`: `{"apiKey":[redacted],"mchOrderId":"M1"}`,
		"Api-Key = raw-key-77":                "Api-Key = [redacted]",
		"PASSWORD=hunter2;user=ana":           "PASSWORD=[redacted];user=ana",
		"credential=AKIA/2024/ap":             "credential=[redacted]",
		"mchOrderId=M1 status=FAILED":         "mchOrderId=M1 status=FAILED",
		"the key is not RSA":                  "the key is not RSA",
	} {
		assert.Equal(t, want, redactText(in, 200), in)
	}
}
