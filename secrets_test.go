package paycools

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
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
