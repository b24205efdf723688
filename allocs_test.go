package paycools

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// cannedTransport answers every request with one fixed payout answer, without a network, so
// that only the SDK's own allocations are counted.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
		Body: io.NopCloser(strings.NewReader(`{"code":10000,"message":"Success","data":` + payoutCreateData + `}`))}, nil
}

// payoutCreateAllocs is the allocation count of one Payouts.Create with an RSA-2048 key and a
// transport that answers at once (the RSA signature included), measured with go1.26 (-race
// adds 3). A change that adds allocations to the operation merchants call most fails here;
// lower it when an optimisation lands.
const payoutCreateAllocs = 55

func TestPayoutCreateAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes the count")
	}
	c, err := NewClient(testAppID, testMerchantKey(t), WithBaseURL("https://pc.test"), WithHTTPClient(&http.Client{Transport: cannedTransport{}}))
	if err != nil {
		t.Fatal(err)
	}
	p := fullCreatePayoutParams()
	ctx := context.Background()
	got := testing.AllocsPerRun(200, func() {
		if _, err := c.Payouts.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("Payouts.Create: %.0f allocations", got)
	limit := float64(payoutCreateAllocs)
	if raceEnabled {
		limit += 6 // -race adds 3, and its sync.Pool drops items at random
	}
	if got > limit {
		t.Errorf("Payouts.Create makes %.0f allocations, more than the %.0f pinned: find what was added (go test -bench Ops -memprofile)", got, limit)
	}
}
