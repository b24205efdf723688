package paycoolstest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

func payoutExists(t *testing.T, s *Server, id string) bool {
	t.Helper()
	r := do(t, s, payoutCheckPath, map[string]any{"mchOrderId": id, "countryCode": "PH"})
	return r.Code == 10000
}

func TestFaultCodeDoesNotAct(t *testing.T) {
	s := newTestServer(t)
	s.InjectFault(paycools.OpPayoutCreate, Fault{Code: 21000})
	r := refused(t, do(t, s, payoutPath, payoutFields("F1")), 21000)
	require.Equal(t, "Server error, Please try again later.", r.Message)
	require.False(t, payoutExists(t, s, "F1"))
	ok(t, do(t, s, payoutPath, payoutFields("F1"))) // the fault applied once

	s.InjectFault(paycools.OpPayoutCreate, Fault{Code: 21020, Message: "slow down", HTTPStatus: 429})
	r = refused(t, do(t, s, payoutPath, payoutFields("F2")), 21020)
	require.Equal(t, "slow down", r.Message)
	require.Equal(t, 429, r.HTTPStatus)
	req, _ := s.LastRequest(paycools.OpPayoutCreate)
	require.NotNil(t, req.Fault)
	require.Equal(t, 21020, req.Code)
}

func TestFaultActBeforeAnswer(t *testing.T) {
	s := newTestServer(t)
	s.InjectFault(paycools.OpPayoutCreate, Fault{Code: 21000, ActBeforeAnswer: true})
	refused(t, do(t, s, payoutPath, payoutFields("F3")), 21000)
	require.True(t, payoutExists(t, s, "F3"), "the gateway acted before answering")
}

func TestFaultBodyAndStatus(t *testing.T) {
	s := newTestServer(t)
	s.InjectFault(payoutPath, Fault{HTTPStatus: 502, Body: "<html>Bad Gateway</html>"})
	r := do(t, s, payoutPath, payoutFields("F4"))
	require.Equal(t, 502, r.HTTPStatus)
	require.Equal(t, "<html>Bad Gateway</html>", string(r.Body))
	require.False(t, payoutExists(t, s, "F4"))

	s.InjectFault(paycools.OpPayoutCreate, Fault{HTTPStatus: 503})
	r = do(t, s, payoutPath, payoutFields("F4"))
	require.Equal(t, 503, r.HTTPStatus)
	require.Empty(t, r.Body)
}

func TestFaultDrops(t *testing.T) {
	s := newTestServer(t)
	post := func(id string) error {
		param := signedParam(t, s, payoutFields(id))
		resp, err := http.Post(s.URL()+payoutPath, "application/json",
			bytesReader(envelopeBody(t, s.AppID(), param, sign(t, s.MerchantPrivateKey(), param))))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	}
	s.InjectFault(paycools.OpPayoutCreate, Fault{DropBeforeAction: true})
	require.Error(t, post("F5"))
	require.False(t, payoutExists(t, s, "F5"))

	s.InjectFault(paycools.OpPayoutCreate, Fault{DropAfterAction: true})
	require.Error(t, post("F6"))
	require.True(t, payoutExists(t, s, "F6"))
	req, _ := s.LastRequest(paycools.OpPayoutCreate)
	require.True(t, req.Dropped)
	require.Equal(t, "F6", req.Fields["mchOrderId"])
}

func TestFaultDelayThenActs(t *testing.T) {
	s := newTestServer(t)
	s.InjectFault(paycools.OpPayoutCreate, Fault{Delay: 300 * time.Millisecond})
	param := signedParam(t, s, payoutFields("F7"))
	body := envelopeBody(t, s.AppID(), param, sign(t, s.MerchantPrivateKey(), param))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+payoutPath, bytesReader(body))
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	// Once the gateway holds the request (the fault is taken), the client gives up.
	require.Eventually(t, func() bool { return len(s.pendingFaults()) == 0 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.Error(t, <-errc)
	require.Eventually(t, func() bool {
		ok, err := tryPayoutExists(s, "F7")
		return err == nil && ok
	}, 5*time.Second, 20*time.Millisecond, "the gateway acts after the delay even though the client gave up")
}

// tryPayoutExists asks the gateway for a payout without failing the test (for Eventually).
func tryPayoutExists(s *Server, id string) (bool, error) {
	param, err := json.Marshal(map[string]any{"mchOrderId": id, "countryCode": "PH", "timestamp": s.now().UnixMilli()})
	if err != nil {
		return false, err
	}
	sig, err := signWith(s.MerchantPrivateKey(), param)
	if err != nil {
		return false, err
	}
	body, _ := json.Marshal(map[string]string{"appId": s.AppID(), "param": string(param), "sign": sig})
	resp, err := http.Post(s.URL()+payoutCheckPath, "application/json", bytesReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return false, err
	}
	return r.Code == 10000, nil
}

func TestFaultTargets(t *testing.T) {
	s := newTestServer(t)
	ok(t, do(t, s, "/api/v1/batch/paymentCode", map[string]any{
		"appName": "Sandbox", "mchOrderId": "GRP1", "channelCode": "GCASH_STATIC_VA",
		"customerName": "Juan", "email": "juan@example.com",
	}))
	// A concrete path of a templated route targets that route.
	s.InjectFault("/api/v1/batch/paymentCode/ANY/update", Fault{Code: 21011})
	refused(t, do(t, s, "/api/v1/batch/paymentCode/GRP1/update", map[string]any{"mchOrderId": "GRP1", "channelCode": "GCASH_STATIC_VA"}), 21011)
	// The two channel-list operations share one path.
	s.InjectFault(paycools.OpWebPaymentChannels, Fault{Code: 21005})
	refused(t, do(t, s, "/open-api/payment/checkout/channel", map[string]any{"countryCode": "PH"}), 21005)
	// Faults queue up in order.
	s.InjectFault(paycools.OpAccountBalance, Fault{Code: 21000})
	s.InjectFault(paycools.OpAccountBalance, Fault{Code: 21011})
	refused(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}), 21000)
	refused(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}), 21011)
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
	// An unknown path can be given a fault too (for a WithEndpoint override).
	s.InjectFault("/custom/path", Fault{Code: 21000})
	refused(t, postBody(t, s, "/custom/path", []byte(`{}`)), 21000)
	// ClearFaults drops pending faults.
	s.InjectFault(paycools.OpAccountBalance, Fault{Code: 21000})
	s.ClearFaults()
	ok(t, do(t, s, balancePath, map[string]any{"countryCode": "PH"}))
	require.Panics(t, func() { s.InjectFault("Nope.Nope", Fault{}) })
}

// TestSDKOutcomeUnknownOnDrop: through the SDK client, a write whose connection is dropped after
// the gateway acted ends with an unknown outcome; sending it again is refused as a duplicate.
func TestSDKOutcomeUnknownOnDrop(t *testing.T) {
	s := newTestServer(t)
	c := s.Client(paycools.WithRetries(0))
	p := &paycools.DirectDebitAuthorizationLinkCreateParams{
		RequestID: "REQ1", UserID: "u0009", ChannelCode: paycools.DirectDebitChannelCodeGCash,
		CountryCode: "PH", TerminalType: "WEB", NotifyURL: "https://merchant.example/notify",
		RedirectURL: "https://merchant.example/back",
	}
	s.InjectFault(paycools.OpDirectDebitCreateAuthorizationLink, Fault{DropAfterAction: true})
	_, err := c.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	require.Error(t, err)
	require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)

	_, err = c.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	require.ErrorIs(t, err, paycools.ErrDuplicateOrder)
	var api *paycools.APIError
	require.True(t, errors.As(err, &api))
	require.Equal(t, "Duplicate merchant order id", api.Message)

	s.InjectFault(paycools.OpDirectDebitCreateAuthorizationLink, Fault{DropBeforeAction: true})
	p.RequestID = "REQ2"
	_, err = c.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	require.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
	link, err := c.DirectDebit.CreateAuthorizationLink(context.Background(), p)
	require.NoError(t, err, "nothing was created before the drop")
	require.Equal(t, "REQ2", link.RequestID)
	require.Contains(t, link.AuthURL, s.URL())
}
