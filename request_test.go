package paycools

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The 10.1 example of directdebit.md, with the doc's timestamp (seconds, as printed): the param
// sent must be the doc's param byte for byte, and its sign must verify with the merchant public
// key over exactly those bytes (fakeAPI.record checks the signature).
func TestDirectDebitAuthorizationLinkDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/direct/debit/token/apply",
		`{"userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","authUrl":"https://auth.example/x?a=1&b=2"}`)
	res, err := f.Client.DirectDebit.CreateAuthorizationLink(context.Background(), &DirectDebitAuthorizationLinkParams{
		RequestID:    "Joey0ub5yxzecu4c866ub100",
		UserID:       "u0009",
		ChannelCode:  "PH_GCASH_DIRECT_DEBIT",
		CountryCode:  CountryPH,
		NotifyURL:    "https://webhook.site/b89c5e5f-3056-438f-8329-b39ff5a181de",
		RedirectURL:  "https://kademo.intlalipay.cn/melitigo/Test_113.html",
		TerminalType: TerminalTypeWAP,
		OsType:       OSTypeAndroid,
		Timestamp:    1726139239,
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, `{"requestId":"Joey0ub5yxzecu4c866ub100","userId":"u0009","channelCode":"PH_GCASH_DIRECT_DEBIT","countryCode":"PH","notifyUrl":"https://webhook.site/b89c5e5f-3056-438f-8329-b39ff5a181de","redirectUrl":"https://kademo.intlalipay.cn/melitigo/Test_113.html","terminalType":"WAP","osType":"ANDROID","timestamp":1726139239}`, got.Env.Param)
	assert.Equal(t, testAppID, got.Env.AppID)
	assert.Len(t, got.Env.Sign, 344)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "paycools-go/"+Version, got.Header.Get("User-Agent"))
	assert.Equal(t, "https://auth.example/x?a=1&b=2", res.AuthURL)
	assert.JSONEq(t, `{"userId":"u0009","requestId":"Joey0ub5yxzecu4c866ub100","channelCode":"PH_GCASH_DIRECT_DEBIT","authUrl":"https://auth.example/x?a=1&b=2"}`, string(res.Raw))
}
